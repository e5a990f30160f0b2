// What the oracles that run a pipeline over photos share: their command line
//   node tools/oracle/SCRIPT [--backend=B] OUT.json (IMAGE.png|IMAGE.ppm... | --list FILE)
// (--list: the images, one path a line) and how they write OUT.json.
import fs from 'node:fs';

// The command line of `script`: { out, files, backend }. With `backends`
// (e.g. 'wasm', shown in the usage) it takes --backend=B anywhere, and
// `backend` is B or `defaultBackend`; without, --backend= is not an option.
// Prints the usage and exits with status 2 when OUT or the images are missing.
export function oracleArguments(script, { backends = null, defaultBackend = null } = {}) {
  const isBackend = (a) => backends !== null && a.startsWith('--backend=');
  const args = process.argv.slice(2);
  const backendArg = args.find(isBackend);
  const [out, ...rest] = args.filter((a) => !isBackend(a));
  const files = rest[0] === '--list'
    ? fs.readFileSync(rest[1], 'utf8').split('\n').filter((l) => l.length > 0)
    : rest;
  if (!out || files.length === 0) {
    const option = backends === null ? '' : `[--backend=${backends}] `;
    console.error(`usage: node tools/oracle/${script} ${option}OUT.json (IMAGE.png|IMAGE.ppm... | --list FILE)`);
    process.exit(2);
  }
  return { out, files, backend: backendArg ? backendArg.slice('--backend='.length) : defaultBackend };
}

// `result` as JSON into `out`: one key per line, arrays of numbers on one
// line; written beside it and renamed over it, so that a reader (or a long
// run written as it goes) never leaves half a file.
export function writeOracleJson(out, result) {
  const text = JSON.stringify(result, null, 1).replace(/\[[-\d.e,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
  fs.writeFileSync(`${out}.tmp`, `${text}\n`);
  fs.renameSync(`${out}.tmp`, out);
}
