/**
 * Which queued tasks go to which manager: a pure function of the managers' advertised capacity and the
 * pending counts per task type (funcX's interchange_task_dispatch, made deterministic and load-spreading).
 *
 *   hard: a manager only gets tasks of the worker types it runs (bounded by its idle workers of each type
 *         when it reports `per_type`, else by its total capacity).
 *   soft: first its idle workers of each type get tasks of that type ("first loop"), then its unused slots
 *         (capacity − Σ per_type: slots where it may start a new worker of any type) take tasks of any
 *         queued type ("second loop").
 *
 * Load spreads: managers are visited least-loaded first (outstanding per worker), ties broken round-robin by
 * `cursor`; each pass gives every manager at most a fair share of what is pending, and passes repeat until
 * nothing more fits.
 *
 * Walltime: pending work is counted per *lane*: a task type, or a task type plus a declared duration (see
 * `laneOf`). A manager that registered a walltime end never gets a task of a lane whose duration exceeds its
 * remaining time at `now`; tasks without a duration are unaffected. Among the lanes of one type a manager takes
 * the longest that fit first (long tasks go where they fit, short managers keep the short ones), untimed last.
 * A task no manager fits stays queued: a later manager (a new block) may fit it.
 */
import type { SchedulerMode } from "../config/schema.ts";

export interface DispatchManager {
  readonly id: string;
  /** Tasks it can take now (from its last request, minus what was sent since). */
  readonly capacity: number;
  /** Idle workers per worker type it reported; absent = any of its types up to `capacity`. */
  readonly perType?: Readonly<Record<string, number>>;
  readonly workerTypes: readonly string[];
  /** It can start a worker of any type (a container worker mode): every task type is its own. */
  readonly anyType?: boolean;
  /** Tasks in flight on it. */
  readonly outstanding: number;
  readonly workerCount: number;
  /** False when held, draining or not registered: gets nothing. */
  readonly active: boolean;
  /** When its block's walltime ends, on the same clock as `now` (from its registration's walltime_end_ms);
   *  absent = unknown. */
  readonly walltimeEndMs?: number;
}

/** A queue of pending tasks: one task type, with or without a declared duration. */
export interface Lane {
  readonly taskType: string;
  /** Declared duration the lane's tasks may need at most, seconds; NaN = none declared. */
  readonly seconds: number;
}

/**
 * The lane a task with this type and declared duration goes to: its type alone when no duration is declared,
 * else the type plus the duration rounded UP to two significant digits (at least 1 s), so the lanes stay few
 * (at most ~90 per decade of seconds) and a lane's bound is never below what its tasks declared.
 */
export function laneOf(taskType: string, durationS: number | undefined): { key: string; lane: Lane } {
  if (durationS === undefined || !Number.isFinite(durationS) || durationS <= 0) return { key: taskType, lane: { taskType, seconds: NaN } };
  const d = Math.max(1, durationS);
  const step = 10 ** (Math.floor(Math.log10(d)) - 1);
  const seconds = Math.ceil(Math.round((d / step) * 1e6) / 1e6) * step;
  const rounded = Number(seconds.toPrecision(2));
  return { key: `${taskType}\u0000${rounded}`, lane: { taskType, seconds: rounded } };
}

export interface DispatchInput {
  readonly managers: readonly DispatchManager[];
  /** Pending tasks per lane key (see `lanes`); without `lanes`, per task type. */
  readonly pending: ReadonlyMap<string, number>;
  /** What each pending key stands for; a key not in it is a task type with no declared duration. */
  readonly lanes?: ReadonlyMap<string, Lane>;
  readonly mode: SchedulerMode;
  /** Round-robin position; pass back the returned one next time. */
  readonly cursor: number;
  /** Time the walltime checks are made at (ms, the clock of walltimeEndMs); needed only when a manager has one. */
  readonly now?: number;
}

export interface Assignment {
  readonly managerId: string;
  readonly taskType: string;
  /** The pending key (lane) the tasks come from; equals taskType for tasks without a declared duration. */
  readonly lane: string;
  readonly count: number;
}

export interface DispatchPlan {
  readonly assignments: readonly Assignment[];
  readonly dispatched: number;
  readonly cursor: number;
}

/** One pending lane of this plan: its key, what it stands for, and how many of its tasks are not yet given. */
interface LaneLeft {
  readonly key: string;
  readonly lane: Lane;
  left: number;
}

interface Budget {
  readonly m: DispatchManager;
  cap: number;
  /** Remaining idle workers per type (copy of perType), or null. */
  idle: Map<string, number> | null;
  /** Remaining unused slots (soft mode second loop). */
  unused: number;
  /** Tasks given per lane, in the order the lanes were first given. */
  readonly got: { readonly of: LaneLeft; count: number }[];
}

function orderManagers(ms: readonly DispatchManager[], cursor: number): readonly DispatchManager[] {
  const n = ms.length;
  if (n === 1) return ms;
  const rot = (i: number) => (((i - cursor) % n) + n) % n;
  const idx = ms.map((_, i) => i);
  idx.sort((a, b) => {
    const la = ms[a]!.outstanding / Math.max(1, ms[a]!.workerCount);
    const lb = ms[b]!.outstanding / Math.max(1, ms[b]!.workerCount);
    return la - lb || rot(a) - rot(b);
  });
  return idx.map((i) => ms[i]!);
}

