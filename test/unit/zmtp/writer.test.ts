/** The writer coalesces frames into few writes and keeps what a partial write left for the drain. */
import { describe, expect, test } from "bun:test";
import { FrameWriter } from "../../../src/zmtp/writer.ts";

describe("FrameWriter", () => {
  test("many small frames leave in one write", () => {
    const writes: Buffer[] = [];
    const w = new FrameWriter({ write: (d) => (writes.push(Buffer.from(d)), d.length) });
    for (let i = 0; i < 100; i++) w.frame(Buffer.from([i]), false);
    expect(w.flush()).toBe(true);
    expect(writes.length).toBe(1);
    expect(writes[0]!.length).toBe(300);
    expect(writes[0]!.subarray(0, 6)).toEqual(Buffer.from([0, 1, 0, 0, 1, 1]));
  });

  test("a partial write keeps the rest until drained, in order", () => {
    const got: Buffer[] = [];
    let budget = 5;
    const w = new FrameWriter({
      write: (d) => {
        const n = Math.min(budget, d.length);
        got.push(Buffer.from(d.subarray(0, n)));
        budget -= n;
        return n;
      },
    });
    w.frame(Buffer.from("hello world"), false);
    expect(w.flush()).toBe(false);
    expect(w.blocked).toBe(true);
    w.frame(Buffer.alloc(20000, 1), false); // large: queued by reference behind the rest
    expect(w.pendingBytes).toBe(13 - 5 + 3 + 20000 + 6);
    budget = 1 << 30;
    expect(w.drained()).toBe(true);
    const all = Buffer.concat(got);
    expect(all.subarray(0, 13).toString("latin1")).toBe("\x00\x0bhello world");
    expect(all.length).toBe(13 + 9 + 20000);
    expect(all[13]).toBe(2); // long-frame flag
  });

  test("a closed transport marks the writer dead", () => {
    const w = new FrameWriter({ write: () => -1 });
    w.frame(Buffer.from("x"), false);
    expect(w.flush()).toBe(false);
    expect(w.dead).toBe(true);
  });
});
