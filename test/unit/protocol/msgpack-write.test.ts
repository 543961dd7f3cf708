/** The hand-written msgpack writers produce what the protocol codec reads back, at every size class boundary. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeValue, encode } from "../../../src/protocol/codec.ts";
import { binHeaderSize, str, uintSize, writeArrayHeader, writeBinHeader, writeBytes, writeFloat64, writeUint } from "../../../src/protocol/msgpack-write.ts";

function written(max: number, f: (b: Buffer, o: number) => number): Buffer {
  const b = Buffer.alloc(max);
  return b.subarray(0, f(b, 0));
}

describe("msgpack writers", () => {
  test("uints: smallest form, uintSize matches, value read back", () => {
    for (const v of [0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const b = written(9, (b, o) => writeUint(b, o, v));
      expect(b.length).toBe(uintSize(v));
      expect(decodeValue(b)).toBe(v);
      if (v < 2 ** 32) expect(b.equals(encode(v))).toBe(true); // the codec writes larger ints as float64
    }
  });

  test("strings, bins and arrays at every header size", () => {
    for (const n of [0, 31, 32, 255, 256, 65535, 65536]) {
      const s = "é".repeat(n >> 1) + "x".repeat(n & 1);
      expect(decodeValue(str(s))).toBe(s);
      const payload = new Uint8Array(n).fill(n & 0xff);
      const bin = written(5 + n, (b, o) => writeBytes(b, writeBinHeader(b, o, n), payload));
      expect(bin.length).toBe(binHeaderSize(n) + n);
      expect(Buffer.from(decodeValue(bin) as Uint8Array).equals(Buffer.from(payload))).toBe(true);
    }
    for (const n of [0, 15, 16, 65535, 65536]) {
      const b = Buffer.alloc(5 + n);
      const o = writeArrayHeader(b, 0, n);
      b.fill(0xc0, o, o + n); // n nils
      expect(decodeValue(b.subarray(0, o + n))).toEqual(new Array(n).fill(null));
    }
  });

  test("property: float64 round-trips", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (v) => {
        const b = written(9, (b, o) => writeFloat64(b, o, v));
        expect(b.length).toBe(9);
        expect(Object.is(decodeValue(b), v)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
