/**
 * The scaling strategy: a pure function of the block book, `now` and the config, returning what to do.
 *
 *   const actions = planScaling(state, clock.now(), cfg);
 *   for (const a of actions) … // submit / hold / cancel / report-failed / retire
 *   state = recordActions(state, actions, now);   // holds, cancels, reports, retirements (submits: recordSubmitted)
 *
 * Rules, in order:
 *  1. A block whose job ended before any manager registered is reported (with its own output) and retired;
 *     any other ended block is retired. A block RUNNING longer than registrationTimeoutMs without a manager,
 *     or forgotten by the scheduler before registering, is cancelled and reported.
 *  2. A held block is cancelled once it runs no task, or when drainTimeoutMs has passed since the hold.
 *     A block within walltimeDrainMs of its walltime end is held (no new tasks; cancelled once idle).
 *  3. Scale-out: the first plan submits init_blocks; then enough blocks that serving capacity covers
 *     ceil(outstanding × parallelism) slots, and at least min_blocks — never above max_blocks, and not
 *     during the back-off after blocks failed before registering (then one block at a time until one registers).
 *  4. Scale-in (only when nothing is submitted): registered blocks idle for maxIdletimeMs are held,
 *     longest idle first, keeping min_blocks and the capacity outstanding work needs.
 */
import { JobState, isTerminal } from "../providers/provider.ts";
import type { ScalingConfig } from "./config.ts";
import {
  recordCancelRequested, recordHeld, recordReported, recordRetired,
  type BlockRecord, type ScalingState,
} from "./state.ts";

export type ScalingAction =
  | { readonly kind: "submit"; readonly count: number; readonly reason: string }
  | { readonly kind: "hold"; readonly blockId: string; readonly reason: string }
  | { readonly kind: "cancel"; readonly blockId: string; readonly reason: string }
  | {
      readonly kind: "report-failed";
      readonly blockId: string;
      readonly jobId: string | null;
      readonly state: JobState;
      /** One line: what happened to the block. */
      readonly message: string;
      /** The job's stdout/stderr tail when known; else read it from the paths. */
      readonly output: string;
      readonly stdoutPath: string | null;
      readonly stderrPath: string | null;
    }
  | { readonly kind: "retire"; readonly blockId: string; readonly reason: string };

const secs = (ms: number) => `${Math.round(ms / 1000)}s`;

function failureReport(b: BlockRecord, message: string): ScalingAction {
  return {
    kind: "report-failed", blockId: b.id, jobId: b.jobId, state: b.jobState, message,
    output: b.output ?? "", stdoutPath: b.stdoutPath, stderrPath: b.stderrPath,
  };
}

function jobLabel(b: BlockRecord): string {
  return `block ${b.id} (job ${b.jobId ?? "not submitted"})`;
}

