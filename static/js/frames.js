/**
 * Frame arrays as typed arrays (docs/protocol.md): the live frame's one binary `blob` with each
 * array's offset beside it, an array sent on its own (an ArrayBuffer, a view or a plain list),
 * and the base64 arrays of recorded frames (saved experiments, the Compare page). Pure: no
 * socket, no DOM, so Node's test runner imports it as the browser does.
 */

/** numpy dtype names (server/trainer.py `encode` writes str(a.dtype)) → typed array classes. */
export const TYPED_ARRAYS = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
};

function typedArrayFor(dtype) {
  const Typed = TYPED_ARRAYS[dtype];
  if (!Typed) throw new Error(`frame array has unknown dtype ${dtype}`);
  return Typed;
}

/** {shape, dtype, data: ArrayBuffer | view | list} → {shape, dtype, data: TypedArray}. */
export function decodeArray(entry) {
  const Typed = typedArrayFor(entry.dtype);
  let { data } = entry;
  if (Array.isArray(data)) return { ...entry, data: Typed.from(data) };
  if (ArrayBuffer.isView(data)) {
    // A view may start at an offset that is not aligned for the element size: copy it out.
    data = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  }
  return { ...entry, data: new Typed(data) };
}

/** {shape, dtype, data_b64} (a recorded frame's array) → {shape, dtype, data: TypedArray}. */
export function decodeBase64(entry) {
  const bytes = Uint8Array.from(atob(entry.data_b64), (c) => c.charCodeAt(0));
  return decodeArray({ shape: entry.shape, dtype: entry.dtype, data: bytes.buffer });
}

/** A frame's arrays: each a view of the one binary `blob` at its offset (docs/protocol.md). */
export function decodeFrame(raw) {
  const arrays = {};
  const blob = raw.blob;
  const base = blob == null ? null : ArrayBuffer.isView(blob) ? blob.buffer : blob;
  const start = ArrayBuffer.isView(blob) ? blob.byteOffset : 0;
  for (const [name, entry] of Object.entries(raw.arrays || {})) {
    if (!entry) continue;
    if (entry.data != null) {
      arrays[name] = decodeArray(entry);
    } else if (base && entry.offset != null) {
      const Typed = typedArrayFor(entry.dtype);
      const at = start + entry.offset;
      const data = at % Typed.BYTES_PER_ELEMENT === 0
        ? new Typed(base, at, entry.nbytes / Typed.BYTES_PER_ELEMENT)
        : new Typed(base.slice(at, at + entry.nbytes));
      arrays[name] = { shape: entry.shape, dtype: entry.dtype, data };
    }
  }
  const { blob: _, ...rest } = raw;
  return { ...rest, arrays };
}
