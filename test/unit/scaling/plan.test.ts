import { describe, expect, test } from "bun:test";
import {
  applyJobStatuses, emptyScalingState, planScaleIn, planScaleOut, planScaling, recordActions, recordBlockEnd,
  recordBlockLoad, recordCancelRequested, recordHeld, recordJobId, recordManagerLost, recordManagerRegistered,
  recordOutstanding, recordReported, recordSubmitFailed, recordSubmitted, failureBackoffMs, requiredSlots, recordBlockObservation,
  type ScalingAction, type ScalingConfig, type ScalingState,
} from "../../../src/scaling/index.ts";
import { JobState, type JobStatus } from "../../../src/providers/provider.ts";

const CFG: ScalingConfig = {
  initBlocks: 1, minBlocks: 0, maxBlocks: 4, slotsPerBlock: 4, parallelism: 1,
  maxIdletimeMs: 60_000, drainTimeoutMs: 120_000, registrationTimeoutMs: 300_000, walltimeDrainMs: 30_000,
  failureBackoffMs: 5_000, failureBackoffMaxMs: 300_000,
};
const cfg = (o: Partial<ScalingConfig> = {}): ScalingConfig => ({ ...CFG, ...o });

/** A block submitted at `at`, with a job id, reported RUNNING, and (optionally) one manager with `slots`. */
function withBlock(s: ScalingState, id: string, at: number, opts: { slots?: number; busy?: number; state?: JobState } = {}): ScalingState {
  s = recordSubmitted(s, id, at);
  s = recordJobId(s, id, `job-${id}`);
  s = applyJobStatuses(s, new Map([[`job-${id}`, { state: opts.state ?? JobState.RUNNING }]]), at);
  if (opts.slots !== undefined) s = recordManagerRegistered(s, id, opts.slots, at);
  if (opts.busy) s = recordBlockLoad(s, id, opts.busy, at);
  return s;
}

const kinds = (a: ScalingAction[]) => a.map((x) => x.kind);
const of = <K extends ScalingAction["kind"]>(a: ScalingAction[], k: K) => a.filter((x): x is Extract<ScalingAction, { kind: K }> => x.kind === k);

describe("scale-out", () => {
  test("the first plan submits init_blocks even with no work", () => {
    expect(planScaling(emptyScalingState(), 0, cfg({ initBlocks: 2 }))).toEqual([{ kind: "submit", count: 2, reason: "init_blocks" }]);
  });

  test("init_blocks is capped by max_blocks", () => {
    expect(of(planScaling(emptyScalingState(), 0, cfg({ initBlocks: 9, maxBlocks: 3 })), "submit")[0]!.count).toBe(3);
  });

  test("after init, no work and no min_blocks → nothing to do", () => {
    const s = withBlock(emptyScalingState(), "0", 0, { slots: 4 });
    expect(planScaling(s, 1000, cfg())).toEqual([]);
  });

  test("outstanding work beyond connected capacity → enough blocks to cover it", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 4 });
    s = recordOutstanding(s, 13); // 13 slots wanted, 4 there → 9 more → 3 blocks of 4
    expect(of(planScaling(s, 1000, cfg()), "submit")).toEqual([
      expect.objectContaining({ kind: "submit", count: 3 }),
    ]);
  });

  test("blocks not yet registered count with the expected slots (no resubmit storm while queued)", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.PENDING });
    s = recordOutstanding(s, 4);
    expect(planScaling(s, 1000, cfg())).toEqual([]);
  });

  test("parallelism 0.5 wants half a slot per task", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 4 });
    s = recordOutstanding(s, 16); // 8 slots wanted, 4 there → 1 block
    expect(of(planScaling(s, 1000, cfg({ parallelism: 0.5 })), "submit")[0]!.count).toBe(1);
  });

  test("any work at all wants at least one slot, even with parallelism 0", () => {
    expect(requiredSlots(1, 0)).toBe(1);
    expect(requiredSlots(0, 1)).toBe(0);
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4 });
    s = applyJobStatuses(s, new Map([["job-0", { state: JobState.COMPLETED }]]), 0);
    s = recordActions(s, planScaling(s, 0, cfg()), 0); // retire it
    expect(s.blocks.size).toBe(0);
    s = recordOutstanding(s, 1);
    expect(of(planScaling(s, 1000, cfg({ parallelism: 0 })), "submit")[0]!.count).toBe(1);
  });

  test("never above max_blocks (held blocks still count: their jobs still run)", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 4 });
    s = withBlock(s, "1", 0, { slots: 4, busy: 4 });
    s = recordHeld(s, "1", "test", 0);
    s = recordOutstanding(s, 100);
    expect(of(planScaling(s, 1000, cfg({ maxBlocks: 3 })), "submit")[0]!.count).toBe(1);
  });

  test("at max_blocks → no submit", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 1, busy: 1 });
    s = recordOutstanding(s, 50);
    expect(planScaling(s, 1000, cfg({ maxBlocks: 1 }))).toEqual([]);
  });

  test("min_blocks is kept even with no work", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4 });
    expect(planScaling(s, 1000, cfg({ minBlocks: 3 }))).toEqual([{ kind: "submit", count: 2, reason: "min_blocks" }]);
  });

  test("a held block's capacity does not count: a replacement is submitted for the work", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 2 });
    s = recordHeld(s, "0", "walltime", 0);
    s = recordOutstanding(s, 3);
    expect(of(planScaling(s, 1000, cfg()), "submit")[0]!.count).toBe(1);
  });
});

