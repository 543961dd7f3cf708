/**
 * A fast path for the worker's reply, `{type: "results", results: [{id, value}…]}`, written as msgpack by hand
 * when every result is a value (the common case); a batch holding an error goes through the protocol encoder.
 * The bytes are ordinary msgpack, decoded by the manager with decodeWorkerToManager (a unit test keeps them equal).
 */
import { encode } from "../protocol/codec.ts";
import { MSG, type WireResult } from "../protocol/messages.ts";

const te = new TextEncoder();
const HEAD = Uint8Array.from([0x82, 0xa4, ...te.encode("type"), 0xa7, ...te.encode("results"), 0xa7, ...te.encode("results")]);
const K_ID = Uint8Array.from([0xa2, ...te.encode("id")]);
const K_VALUE = Uint8Array.from([0xa5, ...te.encode("value")]);
const ENTRY_FIXED = 1 + K_ID.length + K_VALUE.length;

export function encodeResults(results: readonly WireResult[]): Buffer {
  let size = HEAD.length + 5;
  for (const r of results) {
    if (r.value === undefined || r.error !== undefined || r.host !== undefined || r.worker_id !== undefined || r.t_start !== undefined || r.t_end !== undefined) {
      return encode({ type: MSG.results, results });
    }
    const p = r.value.byteLength;
    size += ENTRY_FIXED + 9 + (p < 256 ? 2 : p < 65536 ? 3 : 5) + p;
  }
  const b = Buffer.allocUnsafe(size);
  b.set(HEAD, 0);
  let o = HEAD.length;
  const n = results.length;
  if (n < 16) b[o++] = 0x90 | n;
  else if (n < 65536) {
    b[o++] = 0xdc;
    o = b.writeUInt16BE(n, o);
  } else {
    b[o++] = 0xdd;
    o = b.writeUInt32BE(n, o);
  }
  for (const r of results) {
    b[o++] = 0x82;
    b.set(K_ID, o);
    o += K_ID.length;
    const id = r.id;
    if (id < 128) b[o++] = id;
    else if (id < 4294967296) {
      b[o++] = 0xce;
      o = b.writeUInt32BE(id, o);
    } else {
      b[o++] = 0xcf;
      o = b.writeBigUInt64BE(BigInt(id), o);
    }
    b.set(K_VALUE, o);
    o += K_VALUE.length;
    const v = r.value!;
    const p = v.byteLength;
    if (p < 256) {
      b[o++] = 0xc4;
      b[o++] = p;
    } else if (p < 65536) {
      b[o++] = 0xc5;
      o = b.writeUInt16BE(p, o);
    } else {
      b[o++] = 0xc6;
      o = b.writeUInt32BE(p, o);
    }
    b.set(v, o);
    o += p;
  }
  return b.subarray(0, o);
}
