/**
 * The naive container scheduler (funcX's container_sched.naive_scheduler), as a pure function of state and `now`.
 *
 * Exported API (used by the manager's WorkerMap on every scheduling tick):
 *   naiveScheduler(input: SchedulerInput) → SchedulerPlan
 *     input.queueLengths     Map<type, n>   tasks waiting at this manager, per worker type
 *     input.outstandingByType Map<type, n>  tasks already running on a worker of that type (optional)
 *     input.maxWorkers       number         cap on live workers (Infinity allowed)
 *     input.currentWorkers   Map<type, {total, idle, idleSince?}>  live workers (incl. starting ones),
 *                                           idle = registered and without a task; idleSince = ms
 *                                           timestamps (Clock.now()) at which each idle worker went idle
 *     input.toDie            Map<type, n>   kills already ordered and not yet done
 *     input.now, input.workerMaxIdletime    ms clock and seconds (executor.worker_max_idletime)
 *   → { target: Map<type, n>, create: Map<type, n>, kill: Map<type, n> }   (only non-zero entries in create/kill)
 *
 * Semantics (funcX's, made deterministic and kept within the cap):
 *  1. Demand per type = waiting + outstanding tasks. Workers of a type with kills pending are "blocked":
 *     they count against maxWorkers until they are gone (funcX's to_die_list).
 *  2. Busy workers stay in the target. Every other type with waiting tasks gets at least one worker (while the cap allows: with more such types than
 *     free slots, the longest queues win; ties by type name).
 *  3. The remaining slots are shared in proportion to demand (largest remainders first), never more than a
 *     type's demand.
 *  4. Create = target − current where positive, limited by the free slots (cap − live workers).
 *  5. Kill only idle workers, and only those idle longer than workerMaxIdletime — except when a type with
 *     waiting tasks needs a slot that only an idle worker of another (surplus) type can free: then idle
 *     surplus workers are killed at once (a full node would otherwise never switch types). Busy workers are
 *     never killed. Kills already pending (toDie) are subtracted from new kills.
 */

export interface WorkerCounts {
  /** Live workers of this type, including those still starting. */
  readonly total: number;
  /** Registered workers currently without a task. */
  readonly idle: number;
  /** When each idle worker became idle (ms, same clock as `now`); missing = treated as idle since `now`. */
  readonly idleSince?: readonly number[];
}

export interface SchedulerInput {
  readonly queueLengths: ReadonlyMap<string, number>;
  readonly outstandingByType?: ReadonlyMap<string, number>;
  readonly maxWorkers: number;
  readonly currentWorkers: ReadonlyMap<string, WorkerCounts>;
  readonly toDie?: ReadonlyMap<string, number>;
  /** ms */
  readonly now: number;
  /** seconds */
  readonly workerMaxIdletime: number;
}

export interface SchedulerPlan {
  /** Desired live workers per type (types with demand only). */
  readonly target: Map<string, number>;
  readonly create: Map<string, number>;
  readonly kill: Map<string, number>;
}

const get = (m: ReadonlyMap<string, number> | undefined, k: string): number => Math.max(0, m?.get(k) ?? 0);