describe("scale-in (polite)", () => {
  test("a block idle for max_idletime is held, not cancelled outright", () => {
    const s = withBlock(emptyScalingState(), "0", 0, { slots: 4 });
    expect(planScaling(s, 59_999, cfg())).toEqual([]);
    const a = planScaling(s, 60_000, cfg());
    expect(a).toEqual([expect.objectContaining({ kind: "hold", blockId: "0" })]);
  });

  test("a held block with no running task is cancelled on the next plan", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4 });
    s = recordActions(s, planScaling(s, 60_000, cfg()), 60_000);
    expect(s.blocks.get("0")!.heldAt).toBe(60_000);
    expect(planScaling(s, 60_100, cfg())).toEqual([expect.objectContaining({ kind: "cancel", blockId: "0" })]);
  });

  test("a held block lets running tasks finish, then is cancelled", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 2 });
    s = recordHeld(s, "0", "scale_in requested", 0);
    expect(planScaling(s, 10_000, cfg())).toEqual([]);
    s = recordBlockLoad(s, "0", 0, 20_000);
    expect(planScaling(s, 20_000, cfg())).toEqual([{ kind: "cancel", blockId: "0", reason: "scale_in requested" }]);
  });

  test("drain_timeout bounds the wait for running tasks", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 2 });
    s = recordHeld(s, "0", "idle", 0);
    expect(planScaling(s, 119_999, cfg())).toEqual([]);
    const a = planScaling(s, 120_000, cfg());
    expect(a).toEqual([expect.objectContaining({ kind: "cancel", blockId: "0" })]);
    expect((a[0] as { reason: string }).reason).toContain("drain_timeout");
  });

  test("busy blocks are never scaled in for idleness; the idle one is", () => {
    let s = withBlock(emptyScalingState(), "busy", 0, { slots: 4, busy: 1 });
    s = withBlock(s, "idle", 0, { slots: 4 });
    const a = planScaling(s, 100_000, cfg());
    expect(a).toEqual([expect.objectContaining({ kind: "hold", blockId: "idle" })]);
  });

  test("min_blocks is respected on scale-in", () => {
    let s = withBlock(emptyScalingState(), "a", 0, { slots: 4 });
    s = withBlock(s, "b", 10, { slots: 4 });
    const a = planScaling(s, 100_000, cfg({ minBlocks: 1 }));
    expect(a).toEqual([expect.objectContaining({ kind: "hold", blockId: "a" })]); // longest idle first
  });

  test("an idle block the outstanding work still needs is kept", () => {
    let s = withBlock(emptyScalingState(), "a", 0, { slots: 4, busy: 4 });
    s = withBlock(s, "b", 0, { slots: 4 });
    s = recordOutstanding(s, 6);
    expect(planScaling(s, 100_000, cfg())).toEqual([]);
  });

  test("no scale-in in the same plan as a submit", () => {
    let s = withBlock(emptyScalingState(), "a", 0, { slots: 4 });
    expect(kinds(planScaling(s, 100_000, cfg({ minBlocks: 2 })))).toEqual(["submit"]);
  });

  test("busy → idle restarts the idle clock", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 1 });
    s = recordBlockLoad(s, "0", 0, 50_000);
    expect(planScaling(s, 100_000, cfg())).toEqual([]);
    expect(kinds(planScaling(s, 110_000, cfg()))).toEqual(["hold"]);
  });
});

