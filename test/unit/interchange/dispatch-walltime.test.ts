/** Walltime-aware dispatch: a pure function of managers' walltime ends, pending lanes and `now`. */
import { describe, expect, test } from "bun:test";
import { laneFits, laneOf, planDispatch, type DispatchManager, type Lane } from "../../../src/interchange/dispatch.ts";

function mgr(id: string, over: Partial<DispatchManager> = {}): DispatchManager {
  return { id, capacity: 4, workerTypes: ["RAW"], outstanding: 0, workerCount: 4, active: true, ...over };
}
/** Pending counts and lane table from [type, duration | undefined, count] rows. */
function pendingOf(rows: [string, number | undefined, number][]) {
  const pending = new Map<string, number>();
  const lanes = new Map<string, Lane>();
  for (const [t, d, n] of rows) {
    const { key, lane } = laneOf(t, d);
    pending.set(key, (pending.get(key) ?? 0) + n);
    lanes.set(key, lane);
  }
  return { pending, lanes };
}
const perManager = (plan: ReturnType<typeof planDispatch>) => {
  const m: Record<string, number> = {};
  for (const a of plan.assignments) m[a.managerId] = (m[a.managerId] ?? 0) + a.count;
  return m;
};
const NOW = 1_000_000;

describe("laneOf", () => {
  test("no duration → the type itself; a duration → its own lane, rounded up to two significant digits", () => {
    expect(laneOf("RAW", undefined).key).toBe("RAW");
    expect(Number.isNaN(laneOf("RAW", undefined).lane.seconds)).toBe(true);
    expect(laneOf("RAW", 60).lane.seconds).toBe(60);
    expect(laneOf("RAW", 1234).lane.seconds).toBe(1300);
    expect(laneOf("RAW", 5.5).lane.seconds).toBe(5.5);
    expect(laneOf("RAW", 99.5).lane.seconds).toBe(100);
    expect(laneOf("RAW", 0.2).lane.seconds).toBe(1); // at least 1 s
    expect(laneOf("RAW", 61).key).not.toBe(laneOf("RAW", 62).key);
    expect(laneOf("RAW", 1231).key).toBe(laneOf("RAW", 1299).key);
    for (const d of [0.3, 1, 7.77, 59.9, 61, 999, 1001, 86_399, 3.3e6]) expect(laneOf("img", d).lane.seconds).toBeGreaterThanOrEqual(d);
  });
});

describe("planDispatch with walltimes", () => {
  test("a task declared longer than a manager's remaining time never goes to it; tasks without a duration do", () => {
    const short = mgr("short", { walltimeEndMs: NOW + 30_000 });
    const long = mgr("long", { walltimeEndMs: NOW + 3_600_000 });
    const { pending, lanes } = pendingOf([["RAW", 600, 3]]);
    const plan = planDispatch({ managers: [short, long], pending, lanes, mode: "hard", cursor: 0, now: NOW });
    expect(perManager(plan)).toEqual({ long: 3 });
    const untimed = planDispatch({ managers: [short, long], pending: new Map([["RAW", 4]]), mode: "hard", cursor: 0, now: NOW });
    expect(perManager(untimed)).toEqual({ short: 2, long: 2 });
  });

  test("the same managers at a later `now`: the fit is decided by the time left then", () => {
    const m = mgr("m", { walltimeEndMs: NOW + 100_000 });
    const { pending, lanes } = pendingOf([["RAW", 60, 1]]);
    expect(planDispatch({ managers: [m], pending, lanes, mode: "hard", cursor: 0, now: NOW }).dispatched).toBe(1);
    expect(planDispatch({ managers: [m], pending, lanes, mode: "hard", cursor: 0, now: NOW + 50_000 }).dispatched).toBe(0);
    expect(laneFits(m, { taskType: "RAW", seconds: 100 }, NOW)).toBe(true);
    expect(laneFits(m, { taskType: "RAW", seconds: 100.5 }, NOW)).toBe(false);
    expect(laneFits(mgr("no-end"), { taskType: "RAW", seconds: 1e9 }, NOW)).toBe(true);
  });

  test("a task no manager fits stays pending (nothing assigned), the rest still goes", () => {
    const m = mgr("m", { walltimeEndMs: NOW + 60_000, capacity: 10 });
    const { pending, lanes } = pendingOf([["RAW", 7200, 2], ["RAW", 10, 3], ["RAW", undefined, 1]]);
    const plan = planDispatch({ managers: [m], pending, lanes, mode: "hard", cursor: 0, now: NOW });
    expect(plan.dispatched).toBe(4);
    expect(plan.assignments.find((a) => a.lane === laneOf("RAW", 7200).key)).toBeUndefined();
    expect(plan.assignments.every((a) => a.taskType === "RAW")).toBe(true);
  });

  test("a long manager takes the long lane first; a short one the short lanes", () => {
    const short = mgr("short", { walltimeEndMs: NOW + 120_000, capacity: 2 });
    const long = mgr("long", { walltimeEndMs: NOW + 7_200_000, capacity: 2 });
    const { pending, lanes } = pendingOf([["RAW", 30, 2], ["RAW", 3000, 2]]);
    const plan = planDispatch({ managers: [short, long], pending, lanes, mode: "hard", cursor: 0, now: NOW });
    const got = (id: string, d: number) => plan.assignments.filter((a) => a.managerId === id && a.lane === laneOf("RAW", d).key).reduce((s, a) => s + a.count, 0);
    expect(got("long", 3000)).toBe(2);
    expect(got("short", 30)).toBe(2);
    expect(plan.dispatched).toBe(4);
  });

  test("soft mode and per-type idle workers respect the walltime too", () => {
    const m = mgr("m", { walltimeEndMs: NOW + 10_000, capacity: 6, perType: { RAW: 2 } });
    const { pending, lanes } = pendingOf([["RAW", 20, 2], ["img", 20, 2], ["img", 5, 1], ["RAW", 5, 1]]);
    const plan = planDispatch({ managers: [m], pending, lanes, mode: "soft", cursor: 0, now: NOW });
    expect(plan.dispatched).toBe(2);
    for (const a of plan.assignments) expect(lanes.get(a.lane)!.seconds).toBe(5);
  });
});
