/**
 * Every task the interchange holds (queued or in flight), as struct-of-arrays indexed by a slot number.
 * No object per task: a queued no-op costs a few typed-array cells plus its payload view, so a million pending
 * tasks stay small. Slots are recycled through a free stack; the arrays double when full.
 */

export const SlotState = { free: 0, queued: 1, dispatched: 2, cancelled: 3 } as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

export interface NewTask {
  readonly client: number;
  readonly clientTaskId: number;
  readonly typeIdx: number;
  readonly payload: Uint8Array;
  /** Declared duration in seconds, or NaN when unknown. */
  readonly duration: number;
  readonly retries: number;
}

function grow<T extends Int32Array | Float64Array | Uint8Array | Uint16Array | Float32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

export class TaskStore {
  private cap: number;
  client: Int32Array;
  clientTaskId: Float64Array;
  typeIdx: Uint16Array;
  duration: Float32Array;
  retriesLeft: Uint8Array;
  state: Uint8Array;
  /** Manager index the task is in flight on, -1 otherwise. */
  manager: Int32Array;
  payload: (Uint8Array | undefined)[];
  private free: Int32Array;
  private freeTop = 0;
  private used = 0;
  private live = 0;

  constructor(initial = 1024) {
    this.cap = Math.max(16, initial);
    this.client = new Int32Array(this.cap);
    this.clientTaskId = new Float64Array(this.cap);
    this.typeIdx = new Uint16Array(this.cap);
    this.duration = new Float32Array(this.cap);
    this.retriesLeft = new Uint8Array(this.cap);
    this.state = new Uint8Array(this.cap);
    this.manager = new Int32Array(this.cap);
    this.payload = [];
    this.free = new Int32Array(this.cap);
  }

  /** Tasks held (queued, in flight, or cancelled but not yet popped). */
  get size(): number {
    return this.live;
  }

  add(t: NewTask): number {
    let slot: number;
    if (this.freeTop > 0) slot = this.free[--this.freeTop]!;
    else {
      if (this.used === this.cap) this.expand();
      slot = this.used++;
      this.payload.push(undefined);
    }
    this.client[slot] = t.client;
    this.clientTaskId[slot] = t.clientTaskId;
    this.typeIdx[slot] = t.typeIdx;
    this.duration[slot] = t.duration;
    this.retriesLeft[slot] = Math.min(255, t.retries);
    this.state[slot] = SlotState.queued;
    this.manager[slot] = -1;
    this.payload[slot] = t.payload;
    this.live++;
    return slot;
  }

  release(slot: number): void {
    if (this.state[slot] === SlotState.free) return;
    this.state[slot] = SlotState.free;
    this.payload[slot] = undefined;
    this.manager[slot] = -1;
    this.free[this.freeTop++] = slot;
    this.live--;
  }

  /** Slots in use, for rare scans (cancel, shutdown). */
  forEachLive(f: (slot: number) => void): void {
    for (let s = 0; s < this.used; s++) if (this.state[s] !== SlotState.free) f(s);
  }

  private expand(): void {
    const n = this.cap * 2;
    this.client = grow(this.client, n);
    this.clientTaskId = grow(this.clientTaskId, n);
    this.typeIdx = grow(this.typeIdx, n);
    this.duration = grow(this.duration, n);
    this.retriesLeft = grow(this.retriesLeft, n);
    this.state = grow(this.state, n);
    this.manager = grow(this.manager, n);
    this.free = grow(this.free, n);
    this.cap = n;
  }
}
