/**
 * A fast path for the one message the manager sends per hand-off: `{type: "tasks", tasks: [WireTask…]}` written
 * as msgpack by hand (fixed keys, payload bytes copied once) instead of through the generic encoder. The bytes are
 * ordinary msgpack: the worker decodes them with the protocol codec (decodeManagerToWorker); a unit test holds
 * the two to the same meaning.
 */
import type { WireTask } from "../protocol/messages.ts";

const te = new TextEncoder();
const HEAD = Uint8Array.from([0x82, 0xa4, ...te.encode("type"), 0xa5, ...te.encode("tasks"), 0xa5, ...te.encode("tasks")]);
const K_ID = Uint8Array.from([0xa2, ...te.encode("id")]);
const K_TYPE = Uint8Array.from([0xa9, ...te.encode("task_type")]);
const K_PAYLOAD = Uint8Array.from([0xa7, ...te.encode("payload")]);
const K_DURATION = Uint8Array.from([0xa8, ...te.encode("duration")]);

const typeCache = new Map<string, Uint8Array>();

function strBytes(s: string): Uint8Array {
  let b = typeCache.get(s);
  if (b !== undefined) return b;
  const body = te.encode(s);
  const n = body.length;
  const head = n < 32 ? [0xa0 | n] : n < 256 ? [0xd9, n] : n < 65536 ? [0xda, n >> 8, n & 0xff] : [0xdb, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  b = new Uint8Array(head.length + n);
  b.set(head, 0);
  b.set(body, head.length);
  if (typeCache.size < 1024) typeCache.set(s, b);
  return b;
}

function uintSize(v: number): number {
  return v < 128 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v < 4294967296 ? 5 : 9;
}

export function encodeTasks(tasks: readonly WireTask[]): Buffer {
  let size = HEAD.length + 5;
  for (const t of tasks) {
    const p = t.payload.byteLength;
    size += 1 + K_ID.length + uintSize(t.id) + K_TYPE.length + strBytes(t.task_type).length + K_PAYLOAD.length + (p < 256 ? 2 : p < 65536 ? 3 : 5) + p;
    if (t.duration !== undefined) size += K_DURATION.length + 9;
  }
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  b.set(HEAD, o);
  o += HEAD.length;
  const n = tasks.length;
  if (n < 16) b[o++] = 0x90 | n;
  else if (n < 65536) {
    b[o++] = 0xdc;
    o = b.writeUInt16BE(n, o);
  } else {
    b[o++] = 0xdd;
    o = b.writeUInt32BE(n, o);
  }
  for (const t of tasks) {
    b[o++] = t.duration !== undefined ? 0x84 : 0x83;
    b.set(K_ID, o);
    o += K_ID.length;
    o = writeUint(b, o, t.id);
    b.set(K_TYPE, o);
    o += K_TYPE.length;
    const ty = strBytes(t.task_type);
    b.set(ty, o);
    o += ty.length;
    b.set(K_PAYLOAD, o);
    o += K_PAYLOAD.length;
    const p = t.payload.byteLength;
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
    b.set(t.payload, o);
    o += p;
    if (t.duration !== undefined) {
      b.set(K_DURATION, o);
      o += K_DURATION.length;
      b[o++] = 0xcb;
      o = b.writeDoubleBE(t.duration, o);
    }
  }
  return o === size ? b : b.subarray(0, o);
}

function writeUint(b: Buffer, o: number, v: number): number {
  if (v < 128) {
    b[o++] = v;
    return o;
  }
  if (v < 256) {
    b[o++] = 0xcc;
    b[o++] = v;
    return o;
  }
  if (v < 65536) {
    b[o++] = 0xcd;
    return b.writeUInt16BE(v, o);
  }
  if (v < 4294967296) {
    b[o++] = 0xce;
    return b.writeUInt32BE(v, o);
  }
  b[o++] = 0xcf;
  return b.writeBigUInt64BE(BigInt(v), o);
}
