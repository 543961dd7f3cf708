/**
 * Container cold-start measurement for the WorkerMap: time from spawning a worker's container to the
 * worker's registration, per worker type. Times come from the caller's Clock (ms); nothing here sleeps.
 *
 *   const cs = new ColdStartTracker();
 *   cs.spawned(workerId, type, clock.now());
 *   cs.registered(workerId, clock.now())  → elapsed ms, or null for an unknown id
 *   cs.failed(workerId)                   forget a worker that never registered
 *   cs.stats()                            → Map<type, { count, lastMs, minMs, maxMs, meanMs, pending }>
 *   cs.summary()                          → one short line for logs ("img: n=3 mean=412ms min=380ms max=470ms")
 */
export interface ColdStartStats {
  readonly count: number;
  readonly lastMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Workers of this type spawned and not yet registered. */
  readonly pending: number;
}

interface Acc { count: number; last: number; min: number; max: number; total: number }

export class ColdStartTracker {
  private readonly started = new Map<string, { type: string; at: number }>();
  private readonly byType = new Map<string, Acc>();

  spawned(workerId: string, type: string, now: number): void {
    this.started.set(workerId, { type, at: now });
  }

  registered(workerId: string, now: number): number | null {
    const s = this.started.get(workerId);
    if (!s) return null;
    this.started.delete(workerId);
    const ms = Math.max(0, now - s.at);
    const a = this.byType.get(s.type) ?? { count: 0, last: 0, min: Infinity, max: 0, total: 0 };
    a.count += 1;
    a.last = ms;
    a.min = Math.min(a.min, ms);
    a.max = Math.max(a.max, ms);
    a.total += ms;
    this.byType.set(s.type, a);
    return ms;
  }

  failed(workerId: string): void {
    this.started.delete(workerId);
  }

  stats(): Map<string, ColdStartStats> {
    const pending = new Map<string, number>();
    for (const s of this.started.values()) pending.set(s.type, (pending.get(s.type) ?? 0) + 1);
    const out = new Map<string, ColdStartStats>();
    for (const t of new Set([...this.byType.keys(), ...pending.keys()])) {
      const a = this.byType.get(t);
      out.set(t, a
        ? { count: a.count, lastMs: a.last, minMs: a.min, maxMs: a.max, meanMs: a.total / a.count, pending: pending.get(t) ?? 0 }
        : { count: 0, lastMs: 0, minMs: 0, maxMs: 0, meanMs: 0, pending: pending.get(t) ?? 0 });
    }
    return out;
  }

  summary(): string {
    const parts: string[] = [];
    for (const [t, s] of this.stats()) {
      parts.push(s.count === 0 ? `${t}: pending=${s.pending}`
        : `${t}: n=${s.count} mean=${Math.round(s.meanMs)}ms min=${Math.round(s.minMs)}ms max=${Math.round(s.maxMs)}ms`);
    }
    return parts.join("; ");
  }
}
