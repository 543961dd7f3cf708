/** containerPlan: the naive container scheduler's counts turned into worker ids to stop and types to start. */
import { describe, expect, test } from "bun:test";
import { containerPlan } from "../../../src/manager/container-plan.ts";
import type { WorkerPlanInput } from "../../../src/manager/worker-plan.ts";

const base: WorkerPlanInput = {
  counts: new Map(), starting: new Map(), queued: new Map(), outstanding: new Map(), stopping: 0, idle: [],
  maxWorkers: 2, minWorkers: 0, maxIdleMs: 60_000, draining: false, now: 100_000,
};

describe("containerPlan", () => {
  test("waiting tasks of a new image start a worker of that image", () => {
    const p = containerPlan({ ...base, queued: new Map([["img:a", 3]]) });
    expect(p.start).toEqual([["img:a", 2]]);
    expect(p.stop).toEqual([]);
  });

  test("a full node switches type by stopping an idle worker of the other image", () => {
    const p = containerPlan({
      ...base,
      counts: new Map([["img:a", 2]]),
      idle: [{ id: "a1", type: "img:a", idleSince: 99_000 }, { id: "a2", type: "img:a", idleSince: 50_000 }],
      outstanding: new Map(),
      queued: new Map([["img:b", 1]]),
    });
    expect(p.stop).toEqual(["a2"]);
    expect(p.start).toEqual([["img:b", 1]]);
  });

  test("idle expiry respects the minimum; nothing starts while draining", () => {
    const p = containerPlan({ ...base, minWorkers: 1, counts: new Map([["img:a", 2]]), idle: [{ id: "a1", type: "img:a", idleSince: 0 }, { id: "a2", type: "img:a", idleSince: 1 }] });
    expect(p.stop).toEqual(["a1"]);
    expect(containerPlan({ ...base, draining: true, queued: new Map([["img:a", 3]]) }).start).toEqual([]);
  });
});
