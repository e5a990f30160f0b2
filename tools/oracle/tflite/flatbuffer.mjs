// A minimal read-only FlatBuffers table reader over a DataView, enough to
// walk a .tflite file by field index (the schema's field order). Written from
// the FlatBuffers binary format description; no generated code, so the
// oracle shares nothing with the C++ loader (which uses flatc output).
//
// Layout recap: the root is a uoffset at byte 0. A table starts with an
// soffset to its vtable (vtable = table - soffset); the vtable holds
// [vtable bytes, table bytes, field 0 offset, field 1 offset, ...] as uint16,
// 0 meaning "absent, use the default". Vectors and strings are uoffsets
// (relative to where the offset is stored) to [uint32 length, elements...].

export class Table {
  constructor(view, pos) {
    this.view = view;
    this.pos = pos;
    this.vtable = pos - view.getInt32(pos, true);
    this.vtableSize = view.getUint16(this.vtable, true);
  }

  static root(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new Table(view, view.getUint32(0, true));
  }

  // Absolute position of field `id`, or 0 when absent.
  fieldPos(id) {
    const slot = 4 + 2 * id;
    if (slot >= this.vtableSize) return 0;
    const rel = this.view.getUint16(this.vtable + slot, true);
    return rel ? this.pos + rel : 0;
  }

  has(id) { return this.fieldPos(id) !== 0; }

  #scalar(id, def, read) {
    const p = this.fieldPos(id);
    return p ? read(p) : def;
  }

  int8(id, def = 0) { return this.#scalar(id, def, (p) => this.view.getInt8(p)); }
  uint8(id, def = 0) { return this.#scalar(id, def, (p) => this.view.getUint8(p)); }
  bool(id, def = false) { return this.#scalar(id, def ? 1 : 0, (p) => this.view.getUint8(p)) !== 0; }
  int32(id, def = 0) { return this.#scalar(id, def, (p) => this.view.getInt32(p, true)); }
  uint32(id, def = 0) { return this.#scalar(id, def, (p) => this.view.getUint32(p, true)); }
  float32(id, def = 0) { return this.#scalar(id, def, (p) => this.view.getFloat32(p, true)); }

  #deref(p) { return p + this.view.getUint32(p, true); }

  table(id) {
    const p = this.fieldPos(id);
    return p ? new Table(this.view, this.#deref(p)) : null;
  }

  // { start, length } of a vector field (start = first element), or null.
  #vector(id) {
    const p = this.fieldPos(id);
    if (!p) return null;
    const v = this.#deref(p);
    return { start: v + 4, length: this.view.getUint32(v, true) };
  }

  vectorLength(id) { const v = this.#vector(id); return v ? v.length : 0; }

  string(id) {
    const v = this.#vector(id);
    if (!v) return null;
    const bytes = new Uint8Array(this.view.buffer, this.view.byteOffset + v.start, v.length);
    return new TextDecoder().decode(bytes);
  }

  // Elements of a vector of tables.
  tables(id) {
    const v = this.#vector(id);
    if (!v) return [];
    const out = [];
    for (let i = 0; i < v.length; i++) out.push(new Table(this.view, this.#deref(v.start + 4 * i)));
    return out;
  }

  // A vector of scalars as a plain array; `size` bytes per element.
  #scalars(id, size, read) {
    const v = this.#vector(id);
    if (!v) return [];
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = read(v.start + size * i);
    return out;
  }

  int32s(id) { return this.#scalars(id, 4, (p) => this.view.getInt32(p, true)); }
  uint16s(id) { return this.#scalars(id, 2, (p) => this.view.getUint16(p, true)); }
  uint8s(id) { return this.#scalars(id, 1, (p) => this.view.getUint8(p)); }

  // A [ubyte] vector as a Uint8Array view (no copy), or null.
  bytes(id) {
    const v = this.#vector(id);
    if (!v) return null;
    return new Uint8Array(this.view.buffer, this.view.byteOffset + v.start, v.length);
  }
}
