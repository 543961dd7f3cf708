/** WorkerMap bookkeeping: dispatch by type and depth, in-order completion, blame on worker loss, suspects. */
import { describe, expect, test } from "bun:test";
import type { WireTask } from "../../../src/protocol/messages.ts";
import { WorkerMap } from "../../../src/manager/worker-map.ts";

const task = (id: number, type = "RAW"): WireTask => ({ id, task_type: type, payload: new Uint8Array([id & 0xff]) });
function ready(map: WorkerMap, id: string, type = "RAW"): void {
  map.addWorker(id, type, 0);
  map.markReady(id, 0);
}

describe("WorkerMap", () => {
  test("a starting worker gets nothing until it says hello", () => {
    const m = new WorkerMap({ maxWorkers: 2, initialDepth: 2 });
    m.addWorker("w1", "RAW", 0);
    m.enqueue(task(1));
    expect(m.assign(0)).toEqual([]);
    m.markReady("w1", 1);
    const a = m.assign(1);
    expect(a.map((x) => [x.worker.id, x.tasks.map((t) => t.id)])).toEqual([["w1", [1]]]);
    expect(m.queued).toBe(0);
    expect(m.outstanding).toBe(1);
  });

  test("tasks go only to workers of their type, up to depth each, spread over workers", () => {
    const m = new WorkerMap({ maxWorkers: 3, initialDepth: 2 });
    ready(m, "a");
    ready(m, "b");
    ready(m, "c", "img:1");
    for (let i = 1; i <= 5; i++) m.enqueue(task(i));
    m.enqueue(task(9, "img:1"));
    const a = m.assign(0);
    const byWorker = Object.fromEntries(a.map((x) => [x.worker.id, x.tasks.map((t) => t.id)]));
    expect(byWorker).toEqual({ a: [1, 3], b: [2, 4], c: [9] });
    expect(m.queued).toBe(1); // task 5 waits: both RAW workers are at depth
    expect(m.queuedByType()).toEqual(new Map([["RAW", 1]]));
  });

  test("completion frees room in order and reports unexpected ids", () => {
    const m = new WorkerMap({ maxWorkers: 1, initialDepth: 2 });
    ready(m, "w");
    for (let i = 1; i <= 3; i++) m.enqueue(task(i));
    m.assign(0);
    expect(m.complete("w", [1, 2, 77], 1)).toEqual([77]);
    expect(m.outstanding).toBe(0);
    expect(m.idleWorkers()).toBe(1);
    expect(m.assign(1)[0]!.tasks.map((t) => t.id)).toEqual([3]);
    expect(m.complete("nobody", [3], 2)).toEqual([3]);
  });

  test("a worker that dies holding one task: that task is the culprit", () => {
    const m = new WorkerMap({ maxWorkers: 2, initialDepth: 1 });
    ready(m, "w1");
    m.enqueue(task(1));
    m.assign(0);
    const out = m.removeWorker("w1");
    expect(out.culprit?.id).toBe(1);
    expect(out.requeued).toBe(0);
    expect(m.held).toBe(0);
  });

  test("a worker that dies holding several: all go back as suspects, each then runs alone", () => {
    const m = new WorkerMap({ maxWorkers: 2, initialDepth: 3 });
    ready(m, "w1");
    for (let i = 1; i <= 4; i++) m.enqueue(task(i));
    m.assign(0); // w1: 1,2,3 ; queued: 4
    const out = m.removeWorker("w1");
    expect(out).toEqual({ culprit: null, requeued: 3 });
    expect(m.queued).toBe(4);
    ready(m, "w2");
    ready(m, "w3");
    const a = m.assign(1);
    // Suspects first, one per idle worker, nothing else on those workers.
    expect(a.map((x) => [x.worker.id, x.tasks.map((t) => t.id)])).toEqual([["w2", [1]], ["w3", [2]]]);
    expect(m.assign(1)).toEqual([]);
    // A suspect that kills its worker is blamed exactly.
    expect(m.removeWorker("w2").culprit?.id).toBe(1);
    // w3 finishes its suspect and becomes a normal worker again.
    m.complete("w3", [2], 2);
    const b = m.assign(2);
    expect(b.map((x) => x.tasks.map((t) => t.id))).toEqual([[3]]);
  });

  test("depth adapts: short tasks deepen the hand-off, long tasks bring it to 1", () => {
    const m = new WorkerMap({ maxWorkers: 1, initialDepth: 4, targetBatchMs: 2, maxDepth: 64 });
    ready(m, "w");
    let id = 0;
    let now = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 64; i++) m.enqueue(task(++id));
      const a = m.assign(now);
      const ids = a.flatMap((x) => x.tasks.map((t) => t.id));
      now += ids.length * 0.001; // 1 µs per task
      m.complete("w", ids, now);
      m.drainQueued();
    }
    expect(m.depth).toBe(64);
    for (let round = 0; round < 20; round++) {
      m.enqueue(task(++id));
      const ids = m.assign(now).flatMap((x) => x.tasks.map((t) => t.id));
      now += ids.length * 1000; // 1 s per task
      m.complete("w", ids, now);
    }
    expect(m.depth).toBe(1);
  });

  test("big payloads make smaller hand-offs (at least one task each)", () => {
    const m = new WorkerMap({ maxWorkers: 1, initialDepth: 8, maxHandoffBytes: 1000 });
    ready(m, "w");
    for (let i = 1; i <= 4; i++) m.enqueue({ id: i, task_type: "RAW", payload: new Uint8Array(600) });
    expect(m.assign(0)[0]!.tasks.map((t) => t.id)).toEqual([1, 2]);
    const big = new WorkerMap({ maxWorkers: 1, initialDepth: 8, maxHandoffBytes: 10 });
    ready(big, "w");
    big.enqueue({ id: 9, task_type: "RAW", payload: new Uint8Array(5000) });
    expect(big.assign(0)[0]!.tasks.map((t) => t.id)).toEqual([9]);
  });

  test("drainQueued empties every queue and the counts", () => {
    const m = new WorkerMap({ maxWorkers: 1 });
    m.enqueue(task(1));
    m.enqueue(task(2, "x"));
    expect(m.drainQueued().map((t) => t.id).sort()).toEqual([1, 2]);
    expect(m.queued).toBe(0);
  });
});
