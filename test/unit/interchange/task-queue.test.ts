import { describe, expect, test } from "bun:test";
import { SlotRing, TaskQueues } from "../../../src/interchange/task-queue.ts";
import { SlotState, TaskStore } from "../../../src/interchange/task-store.ts";

describe("SlotRing", () => {
  test("is FIFO across growth and wrap-around, and pushFront goes first", () => {
    const r = new SlotRing(16);
    for (let i = 0; i < 10; i++) r.push(i);
    for (let i = 0; i < 5; i++) expect(r.shift()).toBe(i);
    for (let i = 10; i < 100; i++) r.push(i); // wraps, then grows
    r.pushFront(-7);
    expect(r.length).toBe(96);
    expect(r.shift()).toBe(-7);
    for (let i = 5; i < 100; i++) expect(r.shift()).toBe(i);
    expect(r.shift()).toBe(-1);
  });
});

describe("TaskQueues", () => {
  test("take skips dead slots, and counts only live ones", () => {
    const q = new TaskQueues();
    const t = q.types.indexOf("RAW");
    for (let i = 0; i < 5; i++) q.push(t, i);
    q.forget(t); // slot 2 cancelled in place
    expect(q.count(t)).toBe(4);
    const out: number[] = [];
    const dead: number[] = [];
    q.take(t, 10, (s) => s !== 2, (s) => dead.push(s), out);
    expect(out).toEqual([0, 1, 3, 4]);
    expect(dead).toEqual([2]);
    expect(q.size).toBe(0);
    expect(q.counts().size).toBe(0);
  });
});

describe("TaskStore", () => {
  test("recycles released slots and keeps fields per slot through growth", () => {
    const s = new TaskStore(16);
    const slots: number[] = [];
    for (let i = 0; i < 100; i++) slots.push(s.add({ client: i % 3, clientTaskId: i * 10, typeIdx: 0, payload: new Uint8Array([i]), duration: NaN, retries: 1 }));
    expect(s.size).toBe(100);
    expect(s.clientTaskId[slots[77]!]).toBe(770);
    expect([...s.payloadOf(slots[77]!)]).toEqual([77]);
    s.release(slots[5]!);
    s.release(slots[5]!); // idempotent
    expect(s.size).toBe(99);
    const again = s.add({ client: 9, clientTaskId: 1, typeIdx: 0, payload: new Uint8Array(), duration: 2, retries: 0 });
    expect(again).toBe(slots[5]!);
    expect(s.state[again]).toBe(SlotState.queued);
  });

  test("payload bytes are copied into chunks that are freed when their last task is released", () => {
    const s = new TaskStore(16);
    const big = new Uint8Array(600_000).fill(7); // over a quarter chunk: its own chunk
    const small = Array.from({ length: 3000 }, (_, i) => s.add({ client: 0, clientTaskId: i, typeIdx: 0, payload: new Uint8Array(1000).fill(i % 251), duration: NaN, retries: 0 }));
    const b = s.add({ client: 0, clientTaskId: -1, typeIdx: 0, payload: big, duration: NaN, retries: 0 });
    expect(s.payloadOf(small[2999]!)[999]).toBe(2999 % 251);
    expect(s.payloadOf(b).length).toBe(600_000);
    const held = s.payloadBytes;
    expect(held).toBeGreaterThanOrEqual(3_000_000 + 600_000);
    s.release(b);
    for (const slot of small.slice(0, 2000)) s.release(slot);
    expect(s.payloadBytes).toBeLessThan(held - 600_000); // the big chunk and the first full chunk are gone
    expect(s.payloadOf(small[2500]!)[0]).toBe(2500 % 251); // the rest is intact
  });

  test("a million queued no-op tasks fit (struct of arrays, no object per task)", () => {
    const s = new TaskStore(1024);
    const q = new TaskQueues();
    const t = q.types.indexOf("RAW");
    const payload = new Uint8Array(8);
    for (let i = 0; i < 1_000_000; i++) q.push(t, s.add({ client: 0, clientTaskId: i, typeIdx: t, payload, duration: NaN, retries: 0 }));
    expect(q.count(t)).toBe(1_000_000);
    const out: number[] = [];
    q.take(t, 3, () => true, () => {}, out);
    expect(out.map((slot) => s.clientTaskId[slot])).toEqual([0, 1, 2]);
  });
});
