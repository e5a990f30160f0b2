// Human's whole face pipeline in Node, per photo: every face with its box,
// score and faceres descriptor (the 1024-D `embedding` human.detect returns)
// — @vladmandic/human 3.3.6 (dist/human.node-wasm.js) on tfjs' wasm backend,
// `new Human(config).detect(tensor)` with the face detector (blazeface), the
// mesh (facemesh; its input crop is what faceres is fed: face.ts, faceres.ts)
// and the description (faceres) on, everything else off. Models are the zoo's
// human-models 3.0.4 files (~/.cache/facekit or $FACEKIT_MODELS), served to
// Human over a loopback HTTP server: the wasm build has no file:// loader.
// Options are Human's defaults except face.detector.maxDetected (20, not 1:
// every face of a group photo).
//
//   node tools/oracle/human_pipeline.mjs OUT.json (IMAGE.png|IMAGE.ppm... | --list FILE)
//
// OUT.json: { oracle, images: [{ image, width, height, faces: [{ box: [x, y,
// w, h], score, embedding }] }] }.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { readImage } from './lossless_image.mjs';
import { modelsDir } from './golden.mjs';
import { oracleArguments, writeOracleJson } from './oracle_cli.mjs';

const require = createRequire(import.meta.url);
// The package exports only conditions (its main entry needs tfjs-node), so
// the wasm build is loaded by its path beside that entry.
const humanDist = path.dirname(require.resolve('@vladmandic/human'));
const { Human } = require(path.join(humanDist, 'human.node-wasm.js'));
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));  // its dist/, with the .wasm files

const { out, files } = oracleArguments('human_pipeline.mjs');

// The zoo's model folders, read-only, on loopback.
const root = modelsDir();
const server = http.createServer((req, res) => {
  const file = path.join(root, path.normalize(decodeURIComponent(req.url)));
  if (!file.startsWith(root) || !fs.existsSync(file)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  res.end(fs.readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const human = new Human({
  backend: 'wasm',
  wasmPath: `file://${wasmDir}/`,
  debug: false,
  modelBasePath: `http://127.0.0.1:${server.address().port}/`,
  face: {
    enabled: true,
    detector: { modelPath: 'human-blazeface/blazeface.json', maxDetected: 20 },
    mesh: { enabled: true, modelPath: 'human-facemesh/facemesh.json' },
    description: { enabled: true, modelPath: 'human-faceres/faceres.json' },
    iris: { enabled: false },
    emotion: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    attention: { enabled: false },
    gear: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
  filter: { enabled: false },
});
await human.load();

const r6 = (v) => Math.round(v * 1e6) / 1e6;
const images = [];
for (const file of files) {
  const img = readImage(file);
  const x = human.tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');
  const result = await human.detect(x);
  x.dispose();
  images.push({
    image: file,
    width: img.width,
    height: img.height,
    faces: result.face.map((f) => ({
      box: f.box.map(r6),
      score: r6(f.score),
      embedding: Array.from(f.embedding, (v) => Number(v.toPrecision(8))),
    })),
  });
}
server.close();

writeOracleJson(out, {
  oracle: `@vladmandic/human ${human.version} (human.node-wasm.js, tfjs ${human.tf.version_core} wasm): `
    + 'detect(tensor) with face detector + mesh + description, maxDetected 20, other options default',
  images,
});
