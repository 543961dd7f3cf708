/**
 * The msgpack payload of a function task, built without re-encoding the constant part: the map header, `kind`,
 * `source` and `hash` (with their keys) and the `args` key are encoded once per function and kept; each task then
 * encodes only its args and appends them (a call with no args gets the whole payload, cached too). The bytes decode
 * to exactly `fnBody(fn, args)` (same keys in the same order; a fixmap header where msgpackr writes map16), so
 * `decodeTaskBody` on the worker sees no difference.
 *
 * Big args (a top-level binary or string argument of BIG_ARG_BYTES or more) are encoded with the body in one pass
 * instead: appending them to the prefix would copy their bytes a second time.
 *
 * Bounded: prefixes are kept in a WeakMap by function object (an entry goes when its closure does), and a small
 * map by source text catches fresh closures of the same code (`() => …` created per call), cleared when full.
 */
import { encode } from "../protocol/index.ts";
import { str } from "../protocol/msgpack-write.ts";
import { fnBody } from "./bodies.ts";

const BY_SOURCE_MAX = 256;
/** A function's cached encodings: the prefix, and the whole payload for no args (the common no-op case). */
interface Encoded {
  readonly prefix: Uint8Array;
  readonly noArgs: Uint8Array;
  readonly source: string;
  readonly hash: string;
}
const BIG_ARG_BYTES = 4096;
const byFn = new WeakMap<object, Encoded>();
const bySource = new Map<string, Encoded>();

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** fixmap(4) {kind: "fn", source: …, hash: …, args: <an array appended per task>}. */
function encodedOf(source: string, hash: string): Encoded {
  const prefix = concat([Uint8Array.of(0x84), str("kind"), str("fn"), str("source"), str(source), str("hash"), str(hash), str("args")]);
  return { prefix, noArgs: concat([prefix, Uint8Array.of(0x90)]), source, hash };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function encodedFor(fn: (...args: any[]) => unknown): Encoded {
  let enc = byFn.get(fn);
  if (enc !== undefined) return enc;
  const body = fnBody(fn, []); // validates (not a function, native code) and hashes; throws ExecutorError
  enc = bySource.get(body.source);
  if (enc === undefined) {
    enc = encodedOf(body.source, body.hash);
    if (bySource.size >= BY_SOURCE_MAX) bySource.clear();
    bySource.set(body.source, enc);
  }
  byFn.set(fn, enc);
  return enc;
}

/**
 * The encoded task body for `fn(...args)`; throws what `fnBody` or the encoder throws. With no args the result is
 * a cached buffer shared by every call: read it (the submit batch copies it), never write to it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fnPayload(fn: (...args: any[]) => unknown, args: readonly unknown[]): Uint8Array {
  const enc = encodedFor(fn);
  if (args.length === 0) return enc.noArgs;
  if (hasBigArg(args)) return encode({ kind: "fn", source: enc.source, hash: enc.hash, args });
  const prefix = enc.prefix;
  const tail = encode(args);
  const out = Buffer.allocUnsafe(prefix.length + tail.length);
  out.set(prefix, 0);
  out.set(tail, prefix.length);
  return out;
}

function hasBigArg(args: readonly unknown[]): boolean {
  for (const a of args) {
    if (typeof a === "string" ? a.length >= BIG_ARG_BYTES : ArrayBuffer.isView(a) && a.byteLength >= BIG_ARG_BYTES) return true;
  }
  return false;
}
