/**
 * The executor's outstanding tasks: id → settle functions. Results settle them in batches; a lost interchange
 * rejects them all at once. No timer per task.
 */
import { decodeValue, type WireResult } from "../protocol/index.ts";
import { RemoteError } from "./errors.ts";

/** A finished task with its provenance (what `with({ detailed: true })` resolves to). */
export interface TaskOutcome<T = unknown> {
  readonly value: T;
  readonly host: string | undefined;
  readonly workerId: string | undefined;
  /** ms since epoch, as the worker saw them. */
  readonly startedMs: number | undefined;
  readonly endedMs: number | undefined;
}

/** Ids are handed out in order, so the settle functions live in fixed-size segments indexed by id, not in a Map of
 *  one object per task: a million pending tasks cost their promises and resolving functions, little else. */
const SEG = 4096;

interface Segment {
  readonly resolve: (((v: unknown) => void) | undefined)[];
  readonly reject: (((e: unknown) => void) | undefined)[];
  /** Tasks of this segment still pending; the segment goes when it reaches 0 and no new id can land in it. */
  live: number;
}

export class PendingTasks {
  private readonly segs = new Map<number, Segment>();
  /** Ids whose promise resolves to a TaskOutcome (with({ detailed: true }); rare, so a set). */
  private readonly detailed = new Set<number>();
  private nextId = 1;
  private count = 0;
  /** Settled counts, for fx run and tests. */
  done = 0;
  failed = 0;

  get size(): number {
    return this.count;
  }

  /** A fresh task id and its promise. */
  add(detailed = false): { id: number; promise: Promise<unknown> } {
    const id = this.nextId++;
    const k = Math.floor(id / SEG);
    let seg = this.segs.get(k);
    if (seg === undefined) {
      seg = { resolve: new Array(SEG), reject: new Array(SEG), live: 0 };
      this.segs.set(k, seg);
    }
    const i = id % SEG;
    const promise = new Promise<unknown>((resolve, reject) => {
      seg.resolve[i] = resolve;
      seg.reject[i] = reject;
    });
    seg.live++;
    this.count++;
    if (detailed) this.detailed.add(id);
    return { id, promise };
  }

  /** Removes a pending id and gives its settle functions (undefined when unknown: settled, or never ours). */
  private take(id: number): { resolve: (v: unknown) => void; reject: (e: unknown) => void } | undefined {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const k = Math.floor(id / SEG);
    const seg = this.segs.get(k);
    if (seg === undefined) return undefined;
    const i = id % SEG;
    const resolve = seg.resolve[i];
    const reject = seg.reject[i];
    if (resolve === undefined || reject === undefined) return undefined;
    seg.resolve[i] = undefined;
    seg.reject[i] = undefined;
    this.count--;
    // A segment still being filled keeps living; a full one goes with its last pending task (its last id was
    // handed out before nextId left it, so that task settles after).
    if (--seg.live === 0 && k !== Math.floor(this.nextId / SEG)) this.segs.delete(k);
    return { resolve, reject };
  }

  /** Settles from a result; false when the id is unknown (already settled, or never ours). */
  settle(r: WireResult): boolean {
    const s = this.take(r.id);
    if (!s) return false;
    const detailed = this.detailed.size > 0 && this.detailed.delete(r.id);
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
    if (detailed) s.resolve({ value: v, host: r.host, workerId: r.worker_id, startedMs: r.t_start, endedMs: r.t_end } satisfies TaskOutcome);
    else s.resolve(v);
    return true;
  }

  reject(id: number, err: unknown): boolean {
    const s = this.take(id);
    if (!s) return false;
    this.detailed.delete(id);
    this.failed++;
    s.reject(err);
    return true;
  }

  /** Rejects every outstanding task with `err` (interchange lost, shutdown). */
  rejectAll(err: unknown): number {
    const all: ((e: unknown) => void)[] = [];
    for (const seg of this.segs.values()) {
      for (const f of seg.reject) if (f !== undefined) all.push(f);
    }
    const n = all.length;
    this.segs.clear();
    this.detailed.clear();
    this.count = 0;
    this.failed += n;
    for (const f of all) f(err);
    return n;
  }
}
