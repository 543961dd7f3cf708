/**
 * Results waiting to go to the interchange: flushed when `maxSize` are held (size bound) or when the
 * oldest has waited `periodMs` (time bound; one timer per batch, never one per result).
 */
import type { WireResult } from "../protocol/messages.ts";

export interface ResultBatchOptions {
  readonly maxSize: number;
  readonly periodMs: number;
  /** Sends one batch; must not throw. */
  readonly send: (results: WireResult[]) => void;
}

export class ResultBatch {
  private batch: WireResult[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate = false;
  /** Batches sent and results sent, for stats. */
  sentBatches = 0;
  sentResults = 0;

  constructor(private readonly opts: ResultBatchOptions) {}

  get size(): number {
    return this.batch.length;
  }

  add(r: WireResult): void {
    this.batch.push(r);
    if (this.batch.length >= this.opts.maxSize) this.flush();
    else if (this.batch.length === 1) this.arm();
  }

  addAll(rs: readonly WireResult[]): void {
    for (const r of rs) this.add(r);
  }

  private arm(): void {
    if (this.opts.periodMs <= 0) {
      if (!this.immediate) {
        this.immediate = true;
        setImmediate(() => {
          this.immediate = false;
          this.flush();
        });
      }
      return;
    }
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.opts.periodMs);
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.batch.length === 0) return;
    const out = this.batch;
    this.batch = [];
    this.sentBatches++;
    this.sentResults += out.length;
    this.opts.send(out);
  }

  close(): void {
    this.flush();
  }
}
