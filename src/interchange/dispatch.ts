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
}

export interface DispatchInput {
  readonly managers: readonly DispatchManager[];
  /** Pending tasks per task type. */
  readonly pending: ReadonlyMap<string, number>;
  readonly mode: SchedulerMode;
  /** Round-robin position; pass back the returned one next time. */
  readonly cursor: number;
}

export interface Assignment {
  readonly managerId: string;
  readonly taskType: string;
  readonly count: number;
}

export interface DispatchPlan {
  readonly assignments: readonly Assignment[];
  readonly dispatched: number;
  readonly cursor: number;
}

interface Budget {
  readonly m: DispatchManager;
  cap: number;
  /** Remaining idle workers per type (copy of perType), or null. */
  idle: Map<string, number> | null;
  /** Remaining unused slots (soft mode second loop). */
  unused: number;
  readonly got: Map<string, number>;
}

function orderManagers(ms: readonly DispatchManager[], cursor: number): DispatchManager[] {
  const n = ms.length;
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
  if (!m.perType) return { m, cap, idle: null, unused: mode === "soft" ? cap : 0, got: new Map() };
  const idle = new Map<string, number>();
  let sum = 0;
  for (const [t, v] of Object.entries(m.perType)) {
    const k = Math.max(0, Math.floor(v));
    if (mode === "hard" && !m.anyType && !m.workerTypes.includes(t)) continue;
    idle.set(t, k);
    sum += k;
  }
  return { m, cap, idle, unused: mode === "soft" ? Math.max(0, cap - sum) : 0, got: new Map() };
}

function give(b: Budget, type: string, want: number, pending: Map<string, number>): number {
  const n = Math.min(want, b.cap, pending.get(type) ?? 0);
  if (n <= 0) return 0;
  b.cap -= n;
  pending.set(type, pending.get(type)! - n);
  b.got.set(type, (b.got.get(type) ?? 0) + n);
  return n;
}

/** One pass for one manager: at most `share` tasks. */
function fill(b: Budget, share: number, pending: Map<string, number>, mode: SchedulerMode): number {
  let left = Math.min(share, b.cap);
  const start = left;
  // first loop: idle workers of a type (or, without per_type, any type it runs)
  if (b.idle) {
    for (const [t, k] of b.idle) {
      if (left <= 0) break;
      const n = give(b, t, Math.min(k, left), pending);
      b.idle.set(t, k - n);
      left -= n;
    }
  } else if (mode === "hard") {
    for (const t of b.m.anyType ? [...pending.keys()] : b.m.workerTypes) {
      if (left <= 0) break;
      left -= give(b, t, left, pending);
    }
  }
  // second loop (soft): unused slots take any type
  if (mode === "soft") {
    for (const t of pending.keys()) {
      if (left <= 0 || b.unused <= 0) break;
      const n = give(b, t, Math.min(left, b.unused), pending);
      b.unused -= n;
      left -= n;
    }
  }
  return start - left;
}

export function planDispatch(input: DispatchInput): DispatchPlan {
  const pending = new Map(input.pending);
  let total = 0;
  for (const v of pending.values()) total += v;
  const interesting = input.managers.filter((m) => m.active && m.capacity >= 1);
  const cursor = input.managers.length > 0 ? (input.cursor + 1) % input.managers.length : 0;
  if (total === 0 || interesting.length === 0) return { assignments: [], dispatched: 0, cursor };
  const budgets = orderManagers(interesting, input.cursor).map((m) => budgetOf(m, input.mode));
  let dispatched = 0;
  for (;;) {
    const open = budgets.filter((b) => b.cap > 0);
    if (open.length === 0 || total - dispatched <= 0) break;
    const share = Math.max(1, Math.ceil((total - dispatched) / open.length));
    let progress = 0;
    for (const b of open) progress += fill(b, share, pending, input.mode);
    if (progress === 0) break;
    dispatched += progress;
  }
  const assignments: Assignment[] = [];
  for (const b of budgets) for (const [taskType, count] of b.got) assignments.push({ managerId: b.m.id, taskType, count });
  return { assignments, dispatched, cursor };
}