describe("explicit scale_in / scale_out", () => {
  test("never picks a busy block while an idle (or never-started) one exists", () => {
    let s = withBlock(emptyScalingState(), "busy1", 0, { slots: 4, busy: 3 });
    s = withBlock(s, "busy2", 0, { slots: 4, busy: 1 });
    s = withBlock(s, "idle", 0, { slots: 4 });
    s = withBlock(s, "queued", 0, { state: JobState.PENDING });
    expect(planScaleIn(s, 1, 1000)).toEqual([{ kind: "cancel", blockId: "queued", reason: "scale_in requested" }]);
    expect(planScaleIn(s, 2, 1000).map((a) => (a as { blockId: string }).blockId)).toEqual(["queued", "idle"]);
    expect(planScaleIn(s, 3, 1000)[2]).toEqual({ kind: "hold", blockId: "busy2", reason: "scale_in requested" });
    expect(planScaleIn(s, 9, 1000).length).toBe(4);
  });

  test("held or cancelling blocks are not picked again", () => {
    let s = withBlock(emptyScalingState(), "a", 0, { slots: 4 });
    s = recordHeld(s, "a", "x", 0);
    s = withBlock(s, "b", 0, { slots: 4 });
    s = recordCancelRequested(s, "b", 0);
    expect(planScaleIn(s, 2, 1000)).toEqual([]);
  });

  test("scale_out is capped by max_blocks", () => {
    const s = withBlock(emptyScalingState(), "a", 0, { slots: 4 });
    expect(planScaleOut(s, 10, cfg())).toEqual([{ kind: "submit", count: 3, reason: "scale_out requested" }]);
    expect(planScaleOut(s, 10, cfg({ maxBlocks: 1 }))).toEqual([]);
  });
});

describe("blocks that fail before registering", () => {
  const failed: JobStatus = { state: JobState.FAILED, message: "exited 1", exitCode: 1, stderrPath: "/logs/b.err", stdoutPath: "/logs/b.out" };

  test("a job that ended before registering is reported with its own output, then retired", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.PENDING });
    s = applyJobStatuses(s, new Map([["job-0", failed]]), 5000, (st) => `tail of ${st.stderrPath}: fx: command not found`);
    const a = planScaling(s, 5000, cfg());
    const rep = of(a, "report-failed")[0]!;
    expect(rep.blockId).toBe("0");
    expect(rep.jobId).toBe("job-0");
    expect(rep.state).toBe(JobState.FAILED);
    expect(rep.message).toContain("before any manager registered");
    expect(rep.message).toContain("exited 1");
    expect(rep.output).toBe("tail of /logs/b.err: fx: command not found");
    expect(rep.stderrPath).toBe("/logs/b.err");
    expect(of(a, "retire")).toEqual([expect.objectContaining({ blockId: "0" })]);
    s = recordActions(s, a, 5000);
    expect(s.blocks.size).toBe(0);
    expect(s.failureStreak).toBe(1);
  });

  test("a job cancelled by us is retired without a failure report", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.PENDING });
    s = recordCancelRequested(s, "0", 10);
    s = applyJobStatuses(s, new Map([["job-0", { state: JobState.CANCELLED }]]), 20);
    expect(kinds(planScaling(s, 20, cfg()))).toEqual(["retire"]);
  });

  test("a registered block whose job ended is retired quietly (its managers are handled by heartbeats)", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4 });
    s = applyJobStatuses(s, new Map([["job-0", { state: JobState.TIMEOUT }]]), 20);
    expect(planScaling(s, 20, cfg())).toEqual([{ kind: "retire", blockId: "0", reason: "job TIMEOUT" }]);
  });

  test("PENDING for a long time is fine: no report, no cancel", () => {
    const s = withBlock(emptyScalingState(), "0", 0, { state: JobState.PENDING });
    expect(planScaling(s, 10 * 3600_000, cfg())).toEqual([]);
  });

  test("RUNNING past registrationTimeout with no manager → report + cancel", () => {
    let s = withBlock(emptyScalingState(), "0", 1000, { state: JobState.PENDING });
    s = applyJobStatuses(s, new Map([["job-0", { state: JobState.RUNNING, stderrPath: "/l/e" }]]), 2000);
    expect(planScaling(s, 301_999, cfg())).toEqual([]);
    const a = planScaling(s, 302_000, cfg());
    expect(kinds(a)).toEqual(["report-failed", "cancel"]);
    expect(of(a, "report-failed")[0]!.message).toContain("without a manager registering");
    expect(of(a, "report-failed")[0]!.stderrPath).toBe("/l/e");
    s = recordActions(s, a, 302_000);
    expect(planScaling(s, 303_000, cfg())).toEqual([]); // not reported twice
  });

  test("a job the scheduler forgot before any manager registered is reported", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.UNKNOWN });
    expect(kinds(planScaling(s, 300_000, cfg()))).toEqual(["report-failed", "cancel"]);
  });

  test("after failures, submits back off (doubling) and a registration resets it", () => {
    expect(failureBackoffMs(0, CFG)).toBe(0);
    expect(failureBackoffMs(1, CFG)).toBe(5_000);
    expect(failureBackoffMs(3, CFG)).toBe(20_000);
    expect(failureBackoffMs(99, CFG)).toBe(300_000);
    let s = recordSubmitted(emptyScalingState(), "0", 0);
    s = recordSubmitFailed(s, "0", 1000);
    s = recordOutstanding(s, 5);
    expect(planScaling(s, 5_999, cfg())).toEqual([]);
    expect(planScaling(s, 6_000, cfg())).toEqual([expect.objectContaining({ kind: "submit", count: 1 })]); // one probe block, not 2
    s = recordSubmitted(s, "1", 6000);
    s = recordManagerRegistered(s, "1", 4, 7000);
    expect(s.failureStreak).toBe(0);
  });

  test("report is counted once even if recorded twice", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.FAILED });
    s = recordReported(s, "0", 1);
    expect(s.failureStreak).toBe(1);
    expect(kinds(planScaling(s, 2, cfg()))).toEqual(["retire"]);
  });
});

