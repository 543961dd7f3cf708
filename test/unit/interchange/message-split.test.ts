/** Messages the interchange sends stay within what receivers accept: bounded in items and in payload bytes. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MAX_BYTES_PER_MESSAGE, splitForMessages } from "../../../src/interchange/message-split.ts";
import { MSG } from "../../../src/protocol/index.ts";
import { reg, setupCore } from "../../helpers/interchange-core.ts";

describe("splitForMessages", () => {
  test("runs keep order, respect both bounds, and an oversize item goes alone", () => {
    const size = (n: number) => n;
    expect(splitForMessages([1, 2, 3, 4, 5], size, 2, 100)).toEqual([[1, 2], [3, 4], [5]]);
    expect(splitForMessages([60, 30, 20, 200, 5], size, 10, 100)).toEqual([[60, 30], [20], [200], [5]]);
    expect(splitForMessages([], size)).toEqual([]);
    fc.assert(fc.property(fc.array(fc.nat({ max: 300 }), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (xs, maxItems) => {
      const runs = splitForMessages(xs, size, maxItems, 100);
      expect(runs.flat()).toEqual(xs);
      for (const r of runs) {
        expect(r.length).toBeGreaterThan(0);
        expect(r.length).toBeLessThanOrEqual(maxItems);
        if (r.length > 1) expect(r.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100);
      }
    }), { numRuns: 300 });
  });

  test("the core cuts one manager's dispatch and one client's results by bytes", () => {
    const { out, core } = setupCore({ maxPayloadBytes: 8 * 1024 * 1024 });
    core.onManagerMessage("m", reg("m"), 0);
    core.onManagerMessage("m", { type: MSG.request, capacity: 10 }, 0);
    const payload = new Uint8Array(5 * 1024 * 1024); // 10 × 5 MiB = 50 MiB for one manager in one turn
    core.onSubmit(new TextEncoder().encode("C"), { type: MSG.submit, tasks: Array.from({ length: 10 }, (_, i) => ({ id: i + 1, task_type: "RAW", payload })) });
    core.flush(0);
    const batches = out.batchesFor("m");
    expect(batches.flatMap((b) => b.tasks).length).toBe(10);
    expect(batches.length).toBe(4); // 3 + 3 + 3 + 1 tasks of 5 MiB under 16 MiB each
    for (const b of batches) expect(b.tasks.reduce((a, t) => a + t.payload.byteLength, 0)).toBeLessThanOrEqual(MAX_BYTES_PER_MESSAGE);
    core.onResults("m", { type: MSG.results, results: batches.flatMap((b) => b.tasks).map((t) => ({ id: t.id, value: payload })) }, 0);
    core.flush(0);
    const results = out.client.filter((c) => c.msg.type === MSG.results);
    expect(results.length).toBe(4);
    expect(out.resultsFor("C").map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });
});
