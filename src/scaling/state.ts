/**
 * Block bookkeeping for the scaling strategy, as pure functions: each takes the state (and `now`)
 * and returns a new state; nothing here does I/O or reads a clock. The interchange feeds it what it
 * observes (submits, provider statuses, manager registrations, per-block load) and asks planScaling().
 * Times are milliseconds of the injected Clock.
 */
import { JobState, isTerminal, type JobStatus } from "../providers/provider.ts";

export interface BlockRecord {
  readonly id: string;
  /** null while the submit is in flight. */
  readonly jobId: string | null;
  readonly jobState: JobState;
  readonly jobMessage: string | null;
  readonly submittedAt: number;
  /** First time the provider reported the job RUNNING. */
  readonly runningSince: number | null;
  /** First time one of its managers registered. */
  readonly registeredAt: number | null;
  /** Connected managers and their worker slots. */
  readonly managers: number;
  readonly capacity: number;
  /** Tasks running on its managers. */
  readonly busy: number;
  /** When busy last became 0 (registration counts); null while busy. */
  readonly idleSince: number | null;
  readonly heldAt: number | null;
  readonly holdReason: string | null;
  readonly cancelRequestedAt: number | null;
  /** When the scheduler will end the job (walltime), if known. */
  readonly endsAt: number | null;
  /** The job's stdout/stderr tail, filled in when it ended (for report-failed). */
  readonly output: string | null;
  /** Where the job's output goes, as the provider reported it (read for a report while it still runs). */
  readonly stdoutPath: string | null;
  readonly stderrPath: string | null;
  readonly reported: boolean;
}

export interface ScalingState {
  readonly blocks: ReadonlyMap<string, BlockRecord>;
  /** Tasks waiting or running (the work capacity is wanted for). */
  readonly outstanding: number;
  readonly everSubmitted: number;
  /** Blocks in a row that ended or timed out before any manager registered. */
  readonly failureStreak: number;
  readonly lastFailureAt: number | null;
}

export function emptyScalingState(): ScalingState {
  return { blocks: new Map(), outstanding: 0, everSubmitted: 0, failureStreak: 0, lastFailureAt: null };
}

function withBlock(s: ScalingState, b: BlockRecord): ScalingState {
  const blocks = new Map(s.blocks);
  blocks.set(b.id, b);
  return { ...s, blocks };
}

function update(s: ScalingState, blockId: string, f: (b: BlockRecord) => BlockRecord): ScalingState {
  const b = s.blocks.get(blockId);
  return b ? withBlock(s, f(b)) : s;
}

/** A submit was issued for a new block (job id not known yet). */
export function recordSubmitted(s: ScalingState, blockId: string, now: number): ScalingState {
  const b: BlockRecord = {
    id: blockId, jobId: null, jobState: JobState.PENDING, jobMessage: null, submittedAt: now,
    runningSince: null, registeredAt: null, managers: 0, capacity: 0, busy: 0, idleSince: null,
    heldAt: null, holdReason: null, cancelRequestedAt: null, endsAt: null, output: null, stdoutPath: null, stderrPath: null, reported: false,
  };
  return { ...withBlock(s, b), everSubmitted: s.everSubmitted + 1 };
}

export function recordJobId(s: ScalingState, blockId: string, jobId: string): ScalingState {
  return update(s, blockId, (b) => ({ ...b, jobId }));
}

/** The submit itself failed: the block never existed; counts as a failure for the backoff. */
export function recordSubmitFailed(s: ScalingState, blockId: string, now: number): ScalingState {
  const blocks = new Map(s.blocks);
  blocks.delete(blockId);
  return { ...s, blocks, failureStreak: s.failureStreak + 1, lastFailureAt: now };
}

/**
 * Applies one provider status poll. `readOutput` (I/O, injected) is called once per block that ended
 * before registering, to keep its stdout/stderr tail for the failure report.
 */
