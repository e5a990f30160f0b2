// face-api behind a minimal HTTP wrapper: the peer of `facekit serve`'s
// /verify in bench/serve_load.sh. POST /verify with a multipart body holding
// two JPEGs (fields img1 and img2, as deepface's and facekit's /verify take
// them) runs face-api's own pipeline on each — detectSingleFace
// (SsdMobilenetv1Options) + withFaceLandmarks() + withFaceDescriptor() — and
// answers {verified, distance, threshold, model, detector_backend}: the
// Euclidean distance of the two descriptors against face-api's own 0.6
// (FaceMatcher's default). No face: 400 {"error": "no_face", ...}. Listens on
// loopback only; one Node process, requests served in turn by its event loop
// (face-api's natural deployment). Prints "listening on http://127.0.0.1:PORT"
// on stderr once ready, as `facekit serve` does.
//   node tools/oracle/faceapi_verify_server.mjs [--port=0] [--backend=wasm|cpu]
import http from 'node:http';
import jpeg from 'jpeg-js';
import { tf, faceapi, loadNet, versions } from './faceapi_node.mjs';
import { cliArg, startBackend } from './peer_timing.mjs';

const kThreshold = 0.6;
const kMaxBody = 10 * 1024 * 1024;  // as facekit serve's default body cap

const backend = await startBackend(cliArg('backend', 'wasm'));
await loadNet(faceapi.nets.ssdMobilenetv1, 'faceapi-ssd-mobilenetv1');
await loadNet(faceapi.nets.faceLandmark68Net, 'faceapi-landmark68');
await loadNet(faceapi.nets.faceRecognitionNet, 'faceapi-recognition');

class BadRequest extends Error {}

// The parts of a multipart/form-data body, by field name: Buffers.
function multipartParts(body, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType || '');
  if (!m) throw new BadRequest('expected multipart/form-data with a boundary');
  const delimiter = Buffer.from(`--${m[1] || m[2]}`);
  const parts = {};
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);  // after CRLF, before CRLF
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const name = /name="([^"]*)"/.exec(part.subarray(0, headerEnd).toString('latin1'));
      if (name) parts[name[1]] = part.subarray(headerEnd + 4);
    }
    start = next;
  }
  return parts;
}

function tensorOf(bytes, field) {
  let img;
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (e) {
    throw new BadRequest(`${field}: not a JPEG (${e.message})`);
  }
  return tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
}

async function describe(bytes, field) {
  const input = tensorOf(bytes, field);
  try {
    const face = await faceapi.detectSingleFace(input, new faceapi.SsdMobilenetv1Options())
      .withFaceLandmarks().withFaceDescriptor();
    if (!face) throw new BadRequest(`${field}: no face found`);
    return face.descriptor;
  } finally {
    input.dispose();
  }
}

async function verify(body, contentType) {
  const parts = multipartParts(body, contentType);
  for (const field of ['img1', 'img2']) if (!parts[field]) throw new BadRequest(`${field}: missing`);
  const a = await describe(parts.img1, 'img1');
  const b = await describe(parts.img2, 'img2');
  const distance = faceapi.euclideanDistance(a, b);
  return { verified: distance < kThreshold, distance, threshold: kThreshold, model: 'face-api', detector_backend: 'ssd' };
}

function send(response, status, json) {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(json));
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST' || request.url.split('?')[0] !== '/verify') {
    send(response, 404, { error: 'not_found', message: 'POST /verify only' });
    return;
  }
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > kMaxBody) {
      send(response, 413, { error: 'payload_too_large', message: `over ${kMaxBody} bytes` });
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', async () => {
    if (size > kMaxBody) return;
    try {
      send(response, 200, await verify(Buffer.concat(chunks), request.headers['content-type']));
    } catch (e) {
      if (e instanceof BadRequest) send(response, 400, { error: 'bad_request', message: e.message });
      else send(response, 500, { error: 'internal_error', message: e.message });
    }
  });
});
server.listen(Number(cliArg('port', 0)), '127.0.0.1', () => {
  const runtime = versions().replace('(cpu backend)', `(${backend} backend)`);
  console.error(`face-api verify server (${runtime}) listening on http://127.0.0.1:${server.address().port}`);
});
