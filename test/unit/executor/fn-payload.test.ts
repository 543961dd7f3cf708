import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { fnBody } from "../../../src/executor/bodies.ts";
import { fnPayload } from "../../../src/executor/fn-payload.ts";
import { decodeTaskBody, encode } from "../../../src/protocol/index.ts";

// Sources of every string-header width: fixstr is impossible for a function, so str8, str16 and str32 (> 65535 bytes).
const FNS: ((...a: never[]) => unknown)[] = [
  () => undefined,
  (x: number) => x + 1,
  function named(s: string) {
    return `grüße ✓ ${s}`; // non-ASCII source: byte length ≠ string length
  },
  new Function("a", `/* ${"x".repeat(300)} */ return a;`) as (...a: never[]) => unknown,
  new Function("a", `/* ${"y".repeat(70_000)} */ return a;`) as (...a: never[]) => unknown,
];

const leaf = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.maxSafeInteger(),
  fc.maxSafeNat().map((n) => -n),
  fc.double(),
  fc.constantFrom(2 ** 53, -(2 ** 60), 2 ** 64, 0.5, -0, 255, 256, 65_535, 65_536, 4_294_967_295, 4_294_967_296),
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ minLength: 250, maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.constant(null),
  fc.boolean(),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("arr"), tie("map")),
  arr: fc.array(tie("v"), { maxLength: 20 }),
  map: fc.dictionary(fc.string({ maxLength: 12 }), tie("v"), { maxKeys: 20 }),
})).v;

describe("fnPayload (function task body with a cached pre-encoded prefix)", () => {
  test("decodes through decodeTaskBody to exactly the body the generic encoder gives, for arbitrary args", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FNS.length - 1 }), fc.array(value, { maxLength: 20 }), (i, args) => {
        const fn = FNS[i]!;
        const fast = fnPayload(fn, args);
        const generic = encode(fnBody(fn, args));
        expect(decodeTaskBody(fast)).toEqual(decodeTaskBody(generic));
        // not byte-identical (msgpackr writes map16 and may pick a wider string header), but the same keys in order
        expect(Object.keys(decodeTaskBody(fast))).toEqual(["kind", "source", "hash", "args"]);
        // and a second call (the prefix now from the cache) still matches
        expect(decodeTaskBody(fnPayload(fn, args))).toEqual(decodeTaskBody(generic));
      }),
      { numRuns: 300 },
    );
  });

  test("fresh closures with the same code share a prefix; distinct sources each get their own", () => {
    const make = (k: number) => (x: number) => x * k;
    const a = decodeTaskBody(fnPayload(make(1), [1]));
    const b = decodeTaskBody(fnPayload(make(2), [2]));
    expect(a).toEqual({ kind: "fn", source: make(3).toString(), hash: fnBody(make(3), []).hash, args: [1] });
    expect(b).toEqual({ kind: "fn", source: make(3).toString(), hash: fnBody(make(3), []).hash, args: [2] });
    for (let i = 0; i < 600; i++) {
      const f = new Function("x", `return x + ${i};`) as (x: number) => number;
      expect(decodeTaskBody(fnPayload(f, [i]))).toEqual(decodeTaskBody(encode(fnBody(f, [i]))));
    }
  });

  test("big binary or string args (one-pass encoding) decode to the same body as small ones", () => {
    const f = (b: Uint8Array, s: string, n: number) => b.length + s.length + n;
    for (const size of [4095, 4096, 100 * 1024]) {
      const args = [new Uint8Array(size).fill(9), "s".repeat(size), 3];
      const got = decodeTaskBody(fnPayload(f, args));
      expect(got).toEqual(decodeTaskBody(encode(fnBody(f, args))));
      expect(Object.keys(got)).toEqual(["kind", "source", "hash", "args"]);
    }
  });

  test("refuses what fnBody refuses, and nothing is cached for it", () => {
    expect(() => fnPayload(Math.max, [])).toThrow("native");
    expect(() => fnPayload(Math.max, [])).toThrow("native");
    expect(() => fnPayload(42 as never, [])).toThrow("needs a function");
  });

  test("odd args (a function, a huge BigInt, a symbol) behave as on the generic path, and the cache stays usable", () => {
    const f = (x: unknown) => x;
    const outcome = (make: () => Uint8Array) => {
      try {
        return { value: decodeTaskBody(make()) };
      } catch {
        return "threw";
      }
    };
    for (const odd of [() => 1, 2n ** 70n, Symbol("s")]) {
      expect(outcome(() => fnPayload(f, [odd]))).toEqual(outcome(() => encode(fnBody(f, [odd]))));
    }
    expect(decodeTaskBody(fnPayload(f, [1]))).toEqual(decodeTaskBody(encode(fnBody(f, [1]))));
  });
});