export function applyJobStatuses(
  s: ScalingState,
  statuses: ReadonlyMap<string, JobStatus>,
  now: number,
  readOutput?: (status: JobStatus) => string,
): ScalingState {
  let out = s;
  for (const b of s.blocks.values()) {
    if (b.jobId === null) continue;
    const st = statuses.get(b.jobId);
    if (!st) continue;
    let next: BlockRecord = {
      ...b,
      jobState: st.state,
      jobMessage: st.message ?? null,
      stdoutPath: st.stdoutPath ?? b.stdoutPath,
      stderrPath: st.stderrPath ?? b.stderrPath,
    };
    if (st.state === JobState.RUNNING && b.runningSince === null) next = { ...next, runningSince: now };
    if (st.timeLeftSeconds !== undefined && st.state === JobState.RUNNING) next = { ...next, endsAt: now + st.timeLeftSeconds * 1000 };
    if (isTerminal(st.state) && b.registeredAt === null && next.output === null && readOutput) next = { ...next, output: readOutput(st) };
    out = withBlock(out, next);
  }
  return out;
}

export function recordManagerRegistered(s: ScalingState, blockId: string, slots: number, now: number): ScalingState {
  const next = update(s, blockId, (b) => ({
    ...b,
    managers: b.managers + 1,
    capacity: b.capacity + slots,
    registeredAt: b.registeredAt ?? now,
    idleSince: b.busy === 0 ? (b.idleSince ?? now) : null,
  }));
  return next === s ? s : { ...next, failureStreak: 0, lastFailureAt: null };
}

export function recordManagerLost(s: ScalingState, blockId: string, slots: number, busyLost: number, now: number): ScalingState {
  return update(s, blockId, (b) => {
    const busy = Math.max(0, b.busy - busyLost);
    return {
      ...b,
      managers: Math.max(0, b.managers - 1),
      capacity: Math.max(0, b.capacity - slots),
      busy,
      idleSince: busy === 0 ? (b.idleSince ?? now) : null,
    };
  });
}

/**
 * What the interchange sees of a block right now (its connected managers, their worker slots, tasks
 * running on them): for shells that poll their registry instead of reporting each event.
 */
export function recordBlockObservation(
  s: ScalingState,
  blockId: string,
  seen: { readonly managers: number; readonly capacity: number; readonly busy: number },
  now: number,
): ScalingState {
  const b = s.blocks.get(blockId);
  if (!b) return s;
  if (b.managers === seen.managers && b.capacity === seen.capacity && b.busy === seen.busy) return s;
  const firstRegistration = b.registeredAt === null && seen.managers > 0;
  const next = withBlock(s, {
    ...b,
    managers: seen.managers,
    capacity: seen.capacity,
    busy: seen.busy,
    registeredAt: firstRegistration ? now : b.registeredAt,
    idleSince: seen.busy === 0 ? (b.idleSince ?? now) : null,
  });
  return firstRegistration ? { ...next, failureStreak: 0, lastFailureAt: null } : next;
}

/** The number of tasks running on the block's managers changed. */
export function recordBlockLoad(s: ScalingState, blockId: string, busy: number, now: number): ScalingState {
  return update(s, blockId, (b) => {
    if (b.busy === busy) return b;
    return { ...b, busy, idleSince: busy === 0 ? (b.idleSince ?? now) : null };
  });
}

export function recordOutstanding(s: ScalingState, outstanding: number): ScalingState {
  return s.outstanding === outstanding ? s : { ...s, outstanding };
}

/** Walltime end known from elsewhere (e.g. the manager's registration). */
export function recordBlockEnd(s: ScalingState, blockId: string, endsAt: number): ScalingState {
  return update(s, blockId, (b) => ({ ...b, endsAt }));
}

export function recordHeld(s: ScalingState, blockId: string, reason: string, now: number): ScalingState {
  return update(s, blockId, (b) => (b.heldAt !== null ? b : { ...b, heldAt: now, holdReason: reason }));
}

export function recordCancelRequested(s: ScalingState, blockId: string, now: number): ScalingState {
  return update(s, blockId, (b) => (b.cancelRequestedAt !== null ? b : { ...b, cancelRequestedAt: now }));
}

/** A failure report went out; counts toward the submit backoff. */
export function recordReported(s: ScalingState, blockId: string, now: number): ScalingState {
  const next = update(s, blockId, (b) => ({ ...b, reported: true }));
  return next === s ? s : { ...next, failureStreak: s.failureStreak + 1, lastFailureAt: now };
}

export function recordRetired(s: ScalingState, blockId: string): ScalingState {
  if (!s.blocks.has(blockId)) return s;
  const blocks = new Map(s.blocks);
  blocks.delete(blockId);
  return { ...s, blocks };
}
