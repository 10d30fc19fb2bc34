/** static/js/frames.js: frame arrays decoded from the server's wire format into typed arrays. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrame, decodeArray, decodeBase64, TYPED_ARRAYS } from "../../static/js/frames.js";

/** Every array starts at a multiple of this many bytes of the blob (server/trainer.py ALIGN). */
const ALIGN = 8;

/**
 * What server/trainer.py `encode` sends: scalars as they are, `arrays` {name: {shape, dtype,
 * offset, nbytes}} and one `blob` holding every array's bytes, each padded to start at a
 * multiple of ALIGN. `arrays` here: {name: {dtype, shape, values}}.
 */
function encode(scalars, arrays) {
  const parts = [];
  const entries = {};
  let offset = 0;
  for (const [name, { dtype, shape, values }] of Object.entries(arrays)) {
    const bytes = new Uint8Array(TYPED_ARRAYS[dtype].from(values).buffer);
    const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
    if (pad) parts.push(new Uint8Array(pad));
    offset += pad;
    entries[name] = { shape, dtype, offset, nbytes: bytes.length };
    parts.push(bytes);
    offset += bytes.length;
  }
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    blob.set(part, at);
    at += part.length;
  }
  return { session_id: "s1", seq: 7, epoch: 3, ...scalars, arrays: entries, blob: blob.buffer };
}

const ARRAYS = {
  "weight.0": { dtype: "float32", shape: [2, 3], values: [0.5, -1.25, 2, 0, 3.5, -0.125] },
  output: { dtype: "uint8", shape: [1, 5], values: [0, 64, 128, 200, 255] },     // 5 bytes: the next one is padded
  confusion: { dtype: "int32", shape: [2, 2], values: [7, -1, 0, 2147483647] },
  curve: { dtype: "float64", shape: [3], values: [Math.PI, -1e-300, 1e300] },
  hist: { dtype: "uint16", shape: [2], values: [65535, 1] },
};

function assertArrays(arrays) {
  for (const [name, { dtype, shape, values }] of Object.entries(ARRAYS)) {
    const got = arrays[name];
    assert.ok(got, `array ${name} decoded`);
    assert.equal(got.dtype, dtype);
    assert.deepEqual(got.shape, shape);
    assert.ok(got.data instanceof TYPED_ARRAYS[dtype], `${name} is a ${TYPED_ARRAYS[dtype].name}`);
    assert.deepEqual([...got.data], [...TYPED_ARRAYS[dtype].from(values)], `${name} values`);
  }
}

test("decodeFrame: each array is a typed view of the blob at its offset, with its shape and dtype", () => {
  const raw = encode({ status: "playing" }, ARRAYS);
  assert.equal(raw.arrays.confusion.offset % ALIGN, 0);
  assert.equal(raw.arrays.confusion.offset, 32, "the int32 array after 24 + 5 bytes starts at 32");
  const frame = decodeFrame(raw);
  assertArrays(frame.arrays);
  // Aligned arrays are views of the received buffer, not copies.
  assert.equal(frame.arrays["weight.0"].data.buffer, raw.blob);
  assert.equal(frame.arrays.confusion.data.byteOffset, raw.arrays.confusion.offset);
});

test("decodeFrame: scalars pass through and the blob is dropped", () => {
  const frame = decodeFrame(encode({ status: "paused", metrics: { test_loss: 0.25 } }, ARRAYS));
  assert.equal(frame.status, "paused");
  assert.deepEqual(frame.metrics, { test_loss: 0.25 });
  assert.equal(frame.seq, 7);
  assert.equal(frame.session_id, "s1");
  assert.ok(!("blob" in frame));
});

test("decodeFrame: a blob that arrives as a view at an odd offset is read at the right place", () => {
  const raw = encode({}, ARRAYS);
  const shifted = new Uint8Array(raw.blob.byteLength + 3);
  shifted.set(new Uint8Array(raw.blob), 3);
  const frame = decodeFrame({ ...raw, blob: new Uint8Array(shifted.buffer, 3, raw.blob.byteLength) });
  assertArrays(frame.arrays);      // float32 at byte 3 cannot be a view: it was copied out
});

test("decodeFrame: arrays sent inline (data) are decoded; entries with neither are left out", () => {
  const frame = decodeFrame({
    arrays: {
      listed: { shape: [3], dtype: "int8", data: [-128, 0, 127] },
      empty: null,
      orphan: { shape: [1], dtype: "uint8", offset: 0, nbytes: 1 },     // no blob came with it
    },
  });
  assert.deepEqual([...frame.arrays.listed.data], [-128, 0, 127]);
  assert.ok(frame.arrays.listed.data instanceof Int8Array);
  assert.deepEqual(Object.keys(frame.arrays), ["listed"]);
});

test("decodeFrame and decodeArray refuse a dtype they do not know", () => {
  const raw = encode({}, { x: { dtype: "uint8", shape: [1], values: [1] } });
  raw.arrays.x.dtype = "complex64";
  assert.throws(() => decodeFrame(raw), /unknown dtype complex64/);
  assert.throws(() => decodeArray({ shape: [1], dtype: "bool", data: [1] }), /unknown dtype bool/);
});

test("decodeArray copies a view that is not aligned for its element size", () => {
  const bytes = new Uint8Array(9);
  new DataView(bytes.buffer).setFloat32(1, 1.5, true);
  new DataView(bytes.buffer).setFloat32(5, -2, true);
  const decoded = decodeArray({ shape: [2], dtype: "float32", data: new Uint8Array(bytes.buffer, 1, 8) });
  assert.deepEqual([...decoded.data], [1.5, -2]);
  assert.deepEqual(decoded.shape, [2]);
});

test("decodeBase64: a recorded frame's base64 array becomes its typed array", () => {
  const values = Float32Array.from([0.1, -7, 42]);
  const data_b64 = Buffer.from(values.buffer).toString("base64");
  const decoded = decodeBase64({ shape: [3], dtype: "float32", data_b64 });
  assert.ok(decoded.data instanceof Float32Array);
  assert.deepEqual([...decoded.data], [...values]);
  assert.deepEqual(decoded.shape, [3]);
  assert.ok(!("data_b64" in decoded));
});
