// Lossless image readers for the pipeline oracles: binary PPM and 8-bit PNG,
// so that a reference pipeline sees exactly the pixels facekit decodes (JPEG
// decoders disagree, see README.md). readImage(file) → { width, height,
// data: Uint8Array RGB, row-major }.
import fs from 'node:fs';
import zlib from 'node:zlib';

// Binary PPM: "P6", width, height, maxval 255, whitespace-separated, one
// whitespace byte, then RGB bytes.
function readPpm(buf) {
  const fields = [];
  let i = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[i]))) i++;
    if (buf[i] === 0x23) { while (buf[i] !== 0x0a) i++; continue; }  // comment line
    let s = '';
    while (!/\s/.test(String.fromCharCode(buf[i]))) s += String.fromCharCode(buf[i++]);
    fields.push(s);
  }
  const [magic, w, h, max] = fields;
  if (magic !== 'P6' || max !== '255') throw new Error(`not an 8-bit binary PPM (${magic}, max ${max})`);
  const width = Number(w), height = Number(h);
  return { width, height, data: Uint8Array.from(buf.subarray(i + 1, i + 1 + width * height * 3)) };
}

// PNG, 8-bit RGB(A), non-interlaced: the five row filters of the PNG spec.
function readPng(buf) {
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0)
        throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
      channels = colour === 2 ? 3 : 4;
    } else if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = (v + pred) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += channels) data.set(px.subarray(j, j + 3), i);
  return { width, height, data };
}

export function readImage(file) {
  const buf = fs.readFileSync(file);
  if (file.endsWith('.ppm')) return readPpm(buf);
  if (file.endsWith('.png')) return readPng(buf);
  throw new Error(`${file}: expected .png or .ppm`);
}
