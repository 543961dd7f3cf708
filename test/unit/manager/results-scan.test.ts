/** The manager's fast id scan of worker results: exact on the fast layout, null (→ validating decode) on anything else. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { encode } from "../../../src/protocol/codec.ts";
import type { WireResult } from "../../../src/protocol/messages.ts";
import { MSG } from "../../../src/protocol/messages.ts";
import { scanValueResults } from "../../../src/manager/results-scan.ts";
import { encodeResults as encodeAny } from "../../../src/worker/results-encoder.ts";

/** Small values only: one frame. */
const encodeResults = (rs: readonly WireResult[]): Uint8Array => {
  const m = encodeAny(rs);
  if (!(m instanceof Uint8Array)) throw new Error("expected one frame");
  return m;
};

describe("scanValueResults", () => {
  test("reads the ids of the worker's value-only layout", () => {
    const rs = [0, 127, 200, 70000, 2 ** 32 + 5].map((id, i) => ({ id, value: new Uint8Array(i * 100) }));
    expect(scanValueResults(encodeResults(rs))).toEqual([0, 127, 200, 70000, 2 ** 32 + 5]);
    expect(scanValueResults(encodeResults(Array.from({ length: 70000 }, (_, i) => ({ id: i, value: new Uint8Array([0xc0]) })))) ?.length).toBe(70000);
  });

  test("anything else is null: errors, other key orders, truncation, trailing bytes, hello", () => {
    expect(scanValueResults(encodeResults([{ id: 1, error: { name: "E", message: "m" } }]))).toBeNull();
    expect(scanValueResults(encode({ results: [{ id: 1, value: new Uint8Array(1) }], type: MSG.results }))).toBeNull();
    expect(scanValueResults(encode({ type: MSG.results, results: [{ value: new Uint8Array(1), id: 1 }] }))).toBeNull();
    const ok = encodeResults([{ id: 1, value: new Uint8Array(10) }, { id: 2, value: new Uint8Array(10) }]);
    for (let cut = 0; cut < ok.length; cut++) expect(scanValueResults(ok.subarray(0, cut))).toBeNull();
    expect(scanValueResults(Buffer.concat([ok, Buffer.from([0])]))).toBeNull();
    expect(scanValueResults(encode({ type: MSG.workerHello, worker_id: "w", worker_type: "RAW", pid: 1, single_use: false }))).toBeNull();
  });

  test("attachment indexes: in order and exactly as many as the frames that came", () => {
    const rs = [{ id: 1, value: new Uint8Array(20_000) }, { id: 2, value: new Uint8Array(3) }, { id: 3, value: new Uint8Array(40_000) }];
    const m = encodeAny(rs);
    if (m instanceof Uint8Array) throw new Error("expected attachments");
    expect(m.length).toBe(3);
    expect(scanValueResults(m[0]!, 2)).toEqual([1, 2, 3]);
    expect(scanValueResults(m[0]!, 1)).toBeNull(); // references attachment 1 of 1
    expect(scanValueResults(m[0]!, 3)).toBeNull(); // one frame unreferenced
    expect(scanValueResults(m[0]!, 0)).toBeNull();
    const swapped = encode({ type: MSG.results, results: [{ id: 1, value: 1 }, { id: 3, value: 0 }] });
    expect(scanValueResults(swapped, 2)).toBeNull(); // out of order
  });

  test("property: random bytes never throw; encoder output always scans to its ids", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      const r = scanValueResults(b);
      expect(r === null || Array.isArray(r)).toBe(true);
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.array(fc.record({ id: fc.nat(), value: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 30 }), (rs) => {
      expect(scanValueResults(encodeResults(rs))).toEqual(rs.map((r) => r.id));
    }), { numRuns: 200 });
  });
});
