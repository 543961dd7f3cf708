/** ResultBatch: size bound flushes at once, time bound flushes what is held, one send per batch. */
import { describe, expect, test } from "bun:test";
import type { WireResult } from "../../../src/protocol/messages.ts";
import { ResultBatch } from "../../../src/manager/result-batch.ts";

const r = (id: number): WireResult => ({ id, value: new Uint8Array([0xc0]) });

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(2);
  }
}

describe("ResultBatch", () => {
  test("size bound: a full batch is sent immediately", () => {
    const sent: number[][] = [];
    const b = new ResultBatch({ maxSize: 3, periodMs: 10_000, send: (rs) => sent.push(rs.map((x) => x.id)) });
    b.addAll([r(1), r(2), r(3), r(4)]);
    expect(sent).toEqual([[1, 2, 3]]);
    expect(b.size).toBe(1);
    b.close();
    expect(sent).toEqual([[1, 2, 3], [4]]);
  });

  test("time bound: a partial batch goes out after the period", async () => {
    const sent: number[][] = [];
    const b = new ResultBatch({ maxSize: 100, periodMs: 5, send: (rs) => sent.push(rs.map((x) => x.id)) });
    b.add(r(1));
    b.add(r(2));
    await until(() => sent.length === 1);
    expect(sent).toEqual([[1, 2]]);
  });

  test("period 0: flushed at the end of the event-loop turn", async () => {
    const sent: number[][] = [];
    const b = new ResultBatch({ maxSize: 100, periodMs: 0, send: (rs) => sent.push(rs.map((x) => x.id)) });
    b.add(r(1));
    b.add(r(2));
    expect(sent).toEqual([]);
    await until(() => sent.length === 1);
    expect(sent).toEqual([[1, 2]]);
    expect(b.sentResults).toBe(2);
  });
});