export function naiveScheduler(input: SchedulerInput): SchedulerPlan {
  const types = allTypes(input);
  const demand = new Map<string, number>();
  const busy = new Map<string, number>();
  for (const t of types) {
    demand.set(t, get(input.queueLengths, t) + get(input.outstandingByType, t));
    const w = input.currentWorkers.get(t);
    if (w) busy.set(t, Math.max(0, w.total - Math.max(0, w.idle)));
  }
  const blocked = sum(types.map((t) => Math.min(get(input.toDie, t), input.currentWorkers.get(t)?.total ?? 0)));
  const target = allocate(types, demand, busy, input.queueLengths, Math.max(0, input.maxWorkers - blocked));
  const live = (t: string): number => Math.max(0, (input.currentWorkers.get(t)?.total ?? 0) - get(input.toDie, t));

  // Creations wanted, longest waiting queue first.
  const wanted = types
    .map((t) => ({ t, n: Math.max(0, (target.get(t) ?? 0) - live(t)) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => get(input.queueLengths, b.t) - get(input.queueLengths, a.t) || a.t.localeCompare(b.t));
  const idle = idleBeyondTarget(input, types, target, live);
  const free = Math.max(0, input.maxWorkers - blocked - sum(types.map(live)));
  const kill = planKills(types, idle, sum(wanted.map((x) => x.n)), free);
  let left = free + sum([...kill.values()]);
  const create = new Map<string, number>();
  for (const { t, n } of wanted) {
    const c = Math.min(n, left);
    if (c > 0) create.set(t, c);
    left -= c;
  }
  return { target, create, kill };
}

interface IdleBeyondTarget {
  /** Idle workers of the type beyond its target. */
  readonly surplus: Map<string, number>;
  /** Of those, the ones idle for at least worker_max_idletime. */
  readonly expired: Map<string, number>;
}

function idleBeyondTarget(input: SchedulerInput, types: readonly string[], target: ReadonlyMap<string, number>,
  live: (t: string) => number): IdleBeyondTarget {
  const surplus = new Map<string, number>();
  const expired = new Map<string, number>();
  const idleMs = input.workerMaxIdletime * 1000;
  for (const t of types) {
    const w = input.currentWorkers.get(t);
    if (!w) continue;
    const idle = Math.max(0, Math.min(w.idle, w.total) - get(input.toDie, t));
    const extra = Math.min(idle, Math.max(0, live(t) - (target.get(t) ?? 0)));
    const since = [...(w.idleSince ?? [])].sort((x, y) => x - y).slice(0, idle);
    surplus.set(t, extra);
    expired.set(t, Math.min(extra, since.filter((s) => input.now - s >= idleMs).length));
  }
  return { surplus, expired };
}

/** Expired idle surplus goes; then, if creations still lack slots, idle surplus of any type goes at once. */
function planKills(types: readonly string[], idle: IdleBeyondTarget, need: number, free: number): Map<string, number> {
  const kill = new Map<string, number>();
  for (const t of types) {
    const k = idle.expired.get(t) ?? 0;
    if (k > 0) kill.set(t, k);
  }
  let toFree = Math.max(0, need - free - sum([...kill.values()]));
  const bySurplus = [...types].sort((a, b) => (idle.surplus.get(b) ?? 0) - (idle.surplus.get(a) ?? 0) || a.localeCompare(b));
  for (const t of bySurplus) {
    if (toFree === 0) break;
    const extra = Math.min(toFree, (idle.surplus.get(t) ?? 0) - (kill.get(t) ?? 0));
    if (extra > 0) {
      kill.set(t, (kill.get(t) ?? 0) + extra);
      toFree -= extra;
    }
  }
  return kill;
}

function allTypes(input: SchedulerInput): string[] {
  const s = new Set<string>([...input.queueLengths.keys(), ...input.currentWorkers.keys()]);
  for (const k of input.outstandingByType?.keys() ?? []) s.add(k);
  return [...s].sort();
}

/**
 * Workers per type: busy workers stay (they can't be killed), then one per type with waiting tasks, then
 * the rest in proportion to the remaining demand.
 */
function allocate(types: readonly string[], taskDemand: ReadonlyMap<string, number>, busy: ReadonlyMap<string, number>,
  queues: ReadonlyMap<string, number>, cap: number): Map<string, number> {
  const target = new Map<string, number>();
  const demand = new Map(taskDemand);
  for (const t of types) {
    const b = get(busy, t);
    if (b > 0) {
      target.set(t, b);
      demand.set(t, Math.max(b, demand.get(t) ?? 0));
    }
  }
  const totalDemand = sum(types.map((t) => demand.get(t) ?? 0));
  if (totalDemand === 0 || cap <= 0) return target;
  let left = Math.max(0, Math.min(cap, totalDemand) - sum([...target.values()]));
  const waiting = types.filter((t) => get(queues, t) > 0 && !target.has(t))
    .sort((a, b) => get(queues, b) - get(queues, a) || a.localeCompare(b));
  for (const t of waiting) {
    if (left === 0) break;
    target.set(t, 1);
    left -= 1;
  }
  if (left === 0 || sum(types.map((t) => (demand.get(t) ?? 0) - (target.get(t) ?? 0))) <= 0) return target;
  const room = (t: string): number => (demand.get(t) ?? 0) - (target.get(t) ?? 0);
  const roomTotal = sum(types.map(room));
  const shares = types.map((t) => {
    const exact = (room(t) / roomTotal) * left;
    return { t, whole: Math.min(room(t), Math.floor(exact)), rest: exact - Math.floor(exact) };
  });
  for (const s of shares) if (s.whole > 0) target.set(s.t, (target.get(s.t) ?? 0) + s.whole);
  left -= sum(shares.map((s) => s.whole));
  shares.sort((a, b) => b.rest - a.rest || room(b.t) - room(a.t) || a.t.localeCompare(b.t));
  while (left > 0) {
    let gave = false;
    for (const s of shares) {
      if (left === 0) break;
      if (room(s.t) > 0) {
        target.set(s.t, (target.get(s.t) ?? 0) + 1);
        left -= 1;
        gave = true;
      }
    }
    if (!gave) break;
  }
  return target;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
