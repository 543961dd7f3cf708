import { release } from "../util/release.ts";

/**
 * A FIFO of task slots (int32 ring buffer that doubles when full), with push-front for re-queued tasks
 * (retries go ahead of new work). One per task type; the interchange keeps them in a TaskQueues.
 */
export class SlotRing {
  private buf: Int32Array;
  private head = 0;
  private len = 0;

  constructor(initial = 1024) {
    let cap = 16;
    while (cap < initial) cap *= 2;
    this.buf = new Int32Array(cap);
  }

  get length(): number {
    return this.len;
  }

  push(slot: number): void {
    if (this.len === this.buf.length) this.expand();
    this.buf[(this.head + this.len) & (this.buf.length - 1)] = slot;
    this.len++;
  }

  pushFront(slot: number): void {
    if (this.len === this.buf.length) this.expand();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = slot;
    this.len++;
  }

  /** The oldest slot, or -1 when empty. */
  shift(): number {
    if (this.len === 0) return -1;
    const s = this.buf[this.head]!;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.len--;
    return s;
  }

  private expand(): void {
    const old = this.buf;
    const next = new Int32Array(old.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = old[(this.head + i) & (old.length - 1)]!;
    release(old);
    this.buf = next;
    this.head = 0;
  }
}

/** Task types get a small index (the store keeps it in a Uint16). */
export class TaskTypes {
  private readonly byName = new Map<string, number>();
  readonly names: string[] = [];

  indexOf(name: string): number {
    let i = this.byName.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.byName.set(name, i);
      this.names.push(name);
    }
    return i;
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  find(name: string): number | undefined {
    return this.byName.get(name);
  }
}

/**
 * Per-task-type queues. `live` counts tasks that will really be dispatched: a cancelled task stays in its ring
 * (lazy deletion) until popped, but no longer counts.
 */
export class TaskQueues {
  readonly types = new TaskTypes();
  private readonly rings: SlotRing[] = [];
  private readonly liveCount: number[] = [];
  private total = 0;

  ring(typeIdx: number): SlotRing {
    while (this.rings.length <= typeIdx) {
      this.rings.push(new SlotRing());
      this.liveCount.push(0);
    }
    return this.rings[typeIdx]!;
  }

  push(typeIdx: number, slot: number): void {
    this.ring(typeIdx).push(slot);
    this.liveCount[typeIdx]!++;
    this.total++;
  }
  pushFront(typeIdx: number, slot: number): void {
    this.ring(typeIdx).pushFront(slot);
    this.liveCount[typeIdx]!++;
    this.total++;
  }

  /** Pops up to `n` slots of a type whose `isLive(slot)` holds (others are dropped via `onDead`). */
  take(typeIdx: number, n: number, isLive: (slot: number) => boolean, onDead: (slot: number) => void, out: number[]): number {
    const ring = this.rings[typeIdx];
    if (!ring) return 0;
    let got = 0;
    while (got < n && ring.length > 0) {
      const s = ring.shift();
      if (!isLive(s)) {
        onDead(s);
        continue;
      }
      out.push(s);
      got++;
    }
    this.liveCount[typeIdx]! -= got;
    this.total -= got;
    return got;
  }

  /** A queued task was cancelled in place: it stays in its ring but no longer counts. */
  forget(typeIdx: number): void {
    this.liveCount[typeIdx]!--;
    this.total--;
  }

  count(typeIdx: number): number {
    return this.liveCount[typeIdx] ?? 0;
  }
  get size(): number {
    return this.total;
  }

  /** Pending counts by type name (types with none are left out). */
  counts(): Map<string, number> {
    const m = new Map<string, number>();
    for (let i = 0; i < this.liveCount.length; i++) if (this.liveCount[i]! > 0) m.set(this.types.names[i]!, this.liveCount[i]!);
    return m;
  }
}