describe("walltime", () => {
  test("a block inside the walltime drain period is held (then cancelled once idle)", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 1 });
    s = applyJobStatuses(s, new Map([["job-0", { state: JobState.RUNNING, timeLeftSeconds: 100 }]]), 0); // ends at 100 000
    expect(s.blocks.get("0")!.endsAt).toBe(100_000);
    expect(planScaling(s, 69_999, cfg())).toEqual([]);
    const a = planScaling(s, 70_000, cfg());
    expect(a).toEqual([expect.objectContaining({ kind: "hold", blockId: "0" })]);
    s = recordActions(s, a, 70_000);
    s = recordBlockLoad(s, "0", 0, 80_000);
    expect(kinds(planScaling(s, 80_000, cfg()))).toEqual(["cancel"]);
  });

  test("the held block's capacity is replaced when work remains", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 4 });
    s = recordBlockEnd(s, "0", 50_000);
    s = recordOutstanding(s, 4);
    expect(kinds(planScaling(s, 30_000, cfg()))).toEqual(["hold", "submit"]);
  });
});

describe("bookkeeping", () => {
  test("manager lost lowers capacity and busy; idle clock starts when busy reaches 0", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 4, busy: 3 });
    s = recordManagerRegistered(s, "0", 4, 10);
    expect(s.blocks.get("0")!.capacity).toBe(8);
    s = recordManagerLost(s, "0", 4, 3, 500);
    const b = s.blocks.get("0")!;
    expect([b.managers, b.capacity, b.busy, b.idleSince]).toEqual([1, 4, 0, 500]);
  });

  test("updates to unknown blocks change nothing", () => {
    const s = emptyScalingState();
    expect(recordBlockLoad(s, "x", 1, 0)).toBe(s);
    expect(recordManagerRegistered(s, "x", 1, 0)).toBe(s);
  });

  test("state transitions never mutate the previous state", () => {
    const s0 = withBlock(emptyScalingState(), "0", 0, { slots: 4 });
    const before = JSON.stringify([...s0.blocks.values()]);
    recordHeld(s0, "0", "x", 5);
    recordBlockLoad(s0, "0", 2, 5);
    recordActions(s0, [{ kind: "retire", blockId: "0", reason: "x" }], 5);
    expect(JSON.stringify([...s0.blocks.values()])).toBe(before);
  });

  test("runningSince is the first RUNNING observation", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.PENDING });
    s = applyJobStatuses(s, new Map([["job-0", { state: JobState.RUNNING }]]), 100);
    s = applyJobStatuses(s, new Map([["job-0", { state: JobState.RUNNING }]]), 200);
    expect(s.blocks.get("0")!.runningSince).toBe(100);
  });
});

describe("estimates and observations", () => {
  test("blocks not yet registered are expected to bring what registered blocks advertise", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { slots: 8, busy: 8 });
    s = recordOutstanding(s, 24); // 24 wanted, 8 there, 8 per block expected → 2 more (not 16 with slotsPerBlock 1)
    expect(of(planScaling(s, 1000, cfg({ slotsPerBlock: 1, maxBlocks: 10 })), "submit")[0]!.count).toBe(2);
  });

  test("a failure reported in this plan holds back submits in the same plan", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.FAILED });
    s = recordOutstanding(s, 3);
    expect(kinds(planScaling(s, 1000, cfg()))).toEqual(["report-failed", "retire"]);
  });

  test("recordBlockObservation: first manager seen = registered; busy → idle starts the idle clock", () => {
    let s = withBlock(emptyScalingState(), "0", 0, { state: JobState.RUNNING });
    s = recordBlockObservation(s, "0", { managers: 1, capacity: 4, busy: 2 }, 100);
    expect(s.blocks.get("0")).toMatchObject({ registeredAt: 100, managers: 1, capacity: 4, busy: 2, idleSince: null });
    s = recordBlockObservation(s, "0", { managers: 1, capacity: 4, busy: 0 }, 200);
    s = recordBlockObservation(s, "0", { managers: 1, capacity: 4, busy: 0 }, 300);
    expect(s.blocks.get("0")).toMatchObject({ registeredAt: 100, idleSince: 200 });
  });
});
