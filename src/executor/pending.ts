/**
 * The executor's outstanding tasks: id → settle functions. Results settle them in batches; a lost interchange
 * rejects them all at once. No timer per task.
 */
import { decodeValue, type WireResult } from "../protocol/index.ts";
import { RemoteError } from "./errors.ts";

interface Settle {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** Resolve with a TaskOutcome (value + where/when it ran) instead of the bare value. */
  detailed: boolean;
}

/** A finished task with its provenance (what `with({ detailed: true })` resolves to). */
export interface TaskOutcome<T = unknown> {
  readonly value: T;
  readonly host: string | undefined;
  readonly workerId: string | undefined;
  /** ms since epoch, as the worker saw them. */
  readonly startedMs: number | undefined;
  readonly endedMs: number | undefined;
}

export class PendingTasks {
  private readonly map = new Map<number, Settle>();
  private nextId = 1;
  /** Settled counts, for fx run and tests. */
  done = 0;
  failed = 0;

  get size(): number {
    return this.map.size;
  }

  /** A fresh task id and its promise. */
  add(detailed = false): { id: number; promise: Promise<unknown> } {
    const id = this.nextId++;
    let s!: Settle;
    const promise = new Promise<unknown>((resolve, reject) => (s = { resolve, reject, detailed }));
    this.map.set(id, s);
    return { id, promise };
  }

  /** Settles from a result; false when the id is unknown (already settled, or never ours). */
  settle(r: WireResult): boolean {
    const s = this.map.get(r.id);
    if (!s) return false;
    this.map.delete(r.id);
    if (r.error) {
      this.failed++;
      s.reject(new RemoteError(r.error, r.host, r.worker_id));
      return true;
    }
    let v: unknown;
    try {
      v = decodeValue(r.value!);
    } catch (e) {
      this.failed++;
      s.reject(e);
      return true;
    }
    this.done++;
    if (s.detailed) s.resolve({ value: v, host: r.host, workerId: r.worker_id, startedMs: r.t_start, endedMs: r.t_end } satisfies TaskOutcome);
    else s.resolve(v);
    return true;
  }

  reject(id: number, err: unknown): boolean {
    const s = this.map.get(id);
    if (!s) return false;
    this.map.delete(id);
    this.failed++;
    s.reject(err);
    return true;
  }

  /** Rejects every outstanding task with `err` (interchange lost, shutdown). */
  rejectAll(err: unknown): number {
    const n = this.map.size;
    const all = [...this.map.values()];
    this.map.clear();
    this.failed += n;
    for (const s of all) s.reject(err);
    return n;
  }
}