function budgetOf(m: DispatchManager, mode: SchedulerMode): Budget {
  const cap = Math.max(0, Math.floor(m.capacity));
  if (!m.perType) return { m, cap, idle: null, unused: mode === "soft" ? cap : 0, got: [] };
  const idle = new Map<string, number>();
  let sum = 0;
  for (const [t, v] of Object.entries(m.perType)) {
    const k = Math.max(0, Math.floor(v));
    if (mode === "hard" && !m.anyType && !m.workerTypes.includes(t)) continue;
    idle.set(t, k);
    sum += k;
  }
  return { m, cap, idle, unused: mode === "soft" ? Math.max(0, cap - sum) : 0, got: [] };
}

interface Lanes {
  /** Pending lanes per task type, longest declared duration first, the untimed lane last. */
  readonly byType: Map<string, LaneLeft[]>;
  readonly now: number;
}

/** The pending lanes by task type. Plain objects and one Map: this runs every event-loop turn with work queued. */
function buildLanes(input: DispatchInput): Lanes {
  const byType = new Map<string, LaneLeft[]>();
  for (const [key, left] of input.pending) {
    const lane = input.lanes?.get(key) ?? { taskType: key, seconds: NaN };
    let ls = byType.get(lane.taskType);
    if (!ls) byType.set(lane.taskType, (ls = []));
    ls.push({ key, lane, left });
  }
  const rank = (l: LaneLeft) => (Number.isNaN(l.lane.seconds) ? -1 : l.lane.seconds);
  for (const ls of byType.values()) if (ls.length > 1) ls.sort((a, b) => rank(b) - rank(a));
  return { byType, now: input.now ?? 0 };
}

/** Whether no block of `blockWalltimeS` seconds can ever run this lane's tasks (a block's time left only shrinks). */
export function laneOutlastsBlocks(lane: Lane, blockWalltimeS: number): boolean {
  return lane.seconds >= blockWalltimeS; // false for an untimed lane (NaN) and for blocks without a walltime (Infinity)
}

/** Whether a manager may take tasks of this lane at `now`: no declared duration, no known end, or it fits. */
export function laneFits(m: Pick<DispatchManager, "walltimeEndMs">, lane: Lane, now: number): boolean {
  if (Number.isNaN(lane.seconds) || m.walltimeEndMs === undefined) return true;
  return lane.seconds * 1000 <= m.walltimeEndMs - now;
}

/** Gives up to `want` tasks of one type (its lanes that fit this manager, longest first). */
function give(b: Budget, type: string, want: number, lanes: Lanes): number {
  const ls = lanes.byType.get(type);
  if (!ls) return 0;
  let total = 0;
  for (const l of ls) {
    const n = Math.min(want - total, b.cap, l.left);
    if (n <= 0) continue;
    if (!laneFits(b.m, l.lane, lanes.now)) continue;
    b.cap -= n;
    l.left -= n;
    const g = b.got.find((x) => x.of === l);
    if (g) g.count += n;
    else b.got.push({ of: l, count: n });
    total += n;
    if (total >= want || b.cap <= 0) break;
  }
  return total;
}

/** One pass for one manager: at most `share` tasks. */
function fill(b: Budget, share: number, mode: SchedulerMode, lanes: Lanes): number {
  let left = Math.min(share, b.cap);
  const start = left;
  // first loop: idle workers of a type (or, without per_type, any type it runs)
  if (b.idle) {
    for (const [t, k] of b.idle) {
      if (left <= 0) break;
      const n = give(b, t, Math.min(k, left), lanes);
      b.idle.set(t, k - n);
      left -= n;
    }
  } else if (mode === "hard") {
    for (const t of b.m.anyType ? lanes.byType.keys() : b.m.workerTypes) {
      if (left <= 0) break;
      left -= give(b, t, left, lanes);
    }
  }
  // second loop (soft): unused slots take any type
  if (mode === "soft") {
    for (const t of lanes.byType.keys()) {
      if (left <= 0 || b.unused <= 0) break;
      const n = give(b, t, Math.min(left, b.unused), lanes);
      b.unused -= n;
      left -= n;
    }
  }
  return start - left;
}

export function planDispatch(input: DispatchInput): DispatchPlan {
  let total = 0;
  for (const v of input.pending.values()) total += v;
  const interesting = input.managers.filter((m) => m.active && m.capacity >= 1);
  const cursor = input.managers.length > 0 ? (input.cursor + 1) % input.managers.length : 0;
  if (total === 0 || interesting.length === 0) return { assignments: [], dispatched: 0, cursor };
  const lanes = buildLanes(input);
  const budgets = orderManagers(interesting, input.cursor).map((m) => budgetOf(m, input.mode));
  let dispatched = 0;
  for (;;) {
    let open = 0;
    for (const b of budgets) if (b.cap > 0) open++;
    if (open === 0 || total - dispatched <= 0) break;
    const share = Math.max(1, Math.ceil((total - dispatched) / open));
    let progress = 0;
    // a budget's cap only drops in its own fill, so those open at the start of the pass are the ones with cap > 0 here
    for (const b of budgets) if (b.cap > 0) progress += fill(b, share, input.mode, lanes);
    if (progress === 0) break;
    dispatched += progress;
  }
  const assignments: Assignment[] = [];
  for (const b of budgets) for (const g of b.got) assignments.push({ managerId: b.m.id, taskType: g.of.lane.taskType, lane: g.of.key, count: g.count });
  return { assignments, dispatched, cursor };
}
