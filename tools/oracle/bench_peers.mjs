// The peer runtimes of `facekit bench`: the same zoo models, on the same input
// shapes, timed in
//   - TensorFlow.js 4.22 on its WebAssembly backend (@tensorflow/tfjs-backend-wasm,
//     SIMD, one thread), each model in the form it ships in: tfjs-graph models
//     through tf.loadGraphModel, face-api weight sets through face-api's own
//     nets, TFLite files through the JS TFLite interpreter of tflite/;
//   - ONNX Runtime (onnxruntime-node, CPU) on facekit's ONNX export of the
//     model, with one intra-op thread and with one per core.
//
//   node tools/oracle/bench_peers.mjs SPEC.json OUT.json
//
// SPEC.json is written by `facekit bench`:
//   { "seconds": 1.0,
//     "models": [ { "model": id, "input_shapes": [[1,112,112,3]], "onnx": "/tmp/.../id.onnx" } ] }
// (a bare "models" array is accepted too; entries with "error" are skipped).
// OUT.json maps each model id to its cells, all optional:
//   { "tfjs_ms", "tfjs_backend": "wasm" | "cpu", "tfjs_note", "tfjs_error",
//     "ort_ms", "ort_all_ms", "ort_threads", "ort_error" }
// Latencies are medians over about `seconds` of runs after one warm-up run.
// A model the wasm backend cannot run (a missing kernel) is retried on the
// pure-JS cpu backend and marked tfjs_backend "cpu" with the reason in
// tfjs_note. Every model and runtime runs in its own node process with a time
// limit, so that one failure (a crash, a hang, a missing file) is one cell's
// "error", never the whole table's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { manifestModel, modelFile } from './golden.mjs';

const SELF = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- inputs --

const numel = (shape) => shape.reduce((a, b) => a * b, 1);

// The input facekit bench feeds: ((i * 2654435761) mod 255) / 127.5 - 1,
// computed without overflow as ((i mod 255) * (2654435761 mod 255)) mod 255.
function benchInput(shape) {
  const k = 2654435761 % 255;
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; ++i) data[i] = (((i % 255) * k) % 255) / 127.5 - 1;
  return data;
}

// ---------------------------------------------------------------- timing --

const now = () => Number(process.hrtime.bigint()) / 1e6;

