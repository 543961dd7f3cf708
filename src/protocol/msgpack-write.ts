/**
 * Hand-written msgpack writing for the hot encoders (the manager's `tasks`, the worker's `results`, the
 * executor's `submit`): each writer puts one item's header (and value) at offset `o` of a buffer the caller sized,
 * and returns the offset after it. Pure byte writing, no allocation except in `str` (and `writeBody`'s push onto
 * the caller's attachment list). The bytes are ordinary msgpack, read back by the protocol codec.
 */
import { ATTACH_MIN_BYTES } from "./messages.ts";

const te = new TextEncoder();

/** A string item (header + UTF-8 bytes), for fixed map keys and cached strings. */
export function str(s: string): Uint8Array {
  const body = te.encode(s);
  const n = body.length;
  const head = n < 32 ? [0xa0 | n] : n < 256 ? [0xd9, n] : n < 65536 ? [0xda, n >> 8, n & 0xff] : [0xdb, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const b = new Uint8Array(head.length + n);
  b.set(head, 0);
  b.set(body, head.length);
  return b;
}

/** Bytes `writeUint` takes for `v`. */
export function uintSize(v: number): number {
  return v < 128 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v < 4294967296 ? 5 : 9;
}

/** Bytes `writeBinHeader` takes for a payload of `n` bytes. */
export function binHeaderSize(n: number): number {
  return n < 256 ? 2 : n < 65536 ? 3 : 5;
}

/** A non-negative safe integer, in its smallest form. */
export function writeUint(b: Buffer, o: number, v: number): number {
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

/** An array header for `n` items (fixarray, array16 or array32); at most 5 bytes. */
export function writeArrayHeader(b: Buffer, o: number, n: number): number {
  if (n < 16) {
    b[o++] = 0x90 | n;
    return o;
  }
  if (n < 65536) {
    b[o++] = 0xdc;
    return b.writeUInt16BE(n, o);
  }
  b[o++] = 0xdd;
  return b.writeUInt32BE(n, o);
}

/** A bin header for `n` bytes (bin8, bin16 or bin32); see binHeaderSize. */
export function writeBinHeader(b: Buffer, o: number, n: number): number {
  if (n < 256) {
    b[o++] = 0xc4;
    b[o++] = n;
    return o;
  }
  if (n < 65536) {
    b[o++] = 0xc5;
    return b.writeUInt16BE(n, o);
  }
  b[o++] = 0xc6;
  return b.writeUInt32BE(n, o);
}

/** A float 64 (9 bytes). */
export function writeFloat64(b: Buffer, o: number, v: number): number {
  b[o++] = 0xcb;
  return b.writeDoubleBE(v, o);
}

/** Copies pre-encoded bytes (a key, a cached string, a payload). */
export function writeBytes(b: Buffer, o: number, bytes: Uint8Array): number {
  b.set(bytes, o);
  return o + bytes.length;
}

/** Bytes `writeBody` takes in the map for a payload / value of `n` bytes (at most 5 for an attachment index). */
export function bodySize(n: number): number {
  return n >= ATTACH_MIN_BYTES ? 5 : binHeaderSize(n) + n;
}

/**
 * A task payload / result value: a `bin` for fewer than ATTACH_MIN_BYTES bytes, else the index of a new
 * attachment frame — the bytes themselves are appended to `att`, by reference (docs/protocol.md §1).
 */
export function writeBody(b: Buffer, o: number, bytes: Uint8Array, att: Uint8Array[]): number {
  if (bytes.byteLength >= ATTACH_MIN_BYTES) {
    o = writeUint(b, o, att.length);
    att.push(bytes);
    return o;
  }
  o = writeBinHeader(b, o, bytes.byteLength);
  return writeBytes(b, o, bytes);
}