/** Rule 1 and 2 for one block: its lifecycle actions, and whether it still serves tasks afterwards. */
function lifecycle(b: BlockRecord, now: number, cfg: ScalingConfig): { actions: ScalingAction[]; serving: boolean; live: boolean } {
  const why = b.jobMessage ? `: ${b.jobMessage}` : "";
  if (isTerminal(b.jobState)) {
    const actions: ScalingAction[] = [];
    if (b.registeredAt === null && b.cancelRequestedAt === null && !b.reported) {
      actions.push(failureReport(b, `${jobLabel(b)} ended ${b.jobState} before any manager registered${why}`));
    }
    actions.push({ kind: "retire", blockId: b.id, reason: `job ${b.jobState}` });
    return { actions, serving: false, live: false };
  }
  if (b.cancelRequestedAt !== null) {
    if (b.jobState === JobState.UNKNOWN) return { actions: [{ kind: "retire", blockId: b.id, reason: "cancelled; scheduler no longer knows the job" }], serving: false, live: false };
    return { actions: [], serving: false, live: true };
  }
  if (b.registeredAt === null) {
    const stuckRunning = b.jobState === JobState.RUNNING && b.runningSince !== null && now - b.runningSince >= cfg.registrationTimeoutMs;
    const forgotten = b.jobState === JobState.UNKNOWN && b.jobId !== null && now - b.submittedAt >= cfg.registrationTimeoutMs;
    if (stuckRunning || forgotten) {
      const msg = stuckRunning
        ? `${jobLabel(b)} has run ${secs(now - b.runningSince!)} without a manager registering`
        : `${jobLabel(b)} is unknown to the scheduler and no manager registered in ${secs(now - b.submittedAt)}${why}`;
      return {
        actions: [failureReport(b, msg), { kind: "cancel", blockId: b.id, reason: stuckRunning ? "no manager registered" : "job unknown to the scheduler" }],
        serving: false, live: false,
      };
    }
  }
  if (b.heldAt !== null) {
    if (b.busy === 0) return { actions: [{ kind: "cancel", blockId: b.id, reason: b.holdReason ?? "held and idle" }], serving: false, live: false };
    if (now - b.heldAt >= cfg.drainTimeoutMs) {
      return { actions: [{ kind: "cancel", blockId: b.id, reason: `drain_timeout: ${b.busy} task(s) still running after ${secs(now - b.heldAt)}` }], serving: false, live: false };
    }
    return { actions: [], serving: false, live: true };
  }
  if (b.endsAt !== null && b.endsAt - now <= cfg.walltimeDrainMs) {
    return { actions: [{ kind: "hold", blockId: b.id, reason: `walltime ends in ${secs(Math.max(0, b.endsAt - now))}` }], serving: false, live: true };
  }
  return { actions: [], serving: true, live: true };
}

/** Slots a serving block brings: what its managers advertised, or the estimate before they register. */
export function blockCapacity(b: BlockRecord, estimate: number): number {
  if (b.registeredAt === null) return estimate;
  return b.capacity;
}

/**
 * Slots a new block is expected to bring: the average of what registered blocks advertise, once any
 * have (the managers know their node), else the configured estimate.
 */
export function expectedSlotsPerBlock(blocks: Iterable<BlockRecord>, cfg: ScalingConfig): number {
  let n = 0;
  let sum = 0;
  for (const b of blocks) if (b.registeredAt !== null && b.managers > 0 && b.capacity > 0) { n++; sum += b.capacity; }
  return n > 0 ? Math.max(1, Math.round(sum / n)) : Math.max(1, cfg.slotsPerBlock);
}

/** Slots wanted for the outstanding work: at least one whenever there is any work. */
export function requiredSlots(outstanding: number, parallelism: number): number {
  if (outstanding <= 0) return 0;
  return Math.max(1, Math.ceil(outstanding * parallelism));
}

/** Milliseconds before submitting is allowed again after `streak` failures in a row. */
export function failureBackoffMs(streak: number, cfg: ScalingConfig): number {
  if (streak <= 0) return 0;
  return Math.min(cfg.failureBackoffMaxMs, cfg.failureBackoffMs * 2 ** Math.min(streak - 1, 30));
}

