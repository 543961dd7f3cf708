import { describe, expect, test } from "bun:test";
import { SubmitBatch } from "../../../src/executor/submit-batch.ts";
import { MSG, decodeClientToInterchange, encode, framesOf } from "../../../src/protocol/index.ts";

describe("SubmitBatch (hand-written msgpack submit message)", () => {
  test("decodes, through the interchange's validator, to exactly the tasks added — every integer, string and bin width", () => {
    const b = new SubmitBatch(32); // tiny: forces growth
    const cases = [
      { id: 0, task_type: "RAW", payload: new Uint8Array(0) },
      { id: 127, task_type: "RAW", payload: new Uint8Array(255).fill(1) },
      { id: 128, task_type: "x".repeat(31), payload: new Uint8Array(256).fill(2), duration: 1.5 },
      { id: 65_535, task_type: "y".repeat(32), payload: new Uint8Array(65_536).fill(3), retries: 2 },
      { id: 4_294_967_295, task_type: "z".repeat(300), payload: encode({ kind: "fn" }), duration: 0, retries: 300 },
      { id: 2 ** 40 + 7, task_type: "dö-ckér/ïmage:1", payload: new Uint8Array(70_000).fill(4) },
    ];
    for (const c of cases) b.add(c.id, c.task_type, c.payload, c.duration, c.retries);
    expect(b.count).toBe(cases.length);
    const frames = framesOf(b.take()!);
    expect(b.count).toBe(0);
    expect(frames.length).toBe(3); // the map, then the 2 payloads of 16 KiB or more as attachment frames
    const msg = decodeClientToInterchange(frames);
    if (msg.type !== MSG.submit) throw new Error("not a submit");
    expect(msg.tasks.length).toBe(cases.length);
    msg.tasks.forEach((t, i) => {
      const c = cases[i]!;
      expect(t.id).toBe(c.id);
      expect(t.task_type).toBe(c.task_type);
      expect(Buffer.from(t.payload).equals(Buffer.from(c.payload))).toBe(true);
      expect(t.duration).toBe(c.duration);
      expect(t.retries).toBe(c.retries);
    });
  });

  test("an empty batch gives nothing; a batch after take() starts clean", () => {
    const b = new SubmitBatch();
    expect(b.take()).toBeNull();
    b.add(1, "RAW", Uint8Array.of(1));
    b.take();
    b.add(2, "RAW", Uint8Array.of(2));
    const msg = decodeClientToInterchange(b.take()!);
    expect(msg.type === MSG.submit && msg.tasks.map((t) => t.id)).toEqual([2]);
  });
});
