// Writes tests/golden/detect-blazeface.json: the faces MediaPipe's BlazeFace
// post-processing finds on face-api's six sample photos, for the short- and
// full-range detectors. tests/detect_blazeface_test.cc runs facekit's
// detectors on the same photos and compares faces one for one.
//   node tools/oracle/make_golden_detect_blazeface.mjs
//
// Independent of facekit in every step:
// - networks: blazeface-short runs as its TF.js twin human-facemesh-detection-short
//   (identical weights; tfjs' own graph executor); blazeface-full (dense) has
//   no twin, so face_detection_full_range.tflite itself runs in the JavaScript
//   TFLite interpreter of tflite/ (validated against the sparse model's twin,
//   see tflite/README.md). Both on @tensorflow/tfjs' pure-JS cpu backend.
// - pre- and post-processing are written here in JavaScript from MediaPipe's
//   documented behaviour, not from facekit's C++: letterbox (keep aspect ratio,
//   centred, black border; area-averaging shrink), anchors in pixel units per
//   feature grid (the formulation of @vladmandic/human's facemeshutil:
//   128 px input: strides 8 and 16 with 2 and 6 anchors per cell; 192 px:
//   stride 4, 1 anchor), sigmoid of logits clipped to ±100, box = anchor centre
//   + (dx, dy), size (w, h), keypoints = anchor centre + offsets, MediaPipe's
//   weighted NMS (IoU > 0.3 clusters averaged with score weights).
import fs from 'node:fs';
import path from 'node:path';
import { GOLDEN_DIR, modelFile, decodeJpeg, samplePath } from './golden.mjs';
import { loadGraphModelFromDisk } from './tfjs_graph_loader.mjs';
import { tf, initCpu, loadTflite, runOnce } from './tflite/run_model.mjs';

const SAMPLES = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'];

const DETECTORS = [
  { name: 'blazeface-short', size: 128, grids: [{ stride: 8, perCell: 2 }, { stride: 16, perCell: 6 }], minScore: 0.5 },
  { name: 'blazeface-full', size: 192, grids: [{ stride: 4, perCell: 1 }], minScore: 0.6 },
];
const NMS_IOU = 0.3;

// Shrinks `img` to cw x ch by area averaging: each output pixel is the mean of
// the source rectangle it covers, partial pixels weighted by their covered
// fraction (separable: rows then columns). Rounded half-up to uint8.
function areaResize(img, cw, ch) {
  const { width: w, height: h, data } = img;
  if (cw > w || ch > h) throw new Error('areaResize only shrinks');
  const coverage = (n, m) => {  // for each of m outputs: [[source index, weight], ...]
    const s = n / m;
    const taps = [];
    for (let o = 0; o < m; o++) {
      const a = o * s, b = (o + 1) * s;
      const t = [];
      for (let i = Math.floor(a); i < Math.min(Math.ceil(b), n); i++) {
        const wgt = Math.min(b, i + 1) - Math.max(a, i);
        if (wgt > 1e-9) t.push([i, wgt / s]);
      }
      taps.push(t);
    }
    return taps;
  };
  const tx = coverage(w, cw), ty = coverage(h, ch);
  const rows = new Float64Array(h * cw * 3);
  for (let y = 0; y < h; y++) {
    for (let ox = 0; ox < cw; ox++) {
      for (const [x, wgt] of tx[ox]) {
        for (let c = 0; c < 3; c++) rows[(y * cw + ox) * 3 + c] += wgt * data[(y * w + x) * 3 + c];
      }
    }
  }
  const out = new Uint8Array(cw * ch * 3);
  for (let oy = 0; oy < ch; oy++) {
    for (let ox = 0; ox < cw; ox++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const [y, wgt] of ty[oy]) v += wgt * rows[(y * cw + ox) * 3 + c];
        out[(oy * cw + ox) * 3 + c] = Math.min(255, Math.floor(v + 0.5));
      }
    }
  }
  return out;
}

// The size x size letterbox of `img`: scaled to fit, centred, black around.
function letterbox(img, size) {
  const scale = Math.min(size / img.width, size / img.height);
  const cw = Math.min(size, Math.max(1, Math.round(img.width * scale)));
  const ch = Math.min(size, Math.max(1, Math.round(img.height * scale)));
  const ox = Math.floor((size - cw) / 2), oy = Math.floor((size - ch) / 2);
  const content = areaResize(img, cw, ch);
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < ch; y++) out.set(content.subarray(y * cw * 3, (y + 1) * cw * 3), ((y + oy) * size + ox) * 3);
  const toImage = ([x, y]) => [(x - ox) * img.width / cw, (y - oy) * img.height / ch];
  return { data: out, content: [cw, ch], offset: [ox, oy], toImage };
}

function anchors(det) {
  const list = [];
  for (const { stride, perCell } of det.grids) {
    const cells = Math.ceil(det.size / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let k = 0; k < perCell; k++) list.push([stride * (gx + 0.5), stride * (gy + 0.5)]);
      }
    }
  }
  return list;
}

