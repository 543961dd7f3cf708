/** planWorkers: start for queued work within the cap, evict idle workers of other types, idle stop above a minimum. */
import { describe, expect, test } from "bun:test";
import { planWorkers, type WorkerPlanInput } from "../../../src/manager/worker-plan.ts";

const base: WorkerPlanInput = {
  counts: new Map(),
  starting: new Map(),
  queued: new Map(),
  outstanding: new Map(),
  stopping: 0,
  idle: [],
  maxWorkers: 4,
  minWorkers: 1,
  maxIdleMs: 60_000,
  draining: false,
  now: 100_000,
};

describe("planWorkers", () => {
  test("starts workers for queued tasks up to the cap", () => {
    const p = planWorkers({ ...base, counts: new Map([["RAW", 1]]), queued: new Map([["RAW", 10]]) });
    expect(p.start).toEqual([["RAW", 3]]);
    expect(p.stop).toEqual([]);
  });

  test("workers still starting count against what queued tasks need", () => {
    const p = planWorkers({ ...base, counts: new Map([["RAW", 2]]), starting: new Map([["RAW", 2]]), queued: new Map([["RAW", 2]]) });
    expect(p.start).toEqual([]);
  });

  test("no starts while draining", () => {
    expect(planWorkers({ ...base, queued: new Map([["RAW", 5]]), draining: true }).start).toEqual([]);
  });

  test("at the cap, a type with no worker takes the place of an idle worker of another type", () => {
    const p = planWorkers({
      ...base,
      maxWorkers: 2,
      counts: new Map([["RAW", 2]]),
      queued: new Map([["img", 3]]),
      idle: [{ id: "w1", type: "RAW", idleSince: 99_000 }],
    });
    expect(p.stop).toEqual(["w1"]);
    expect(p.start).toEqual([["img", 1]]);
  });

  test("stops workers idle past the limit, oldest first, keeping the minimum", () => {
    const p = planWorkers({
      ...base,
      minWorkers: 1,
      counts: new Map([["RAW", 3]]),
      idle: [
        { id: "young", type: "RAW", idleSince: 90_000 },
        { id: "old", type: "RAW", idleSince: 1_000 },
        { id: "older", type: "RAW", idleSince: 0 },
      ],
    });
    expect(p.stop).toEqual(["older", "old"]);
    const keepAll = planWorkers({ ...base, minWorkers: 3, counts: new Map([["RAW", 3]]), idle: [{ id: "x", type: "RAW", idleSince: 0 }] });
    expect(keepAll.stop).toEqual([]);
  });
});
