/**
 * Which workers to start and stop, as a pure function of the WorkerMap's counts and `now`. Used for the
 * plain (no_container) mode and as the fallback when no container scheduler is wired in:
 *  - start workers for types with queued tasks while there is room (never while draining);
 *  - with no room and a type that has queued tasks but no worker at all, stop an idle worker of another type;
 *  - stop workers idle longer than `maxIdleMs`, keeping at least `minWorkers`.
 */

export interface IdleWorker {
  readonly id: string;
  readonly type: string;
  readonly idleSince: number;
}

export interface WorkerPlanInput {
  /** Live workers (starting or ready) per type. */
  readonly counts: ReadonlyMap<string, number>;
  /** Of those, still starting (not yet said hello) per type. */
  readonly starting: ReadonlyMap<string, number>;
  readonly queued: ReadonlyMap<string, number>;
  /** Tasks handed to workers and not yet answered, per type. */
  readonly outstanding: ReadonlyMap<string, number>;
  /** Workers asked to stop and not gone yet (they still hold a slot). */
  readonly stopping: number;
  readonly idle: readonly IdleWorker[];
  readonly maxWorkers: number;
  readonly minWorkers: number;
  readonly maxIdleMs: number;
  readonly draining: boolean;
  readonly now: number;
}

export interface WorkerPlan {
  readonly start: readonly (readonly [type: string, count: number])[];
  readonly stop: readonly string[];
}

const sum = (m: ReadonlyMap<string, number>): number => {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
};

export function planWorkers(input: WorkerPlanInput): WorkerPlan {
  const start: [string, number][] = [];
  const stop: string[] = [];
  let live = sum(input.counts) + input.stopping;
  const stopped = new Set<string>();

  if (!input.draining) {
    for (const [type, q] of input.queued) {
      if (q <= 0) continue;
      const room = input.maxWorkers - live;
      const want = Math.min(room, q - (input.starting.get(type) ?? 0));
      if (want > 0) {
        start.push([type, want]);
        live += want;
      } else if (room <= 0 && (input.counts.get(type) ?? 0) === 0) {
        const victim = input.idle.find((w) => w.type !== type && !stopped.has(w.id));
        if (victim !== undefined) {
          stopped.add(victim.id);
          stop.push(victim.id);
          start.push([type, 1]);
        }
      }
    }
  }

  let keep = live - input.stopping - stop.length;
  for (const w of [...input.idle].sort((a, b) => a.idleSince - b.idleSince)) {
    if (keep <= input.minWorkers) break;
    if (stopped.has(w.id) || input.now - w.idleSince < input.maxIdleMs) continue;
    stopped.add(w.id);
    stop.push(w.id);
    keep--;
  }
  return { start, stop };
}