export function planScaling(state: ScalingState, now: number, cfg: ScalingConfig): ScalingAction[] {
  const actions: ScalingAction[] = [];
  const serving: BlockRecord[] = [];
  let live = 0;
  for (const b of state.blocks.values()) {
    const r = lifecycle(b, now, cfg);
    actions.push(...r.actions);
    if (r.live) live++;
    if (r.serving) serving.push(b);
  }

  const required = requiredSlots(state.outstanding, cfg.parallelism);
  const estimate = expectedSlotsPerBlock(state.blocks.values(), cfg);
  let capacity = serving.reduce((sum, b) => sum + blockCapacity(b, estimate), 0);

  let want = 0;
  let reason = "";
  if (state.everSubmitted === 0 && cfg.initBlocks > 0) {
    want = cfg.initBlocks;
    reason = "init_blocks";
  }
  if (required > capacity) {
    const n = Math.ceil((required - capacity) / estimate);
    if (n > want) { want = n; reason = `${state.outstanding} outstanding task(s) need ${required} slot(s), ${capacity} available`; }
  }
  if (live + want < cfg.minBlocks) { want = cfg.minBlocks - live; reason = "min_blocks"; }
  want = Math.min(want, cfg.maxBlocks - live);
  // After blocks failed before registering, probe with one block at a time until one registers.
  if (state.failureStreak > 0) want = Math.min(want, 1);
  // A block reported as failed in this very plan starts (or extends) the back-off at once.
  const failingNow = actions.some((a) => a.kind === "report-failed");
  const backingOff = failingNow || (state.failureStreak > 0 && state.lastFailureAt !== null && now < state.lastFailureAt + failureBackoffMs(state.failureStreak, cfg));
  if (want > 0 && !backingOff) {
    actions.push({ kind: "submit", count: want, reason });
    return actions;
  }

  const idle = serving
    .filter((b) => b.registeredAt !== null && b.busy === 0 && b.idleSince !== null && now - b.idleSince >= cfg.maxIdletimeMs)
    .sort((a, b) => a.idleSince! - b.idleSince!);
  let servingCount = serving.length;
  for (const b of idle) {
    if (servingCount - 1 < cfg.minBlocks) break;
    const cap = blockCapacity(b, estimate);
    if (capacity - cap < required) continue;
    actions.push({ kind: "hold", blockId: b.id, reason: `idle for ${secs(now - b.idleSince!)} (max_idletime)` });
    servingCount--;
    capacity -= cap;
  }
  return actions;
}

/**
 * Explicit scale-in of `count` blocks (a user command): blocks that run nothing go first — not yet
 * registered ones are cancelled outright, idle ones held (longest idle first) — and only then busy
 * blocks, fewest running tasks first. Never a busy block while an idle one remains.
 */
export function planScaleIn(state: ScalingState, count: number, now: number): ScalingAction[] {
  const candidates = [...state.blocks.values()].filter((b) => !isTerminal(b.jobState) && b.cancelRequestedAt === null && b.heldAt === null);
  const unregistered = candidates.filter((b) => b.registeredAt === null).sort((a, b) => b.submittedAt - a.submittedAt);
  const idle = candidates.filter((b) => b.registeredAt !== null && b.busy === 0).sort((a, b) => (a.idleSince ?? now) - (b.idleSince ?? now));
  const busy = candidates.filter((b) => b.registeredAt !== null && b.busy > 0).sort((a, b) => a.busy - b.busy);
  const actions: ScalingAction[] = [];
  for (const b of [...unregistered, ...idle, ...busy].slice(0, Math.max(0, count))) {
    actions.push(b.registeredAt === null
      ? { kind: "cancel", blockId: b.id, reason: "scale_in requested" }
      : { kind: "hold", blockId: b.id, reason: "scale_in requested" });
  }
  return actions;
}

/** Explicit scale-out by `count` blocks, capped by max_blocks. */
export function planScaleOut(state: ScalingState, count: number, cfg: ScalingConfig): ScalingAction[] {
  const live = [...state.blocks.values()].filter((b) => !isTerminal(b.jobState) && b.cancelRequestedAt === null).length;
  const n = Math.min(Math.max(0, count), cfg.maxBlocks - live);
  return n > 0 ? [{ kind: "submit", count: n, reason: "scale_out requested" }] : [];
}

/** Records what the shell did with the actions (submits are recorded per block by recordSubmitted). */
export function recordActions(state: ScalingState, actions: readonly ScalingAction[], now: number): ScalingState {
  let s = state;
  for (const a of actions) {
    switch (a.kind) {
      case "hold": s = recordHeld(s, a.blockId, a.reason, now); break;
      case "cancel": s = recordCancelRequested(s, a.blockId, now); break;
      case "report-failed": s = recordReported(s, a.blockId, now); break;
      case "retire": s = recordRetired(s, a.blockId); break;
      case "submit": break;
    }
  }
  return s;
}
