/** naiveScheduler: funcX's container_sched.naive_scheduler, deterministic and within the cap. */
import { describe, expect, test } from "bun:test";
import { naiveScheduler, type SchedulerInput, type WorkerCounts } from "../../../src/manager/container-sched.ts";

const m = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));
const w = (o: Record<string, WorkerCounts>): Map<string, WorkerCounts> => new Map(Object.entries(o));
const obj = (x: Map<string, number>): Record<string, number> => Object.fromEntries([...x].sort());
const run = (p: Partial<SchedulerInput>) => {
  const plan = naiveScheduler({ queueLengths: new Map(), maxWorkers: 4, currentWorkers: new Map(), now: 0, workerMaxIdletime: 60, ...p });
  return { target: obj(plan.target), create: obj(plan.create), kill: obj(plan.kill) };
};

describe("naiveScheduler: allocation", () => {
  test("funcX's example: proportional to queue sizes, capped by each queue", () => {
    // queues A=6, B=2 with 4 workers → A gets 3, B gets 1 (6/8·4 = 3, 2/8·4 = 1)
    expect(run({ queueLengths: m({ A: 6, B: 2 }), maxWorkers: 4 })).toEqual({ target: { A: 3, B: 1 }, create: { A: 3, B: 1 }, kill: {} });
  });
  test("a type never gets more workers than it has tasks", () => {
    expect(run({ queueLengths: m({ A: 1, B: 2 }), maxWorkers: 10 })).toEqual({ target: { A: 1, B: 2 }, create: { A: 1, B: 2 }, kill: {} });
  });
  test("every non-empty queue gets at least one worker, even a tiny one", () => {
    const r = run({ queueLengths: m({ A: 1000, B: 1 }), maxWorkers: 4 });
    expect(r.target).toEqual({ A: 3, B: 1 });
  });
  test("one type only takes every slot it can use", () => {
    expect(run({ queueLengths: m({ A: 50 }), maxWorkers: 8 }).create).toEqual({ A: 8 });
  });
  test("more types than workers: the longest queues win, ties by name, total stays within the cap", () => {
    const r = run({ queueLengths: m({ A: 1, B: 5, C: 3, D: 3 }), maxWorkers: 2 });
    expect(r.target).toEqual({ B: 1, C: 1 });
    expect(r.create).toEqual({ B: 1, C: 1 });
  });
  test("max_workers 1: one worker, for the longest queue", () => {
    expect(run({ queueLengths: m({ A: 2, B: 3 }), maxWorkers: 1 })).toEqual({ target: { B: 1 }, create: { B: 1 }, kill: {} });
  });
  test("max_workers = Infinity: one worker per task", () => {
    expect(run({ queueLengths: m({ A: 3, B: 2 }), maxWorkers: Infinity }).create).toEqual({ A: 3, B: 2 });
  });
  test("empty queues and no workers: nothing to do", () => {
    expect(run({ queueLengths: m({ A: 0 }), maxWorkers: 4 })).toEqual({ target: {}, create: {}, kill: {} });
    expect(run({})).toEqual({ target: {}, create: {}, kill: {} });
  });
  test("outstanding (running) tasks count as demand: busy types keep their workers in the target", () => {
    const r = run({ queueLengths: m({ B: 4 }), outstandingByType: m({ A: 2 }), maxWorkers: 4,
      currentWorkers: w({ A: { total: 2, idle: 0 } }) });
    expect(r.target).toEqual({ A: 2, B: 2 });
    expect(r.create).toEqual({ B: 2 });
    expect(r.kill).toEqual({});
  });
  test("existing workers are counted: only the difference is created, within free slots", () => {
    const r = run({ queueLengths: m({ A: 10 }), maxWorkers: 4, currentWorkers: w({ A: { total: 3, idle: 0 } }), outstandingByType: m({ A: 3 }) });
    expect(r.create).toEqual({ A: 1 });
  });
  test("workers with kills pending are blocked: they hold slots until gone and are not re-counted", () => {
    const r = run({ queueLengths: m({ B: 5 }), maxWorkers: 4, currentWorkers: w({ A: { total: 2, idle: 2 } }), toDie: m({ A: 2 }) });
    expect(r.target).toEqual({ B: 2 });
    expect(r.create).toEqual({ B: 2 });
    expect(r.kill).toEqual({});
  });
});

