/**
 * A fast path for the worker's reply, `{type: "results", results: [{id, value}…]}`, written as msgpack by hand
 * when every result is a value (the common case); a batch holding an error goes through the protocol encoder.
 * A value of ATTACH_MIN_BYTES or more goes as an attachment frame (by reference, no copy).
 * The bytes are ordinary msgpack, decoded by the manager with decodeWorkerToManager (a unit test keeps them equal).
 */
import { encodeMessage } from "../protocol/codec.ts";
import { MSG, type EncodedMessage, type WireResult } from "../protocol/messages.ts";
import { bodySize, str, writeArrayHeader, writeBody, writeBytes, writeUint } from "../protocol/msgpack-write.ts";

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
    size += ENTRY_FIXED + 9 + bodySize(r.value.byteLength);
  }
  const b = Buffer.allocUnsafe(size);
  const att: Uint8Array[] = [];
  let o = writeBytes(b, 0, HEAD);
  o = writeArrayHeader(b, o, results.length);
  for (const r of results) {
    b[o++] = 0x82;
    o = writeBytes(b, o, K_ID);
    o = writeUint(b, o, r.id);
    o = writeBytes(b, o, K_VALUE);
    o = writeBody(b, o, r.value!, att);
  }
  const head = b.subarray(0, o);
  return att.length === 0 ? head : [head, ...att];
}
