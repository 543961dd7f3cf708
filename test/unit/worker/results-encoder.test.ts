/** The hand-written `results` encoder means exactly what the protocol codec decodes; errors take the generic path. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeWorkerToManager } from "../../../src/protocol/codec.ts";
import type { WireResult } from "../../../src/protocol/messages.ts";
import { encodeResults } from "../../../src/worker/results-encoder.ts";

function decoded(results: WireResult[]): WireResult[] {
  const m = decodeWorkerToManager(encodeResults(results));
  expect(m.type).toBe("results");
  return m.type === "results" ? [...m.results] : [];
}

describe("encodeResults", () => {
  test("values at every size class and id class round-trip", () => {
    const ids = [0, 127, 128, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
    const sizes = [0, 1, 255, 256, 65535, 65536];
    const rs: WireResult[] = [];
    for (const id of ids) for (const s of sizes) rs.push({ id, value: new Uint8Array(s).fill(id & 0xff) });
    const back = decoded(rs);
    expect(back.length).toBe(rs.length);
    back.forEach((r, i) => {
      expect(r.id).toBe(rs[i]!.id);
      expect(Buffer.from(r.value!).equals(Buffer.from(rs[i]!.value!))).toBe(true);
    });
    for (const n of [0, 15, 16, 70000]) expect(decoded(Array.from({ length: n }, (_, i) => ({ id: i, value: new Uint8Array([0xc0]) }))).length).toBe(n);
  });

  test("a batch with an error is encoded faithfully (generic path)", () => {
    const back = decoded([{ id: 1, value: new Uint8Array([1]) }, { id: 2, error: { name: "TypeError", message: "m", stack: "s", host: "h", worker_id: "w" } }]);
    expect(back[1]).toEqual({ id: 2, error: { name: "TypeError", message: "m", stack: "s", host: "h", worker_id: "w" } });
  });

  test("property: any value results round-trip", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.nat(), value: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 40 }), (rs) => {
        const back = decoded(rs);
        expect(back.map((r) => [r.id, Buffer.from(r.value!).toString("hex")])).toEqual(rs.map((r) => [r.id, Buffer.from(r.value).toString("hex")]));
      }),
      { numRuns: 200 },
    );
  });
});