// Median latency (ms) of `runOnce` (sync or async) over about `seconds`, after
// one warm-up run. At least 3 timed runs unless they would take 5× the budget.
async function medianLatency(runOnce, seconds) {
  await runOnce();
  const times = [];
  const start = now();
  for (;;) {
    const elapsed = now() - start;
    const enough = elapsed >= seconds * 1000 && times.length >= 1;
    if (times.length >= 1000 || (enough && (times.length >= 3 || elapsed >= 5 * seconds * 1000))) break;
    const t0 = now();
    await runOnce();
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

// ------------------------------------------------------ tfjs (one model) --

// face-api nets and the forward that returns what facekit's graph returns.
const FACEAPI = {
  'faceapi-ssd-mobilenetv1': { net: 'ssdMobilenetv1', run: (net, x) => net.forwardInput(x) },
  'faceapi-tiny-face-detector': { net: 'tinyFaceDetector', run: (net, x) => net.forwardInput(x, 416) },
  'faceapi-landmark68': { net: 'faceLandmark68Net', run: (net, x) => net.runNet(x) },
  'faceapi-landmark68-tiny': { net: 'faceLandmark68TinyNet', run: (net, x) => net.runNet(x) },
  'faceapi-recognition': { net: 'faceRecognitionNet', run: (net, x) => net.forwardInput(x) },
  'faceapi-age-gender': { net: 'ageGenderNet', run: (net, x) => net.runNet(x) },
  'faceapi-expression': { net: 'faceExpressionNet', run: (net, x) => net.runNet(x) },
};

// Every tf.Tensor inside a result (tensor, array or object of them).
function tensorsOf(tf, v, out = []) {
  if (v instanceof tf.Tensor) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => tensorsOf(tf, x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => tensorsOf(tf, x, out));
  return out;
}

// The TFLite interpreter turns its constants into tensors on every run and
// transposes convolution filters each time: fine for an oracle, unfair to
// time. This view of `tf` makes each constant once (later runs get a free
// clone) and remembers transposes of constants, so that only the network's
// own arithmetic is timed.
function cachingTf(tf) {
  const constants = new Map();            // constant data array -> kept tensor
  const constantIds = new Set();          // dataIds of those tensors
  const transposes = new Map();           // "dataId perm" key -> kept tensor
  const dataKey = new Map();
  const keyOf = (t) => {
    if (!dataKey.has(t.dataId)) dataKey.set(t.dataId, dataKey.size);
    return dataKey.get(t.dataId);
  };
  return new Proxy(tf, {
    get(target, prop) {
      if (prop === 'tensor') {
        return (data, shape, dtype) => {
          if (!ArrayBuffer.isView(data)) return target.tensor(data, shape, dtype);
          if (!constants.has(data)) {
            const t = target.keep(target.tensor(data, shape, dtype));
            constants.set(data, t);
            constantIds.add(t.dataId);
          }
          return target.clone(constants.get(data));
        };
      }
      if (prop === 'transpose') {
        return (x, perm) => {
          if (!constantIds.has(x.dataId)) return target.transpose(x, perm);
          const key = `${keyOf(x)} ${x.shape} ${perm}`;
          if (!transposes.has(key)) transposes.set(key, target.keep(target.transpose(x, perm)));
          return target.clone(transposes.get(key));
        };
      }
      return target[prop];
    },
  });
}

// Loads model `id` in tfjs and returns { run(), note }: run() executes the
// network once on `inputs` (shapes) and reads every output back.
async function tfjsModel(tf, id, shapes) {
  const entry = manifestModel(id);
  const xs = shapes.map((s) => tf.keep(tf.tensor(benchInput(s), s, 'float32')));
  const readAll = (result) => {
    const ts = tensorsOf(tf, result);
    ts.forEach((t) => t.dataSync());
    tf.dispose(ts);
  };
  if (entry.format === 'tfjs-graph') {
    const { loadGraphModelFromDisk } = await import('./tfjs_graph_loader.mjs');
    const model = await loadGraphModelFromDisk(tf, modelFile(id));
    const feed = xs.length === 1 ? xs[0] : xs;
    return {
      note: 'tf.loadGraphModel',
      run: async () => {
        try {
          readAll(model.execute(feed));
        } catch (e) {   // graphs with control flow run only asynchronously
          if (!/executeAsync/.test(e.message)) throw e;
          readAll(await model.executeAsync(feed));
        }
      },
    };
  }
  if (entry.format === 'faceapi') {
    const { faceapi, loadNet } = await import('./faceapi_node.mjs');
    const spec = FACEAPI[id];
    if (!spec) throw new Error(`no face-api net known for ${id}`);
    const net = await loadNet(faceapi.nets[spec.net], id);
    // face-api normalises inside its nets: feed a 0..255 image, as facekit's graphs expect.
    const image = tf.keep(tf.mul(tf.add(xs[0], 1), 127.5));
    const input = await faceapi.toNetInput(image);
    return { note: `face-api ${spec.net}`, run: () => readAll(spec.run(net, input)) };
  }
  if (entry.format === 'tflite') {
    const { readTfliteModel } = await import('./tflite/model.mjs');
    const { TfliteInterpreter } = await import('./tflite/interpreter.mjs');
    const net = new TfliteInterpreter(cachingTf(tf), readTfliteModel(modelFile(id)));
    return {
      note: 'JS TFLite interpreter (tools/oracle/tflite), unfused ops',
      run: () => readAll(net.run(xs.map((x) => tf.clone(x))).map((o) => o.tensor)),
    };
  }
  throw new Error(`format ${entry.format} has no TensorFlow.js runner`);
}

async function tfjsWorker(id, shapes, seconds, backend) {
  const tf = require('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries come from node_modules, never from a CDN.
    wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));
    wasm.setThreadsCount(1);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not initialise`);
  await tf.ready();
  const model = await tfjsModel(tf, id, shapes);
  const ms = await medianLatency(model.run, seconds);
  let note = model.note;
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    note += `; wasm ${simd ? 'SIMD' : 'no SIMD'}, ${require('@tensorflow/tfjs-backend-wasm').getThreadsCount()} thread`;
  }
  return { tfjs_ms: ms, tfjs_backend: backend, tfjs_note: note };
}

// ------------------------------------------------------- ORT (one model) --

async function ortWorker(onnxPath, shapes, seconds) {
  const ort = require('onnxruntime-node');
  const cores = os.cpus().length;
  const result = { ort_threads: cores };
  for (const threads of [1, cores]) {
    const session = await ort.InferenceSession.create(onnxPath, {
      executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
      executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    if (session.inputNames.length !== shapes.length) {
      throw new Error(`the export has ${session.inputNames.length} inputs, facekit fed ${shapes.length}`);
    }
    const feeds = {};
    session.inputNames.forEach((name, k) => { feeds[name] = new ort.Tensor('float32', benchInput(shapes[k]), shapes[k]); });
    result[threads === 1 ? 'ort_ms' : 'ort_all_ms'] = await medianLatency(() => session.run(feeds), seconds);
    await session.release();
  }
  return result;
}

// ---------------------------------------------------------- orchestrator --

// Runs `node bench_peers.mjs --worker ...` with a time limit; returns its
// result object, or { error } with the reason.
function runWorker(args, limitSeconds) {
  const out = path.join(os.tmpdir(), `facekit-peer-${process.pid}-${Date.now()}.json`);
  const r = spawnSync(process.execPath, [SELF, '--worker', out, ...args], {
    timeout: limitSeconds * 1000, encoding: 'utf8', maxBuffer: 16 << 20,
  });
  try {
    if (r.error && r.error.code === 'ETIMEDOUT') return { error: `timed out after ${limitSeconds} s` };
    if (fs.existsSync(out)) return JSON.parse(fs.readFileSync(out, 'utf8'));
    const lastLine = `${r.stderr || ''}`.trim().split('\n').filter((l) => l.trim()).pop();
    return { error: r.signal ? `killed by ${r.signal}` : (lastLine || `exit status ${r.status}`) };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

// One line, short enough for a table cell.
const reason = (e) => `${e}`.replace(/^Error: /, '').replace(/\s+/g, ' ').slice(0, 120);

function peersOf(m, seconds) {
  const shapes = JSON.stringify(m.input_shapes);
  // Generous limits: a slow model in a slow runtime still gets its warm-up,
  // three runs and its load; a hang costs at most this much.
  const limit = Math.max(60, 20 * seconds);
  const cells = {};
  const wasm = runWorker(['tfjs', m.model, shapes, `${seconds}`, 'wasm'], limit);
  if (!wasm.error) {
    Object.assign(cells, wasm);
  } else {
    // The cpu backend has every kernel; the cell says why wasm was not used.
    const cpu = /timed out/.test(wasm.error) ? wasm : runWorker(['tfjs', m.model, shapes, `${seconds}`, 'cpu'], limit);
    if (cpu.error) cells.tfjs_error = wasm.error;
    else Object.assign(cells, cpu, { tfjs_note: `wasm failed (${wasm.error}); ${cpu.tfjs_note}` });
  }
  if (!m.onnx) {
    cells.ort_error = m.onnx_error ? `no ONNX export: ${m.onnx_error}` : 'no ONNX export';
  } else {
    const ort = runWorker(['ort', m.onnx, shapes, `${seconds}`], limit);
    if (ort.error) cells.ort_error = ort.error;
    else Object.assign(cells, ort);
  }
  for (const k of ['tfjs_error', 'ort_error']) if (cells[k]) cells[k] = reason(cells[k]);
  return cells;
}

async function main(argv) {
  if (argv[0] === '--worker') {
    const [, out, kind, target, shapes, seconds, backend] = argv;
    let result;
    try {
      result = kind === 'tfjs'
        ? await tfjsWorker(target, JSON.parse(shapes), Number(seconds), backend)
        : await ortWorker(target, JSON.parse(shapes), Number(seconds));
    } catch (e) {
      result = { error: reason(e.message || e) };
    }
    fs.writeFileSync(out, JSON.stringify(result));
    process.exit(0);
  }
  if (argv.length !== 2) {
    console.error('usage: node tools/oracle/bench_peers.mjs SPEC.json OUT.json');
    process.exit(2);
  }
  const spec = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
  const models = Array.isArray(spec) ? spec : spec.models;
  const seconds = Array.isArray(spec) ? 1 : Number(spec.seconds ?? 1);
  const results = {};
  for (const m of models) {
    if (m.error || !m.input_shapes) continue;
    console.error(`bench peers: ${m.model}`);
    results[m.model] = peersOf(m, seconds);
    // Written after each model, so an interrupted run keeps what it measured.
    fs.writeFileSync(argv[1], JSON.stringify(results, null, 1));
  }
  fs.writeFileSync(argv[1], JSON.stringify(results, null, 1));
}

await main(process.argv.slice(2));
