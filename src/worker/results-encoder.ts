/**
 * A fast path for the worker's reply, `{type: "results", results: [{id, value}…]}`, written as msgpack by hand
 * when every result is a value (the common case); a batch holding an error goes through the protocol encoder.
 * A value of ATTACH_MIN_BYTES or more goes as an attachment frame (by reference, no copy).
 * The bytes are ordinary msgpack, decoded by the manager with decodeWorkerToManager (a unit test keeps them equal).
 */
import { encodeMessage } from "../protocol/codec.ts";
import { ATTACH_MIN_BYTES, MSG, type EncodedMessage, type WireResult } from "../protocol/messages.ts";
import { binHeaderSize, str, writeArrayHeader, writeBinHeader, writeBytes, writeUint } from "../protocol/msgpack-write.ts";

const HEAD = Uint8Array.of(0x82, ...str("type"), ...str("results"), ...str("results"));
const K_ID = str("id");
const K_VALUE = str("value");
const ENTRY_FIXED = 1 + K_ID.length + K_VALUE.length;

export function encodeResults(results: readonly WireResult[]): EncodedMessage {
  let size = HEAD.length + 5;
  for (const r of results) {
    if (r.value === undefined || r.error !== undefined || r.host !== undefined || r.worker_id !== undefined || r.t_start !== undefined || r.t_end !== undefined) {
      return encodeMessage({ type: MSG.results, results });
    }
    const p = r.value.byteLength;
    size += ENTRY_FIXED + 9 + (p >= ATTACH_MIN_BYTES ? 5 : binHeaderSize(p) + p);
  }
  const b = Buffer.allocUnsafe(size);
  let att: Uint8Array[] | null = null;
  let o = writeBytes(b, 0, HEAD);
  o = writeArrayHeader(b, o, results.length);
  for (const r of results) {
    b[o++] = 0x82;
    o = writeBytes(b, o, K_ID);
    o = writeUint(b, o, r.id);
    o = writeBytes(b, o, K_VALUE);
    const v = r.value!;
    if (v.byteLength >= ATTACH_MIN_BYTES) {
      att ??= [];
      o = writeUint(b, o, att.length);
      att.push(v);
    } else {
      o = writeBinHeader(b, o, v.byteLength);
      o = writeBytes(b, o, v);
    }
  }
  const head = b.subarray(0, o);
  return att === null ? head : [head, ...att];
}
