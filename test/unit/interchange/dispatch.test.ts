import { describe, expect, test } from "bun:test";
import { planDispatch, type DispatchManager } from "../../../src/interchange/dispatch.ts";

function mgr(id: string, over: Partial<DispatchManager> = {}): DispatchManager {
  return { id, capacity: 4, workerTypes: ["RAW"], outstanding: 0, workerCount: 4, active: true, ...over };
}
const byManager = (plan: ReturnType<typeof planDispatch>) => {
  const m: Record<string, number> = {};
  for (const a of plan.assignments) m[`${a.managerId}/${a.taskType}`] = (m[`${a.managerId}/${a.taskType}`] ?? 0) + a.count;
  return m;
};

describe("planDispatch", () => {
  test("never exceeds a manager's capacity nor the pending count", () => {
    const plan = planDispatch({ managers: [mgr("a", { capacity: 3 })], pending: new Map([["RAW", 10]]), mode: "hard", cursor: 0 });
    expect(plan.dispatched).toBe(3);
    expect(byManager(plan)).toEqual({ "a/RAW": 3 });
    const few = planDispatch({ managers: [mgr("a", { capacity: 30 })], pending: new Map([["RAW", 2]]), mode: "hard", cursor: 0 });
    expect(few.dispatched).toBe(2);
  });

  test("held (inactive) managers and managers without capacity get nothing", () => {
    const plan = planDispatch({
      managers: [mgr("held", { active: false }), mgr("full", { capacity: 0 }), mgr("ok")],
      pending: new Map([["RAW", 100]]), mode: "hard", cursor: 0,
    });
    expect(byManager(plan)).toEqual({ "ok/RAW": 4 });
  });

  test("load spreads: few tasks go to several managers, not all to the first", () => {
    const plan = planDispatch({ managers: [mgr("a"), mgr("b")], pending: new Map([["RAW", 4]]), mode: "hard", cursor: 0 });
    expect(byManager(plan)).toEqual({ "a/RAW": 2, "b/RAW": 2 });
  });

  test("least-loaded first; the cursor rotates ties", () => {
    const busy = planDispatch({ managers: [mgr("a", { outstanding: 4 }), mgr("b")], pending: new Map([["RAW", 1]]), mode: "hard", cursor: 0 });
    expect(byManager(busy)).toEqual({ "b/RAW": 1 });
    const t0 = planDispatch({ managers: [mgr("a"), mgr("b")], pending: new Map([["RAW", 1]]), mode: "hard", cursor: 0 });
    const t1 = planDispatch({ managers: [mgr("a"), mgr("b")], pending: new Map([["RAW", 1]]), mode: "hard", cursor: t0.cursor });
    expect(t0.assignments[0]!.managerId).not.toBe(t1.assignments[0]!.managerId);
  });

  test("hard mode: only the manager's worker types, bounded per type by idle workers", () => {
    const plan = planDispatch({
      managers: [mgr("a", { capacity: 10, workerTypes: ["img1"], perType: { img1: 2, img2: 5 } })],
      pending: new Map([["RAW", 5], ["img1", 5], ["img2", 5]]), mode: "hard", cursor: 0,
    });
    expect(byManager(plan)).toEqual({ "a/img1": 2 });
  });

  test("soft mode: idle workers of a type first, then unused slots take any type", () => {
    const plan = planDispatch({
      managers: [mgr("a", { capacity: 5, workerTypes: ["img1"], perType: { img1: 2 } })],
      pending: new Map([["img1", 1], ["img2", 10]]), mode: "soft", cursor: 0,
    });
    // 1 img1 on an idle img1 worker; 3 unused slots (5 − 2) take img2; the spare idle img1 worker takes nothing else
    expect(byManager(plan)).toEqual({ "a/img1": 1, "a/img2": 3 });
    expect(plan.dispatched).toBe(4);
  });

  test("no managers or nothing pending → an empty plan", () => {
    expect(planDispatch({ managers: [], pending: new Map([["RAW", 5]]), mode: "hard", cursor: 0 }).dispatched).toBe(0);
    expect(planDispatch({ managers: [mgr("a")], pending: new Map(), mode: "soft", cursor: 0 }).dispatched).toBe(0);
  });

  test("hard mode: a manager that can start any worker type (container mode) takes any type", () => {
    const plan = planDispatch({ managers: [mgr("a", { anyType: true, workerTypes: ["RAW"] })], pending: new Map([["img", 3]]), mode: "hard", cursor: 0 });
    expect(byManager(plan)).toEqual({ "a/img": 3 });
  });
});
