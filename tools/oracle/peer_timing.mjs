// What the face-api peer benchmarks share (bench_detect_faceapi.mjs,
// bench_verify_faceapi.mjs, bench_analyze_faceapi.mjs): command-line
// options, the one-thread backend, and median timing of repeated calls.
import { createRequire } from 'node:module';
import { tf } from './faceapi_node.mjs';

const require = createRequire(import.meta.url);

// The value of `--name=value` on the command line, else `fallback`.
export function cliArg(name, fallback) {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

// Selects the tfjs wasm backend with one thread, or the pure-JS cpu backend
// when `wanted` is 'cpu' or wasm does not start. Returns the backend's name.
export async function startBackend(wanted) {
  if (wanted === 'wasm') {
    try {
      const wasm = require('@tensorflow/tfjs-backend-wasm');
      wasm.setThreadsCount(1);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return `wasm (threads: ${wasm.getThreadsCount()})`;
      }
    } catch (e) {
      console.error(`wasm backend failed (${e.message}); using cpu`);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

// Runs `fn` `warmup` times untimed, then `runs` times timed. Returns the
// median wall-clock and CPU milliseconds per call (CPU time of the whole
// process: the steadier figure on a shared machine) and the last result.
export async function timeMedian(fn, runs, warmup) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  const cpuMs = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    last = await fn();
    const c = process.cpuUsage(c0);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpuMs.push((c.user + c.system) / 1e3);
  }
  const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { ms: median(ms), cpuMs: median(cpuMs), last };
}
