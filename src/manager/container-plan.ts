/**
 * The worker plan for container modes: the containers layer's naive scheduler (how many workers of each type
 * to create and kill) turned into concrete worker ids to stop (idle ones, longest idle first) and types to
 * start. Pure. Kills never take the pool below `minWorkers` unless a type with waiting tasks needs the slot.
 */
import { naiveScheduler, type WorkerCounts } from "./container-sched.ts";
import type { WorkerPlan, WorkerPlanInput } from "./worker-plan.ts";

export function containerPlan(input: WorkerPlanInput): WorkerPlan {
  const idleByType = new Map<string, { id: string; idleSince: number }[]>();
  for (const w of input.idle) {
    let l = idleByType.get(w.type);
    if (l === undefined) idleByType.set(w.type, (l = []));
    l.push({ id: w.id, idleSince: w.idleSince });
  }
  const currentWorkers = new Map<string, WorkerCounts>();
  for (const [type, total] of input.counts) {
    const idle = idleByType.get(type) ?? [];
    currentWorkers.set(type, { total, idle: idle.length, idleSince: idle.map((w) => w.idleSince) });
  }
  const plan = naiveScheduler({
    queueLengths: input.queued,
    outstandingByType: input.outstanding,
    maxWorkers: Math.max(0, input.maxWorkers - input.stopping),
    currentWorkers,
    now: input.now,
    workerMaxIdletime: input.maxIdleMs / 1000,
  });
  const start = input.draining ? [] : [...plan.create].filter(([, n]) => n > 0);
  const starting = start.reduce((s, [, n]) => s + n, 0);
  let live = 0;
  for (const n of input.counts.values()) live += n;
  let removable = Math.max(0, live + starting - input.minWorkers);
  const stop: string[] = [];
  for (const [type, n] of plan.kill) {
    const victims = [...(idleByType.get(type) ?? [])].sort((a, b) => a.idleSince - b.idleSince).slice(0, n);
    for (const v of victims) {
      if (removable <= 0) break;
      stop.push(v.id);
      removable--;
    }
  }
  return { start, stop };
}