describe("naiveScheduler: spinning down", () => {
  test("idle workers without demand are killed only after worker_max_idletime", () => {
    const cur = w({ A: { total: 3, idle: 3, idleSince: [0, 10_000, 59_000] } });
    expect(run({ currentWorkers: cur, now: 59_999, workerMaxIdletime: 60 }).kill).toEqual({});
    expect(run({ currentWorkers: cur, now: 70_000, workerMaxIdletime: 60 }).kill).toEqual({ A: 2 });
    expect(run({ currentWorkers: cur, now: 200_000, workerMaxIdletime: 60 }).kill).toEqual({ A: 3 });
  });
  test("busy workers are never killed, whatever the plan", () => {
    const r = run({ queueLengths: m({ B: 100 }), maxWorkers: 2, currentWorkers: w({ A: { total: 2, idle: 0 } }),
      outstandingByType: m({ A: 2 }), now: 1e9 });
    expect(r.kill).toEqual({});
    expect(r.create).toEqual({});
  });
  test("a full node switches types: idle surplus workers make room at once for a waiting queue", () => {
    const r = run({ queueLengths: m({ B: 3 }), maxWorkers: 2, currentWorkers: w({ A: { total: 2, idle: 2, idleSince: [0, 0] } }), now: 1000 });
    expect(r.kill).toEqual({ A: 2 });
    expect(r.create).toEqual({ B: 2 });
  });
  test("only as many idle workers as needed are killed to make room", () => {
    const r = run({ queueLengths: m({ B: 1 }), maxWorkers: 3, currentWorkers: w({ A: { total: 3, idle: 3 } }), now: 0 });
    expect(r.kill).toEqual({ A: 1 });
    expect(r.create).toEqual({ B: 1 });
  });
  test("idle workers of a type that still has waiting tasks are kept", () => {
    const r = run({ queueLengths: m({ A: 2 }), maxWorkers: 4, currentWorkers: w({ A: { total: 2, idle: 2, idleSince: [0, 0] } }), now: 1e9 });
    expect(r.kill).toEqual({});
    expect(r.create).toEqual({});
  });
  test("pending kills are not ordered twice", () => {
    const r = run({ currentWorkers: w({ A: { total: 2, idle: 2, idleSince: [0, 0] } }), toDie: m({ A: 2 }), now: 1e9 });
    expect(r.kill).toEqual({});
  });
});

describe("naiveScheduler: invariants over many states", () => {
  test("never exceeds max_workers, never kills more than idle, never creates for a type without demand", () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const types = ["A", "B", "C", "D"].slice(0, 1 + rnd(4));
      const maxWorkers = 1 + rnd(8);
      const q = new Map<string, number>();
      const out = new Map<string, number>();
      const cur = new Map<string, WorkerCounts>();
      let liveTotal = 0;
      for (const t of types) {
        q.set(t, rnd(3) === 0 ? 0 : rnd(20));
        const total = rnd(Math.max(1, maxWorkers - liveTotal + 1));
        liveTotal += total;
        const idle = rnd(total + 1);
        out.set(t, total - idle);
        cur.set(t, { total, idle, idleSince: Array.from({ length: idle }, () => rnd(100_000)) });
      }
      const plan = naiveScheduler({ queueLengths: q, outstandingByType: out, maxWorkers, currentWorkers: cur, now: 100_000, workerMaxIdletime: 30 });
      let after = 0;
      for (const t of types) {
        const c = cur.get(t)!;
        const k = plan.kill.get(t) ?? 0;
        expect(k).toBeLessThanOrEqual(c.idle);
        const made = plan.create.get(t) ?? 0;
        if (made > 0) expect((q.get(t) ?? 0) + (out.get(t) ?? 0)).toBeGreaterThan(0);
        after += c.total - k + made;
      }
      expect(after).toBeLessThanOrEqual(Math.max(maxWorkers, liveTotal));
      if (liveTotal <= maxWorkers) expect(after).toBeLessThanOrEqual(maxWorkers);
    }
  });
});