function iou(a, b) {  // boxes as [xmin, ymin, xmax, ymax]
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

// MediaPipe's WEIGHTED non-max suppression: the best remaining detection and
// every remaining one overlapping it by IoU > threshold are replaced by their
// score-weighted mean (box corners and keypoints), keeping the best score.
function weightedNms(dets, threshold) {
  let remaining = [...dets].sort((a, b) => b.score - a.score);
  const kept = [];
  while (remaining.length) {
    const top = remaining[0];
    const cluster = remaining.filter((d) => iou(top.corners, d.corners) > threshold);
    remaining = remaining.filter((d) => !(iou(top.corners, d.corners) > threshold));
    const total = cluster.reduce((s, d) => s + d.score, 0);
    const mean = (get, n) => Array.from({ length: n }, (_, i) => cluster.reduce((s, d) => s + d.score * get(d)[i], 0) / total);
    kept.push({
      score: top.score,
      corners: mean((d) => d.corners, 4),
      keypoints: Array.from({ length: 6 }, (_, k) => mean((d) => d.keypoints[k], 2)),
    });
  }
  return kept;
}

// Detections in letterbox pixels from raw [N, 16] regressors and N logits.
function decode(det, regressors, logits) {
  const list = anchors(det);
  if (logits.length !== list.length) throw new Error(`${det.name}: ${logits.length} scores for ${list.length} anchors`);
  const dets = [];
  for (let i = 0; i < list.length; i++) {
    const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, logits[i]))));
    if (score < det.minScore) continue;
    const r = regressors.subarray(i * 16, (i + 1) * 16);
    const [ax, ay] = list[i];
    const cx = ax + r[0], cy = ay + r[1];
    const corners = [cx - r[2] / 2, cy - r[3] / 2, cx + r[2] / 2, cy + r[3] / 2];
    const keypoints = Array.from({ length: 6 }, (_, k) => [ax + r[4 + 2 * k], ay + r[5 + 2 * k]]);
    dets.push({ score, corners, keypoints });
  }
  return weightedNms(dets, NMS_IOU);
}

// Runners: (normalised NHWC float input) -> { regressors: Float32Array [N*16], logits: Float32Array [N] }.
async function shortRangeRunner() {
  const model = await loadGraphModelFromDisk(tf, modelFile('human-facemesh-detection-short'));
  return {
    oracle: 'human-facemesh-detection-short (TF.js twin of face_detection_short_range.tflite) in tf.loadGraphModel',
    run(x, size) {
      const t = tf.tensor(x, [1, size, size, 3], 'float32');
      const y = model.execute(t, 'Identity');  // [1, 896, 17]: logit, then the 16 regressors
      const all = y.dataSync();
      tf.dispose([t, y]);
      const n = all.length / 17;
      const regressors = new Float32Array(n * 16), logits = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        logits[i] = all[i * 17];
        regressors.set(all.subarray(i * 17 + 1, (i + 1) * 17), i * 16);
      }
      return { regressors, logits };
    },
  };
}

function fullRangeRunner() {
  const net = loadTflite(modelFile('blazeface-full'));
  return {
    oracle: 'face_detection_full_range.tflite in the JavaScript TFLite interpreter of tools/oracle/tflite',
    run(x, size) {
      const outs = runOnce(net, x, [1, size, size, 3]);
      const regressors = outs.find((o) => o.shape[o.shape.length - 1] === 16).data;
      const logits = outs.find((o) => o.shape[o.shape.length - 1] === 1).data;
      return { regressors, logits };
    },
  };
}

await initCpu();
const runners = { 'blazeface-short': await shortRangeRunner(), 'blazeface-full': fullRangeRunner() };
const golden = {
  oracle: `@tensorflow/tfjs ${tf.version.tfjs} cpu backend; networks: `
    + Object.entries(runners).map(([k, r]) => `${k}: ${r.oracle}`).join('; ')
    + '; letterbox, anchors, decoding and weighted NMS in JavaScript '
    + '(tools/oracle/make_golden_detect_blazeface.mjs); input = uint8 / 127.5 - 1',
  detectors: [],
};
const round = (v) => Math.round(v * 1000) / 1000;
for (const det of DETECTORS) {
  const entry = { name: det.name, images: [] };
  for (const name of SAMPLES) {
    const img = decodeJpeg(samplePath(name));
    const lb = letterbox(img, det.size);
    const x = Float32Array.from(lb.data, (v) => v / 127.5 - 1);
    const { regressors, logits } = runners[det.name].run(x, det.size);
    const faces = decode(det, regressors, logits).map((d) => {
      const [x0, y0] = lb.toImage([d.corners[0], d.corners[1]]);
      const [x1, y1] = lb.toImage([d.corners[2], d.corners[3]]);
      return {
        score: round(d.score),
        box: [x0, y0, x1 - x0, y1 - y0].map(round),
        keypoints: d.keypoints.map((p) => lb.toImage(p).map(round)),
      };
    });
    entry.images.push({ image: name, size: [img.width, img.height], content: lb.content, offset: lb.offset, faces });
    console.log(`${det.name} ${name}: ${faces.length} face(s) ${faces.map((f) => f.score).join(' ')}`);
  }
  golden.detectors.push(entry);
}
const text = JSON.stringify(golden, null, 1).replace(/\[[-\d.,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
fs.writeFileSync(path.join(GOLDEN_DIR, 'detect-blazeface.json'), `${text}\n`);
console.log('wrote tests/golden/detect-blazeface.json');
