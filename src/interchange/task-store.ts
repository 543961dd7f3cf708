/**
 * Every task the interchange holds (queued or in flight), as struct-of-arrays indexed by a slot number.
 * No object per task: payload bytes are copied into shared 1 MiB chunks (a task keeps chunk, offset, length;
 * a payload of ATTACH_MIN_BYTES or more — an attachment frame — is kept as received instead, a chunk of its own),
 * so a queued no-op costs ~50 bytes of typed-array cells beyond its payload and a million pending tasks stay
 * small. Slots are recycled through a free stack; the arrays double when full. A chunk is dropped when the last
 * task in it is released (tasks finish roughly in order, so chunks empty).
 */

import { ATTACH_MIN_BYTES } from "../protocol/messages.ts";
import { release } from "../util/release.ts";

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
  release(a); // a million-slot store doubles through ~40 MB of arrays that would otherwise wait for a sweep
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
  /** Payload location: chunk index (-1 = none), byte offset, length. */
  pChunk: Int32Array;
  pOff: Int32Array;
  pLen: Int32Array;
  private readonly arena = new PayloadArena();
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
    this.pChunk = new Int32Array(this.cap);
    this.pOff = new Int32Array(this.cap);
    this.pLen = new Int32Array(this.cap);
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
    }
    this.client[slot] = t.client;
    this.clientTaskId[slot] = t.clientTaskId;
    this.typeIdx[slot] = t.typeIdx;
    this.duration[slot] = t.duration;
    this.retriesLeft[slot] = Math.min(255, t.retries);
    this.state[slot] = SlotState.queued;
    this.manager[slot] = -1;
    this.arena.put(t.payload, slot, this);
    this.live++;
    return slot;
  }

  release(slot: number): void {
    if (this.state[slot] === SlotState.free) return;
    this.state[slot] = SlotState.free;
    this.dropPayload(slot);
    this.manager[slot] = -1;
    this.free[this.freeTop++] = slot;
    this.live--;
  }

  /** A view of the task's payload bytes (valid until the slot is released). */
  payloadOf(slot: number): Uint8Array {
    return this.arena.view(this.pChunk[slot]!, this.pOff[slot]!, this.pLen[slot]!);
  }

  /** Frees the payload early (a cancelled task waiting in its ring). Idempotent. */
  dropPayload(slot: number): void {
    const c = this.pChunk[slot]!;
    if (c < 0) return;
    this.pChunk[slot] = -1;
    this.arena.unref(c);
  }

  /** Bytes held in payload chunks. */
  get payloadBytes(): number {
    return this.arena.bytes;
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
    this.pChunk = grow(this.pChunk, n);
    this.pOff = grow(this.pOff, n);
    this.pLen = grow(this.pLen, n);
    this.free = grow(this.free, n);
    this.cap = n;
  }
}

const CHUNK = 1 << 20;
/** Payloads at least this big are kept as the received bytes instead of being copied: they arrive as attachment
 *  frames of their own (ATTACH_MIN_BYTES), so the view holds nothing else alive. (A peer that inlines such a
 *  payload in the map instead keeps that message's frame alive until the task ends.) */
const VIEW_MIN = ATTACH_MIN_BYTES;

/** Whether `add` keeps this payload as the bytes it was given (a view) rather than copying it into a chunk. */
export function keptAsReceived(payload: Uint8Array): boolean {
  return payload.length >= VIEW_MIN;
}
const EMPTY = new Uint8Array(0);

/** Payload bytes packed into chunks, reference-counted per chunk. */
class PayloadArena {
  private chunks: (Uint8Array | null)[] = [];
  private refs: number[] = [];
  private freeIdx: number[] = [];
  private cur = -1;
  private fill = 0;
  bytes = 0;

  private newChunk(size: number): number {
    const idx = this.freeIdx.length > 0 ? this.freeIdx.pop()! : this.chunks.length;
    this.chunks[idx] = new Uint8Array(size);
    this.refs[idx] = 0;
    this.bytes += size;
    return idx;
  }

  put(p: Uint8Array, slot: number, s: { pChunk: Int32Array; pOff: Int32Array; pLen: Int32Array }): void {
    const n = p.length;
    let c: number;
    let off: number;
    if (keptAsReceived(p)) {
      // A big payload keeps the received bytes as a chunk of its own: no copy (the frame it views is mostly
      // payload bytes anyway, and frames are never written to after decoding).
      c = this.freeIdx.length > 0 ? this.freeIdx.pop()! : this.chunks.length;
      this.chunks[c] = p;
      this.refs[c] = 0;
      this.bytes += n;
      off = 0;
    } else {
      if (this.cur < 0 || this.fill + n > CHUNK) {
        if (this.cur >= 0 && this.refs[this.cur] === 0) this.drop(this.cur);
        this.cur = this.newChunk(CHUNK);
        this.fill = 0;
      }
      c = this.cur;
      off = this.fill;
      this.fill += n;
    }
    if (this.chunks[c] !== p) this.chunks[c]!.set(p, off);
    this.refs[c]!++;
    s.pChunk[slot] = c;
    s.pOff[slot] = off;
    s.pLen[slot] = n;
  }

  view(c: number, off: number, len: number): Uint8Array {
    if (c < 0) return EMPTY;
    return this.chunks[c]!.subarray(off, off + len);
  }

  unref(c: number): void {
    if (--this.refs[c]! === 0 && c !== this.cur) this.drop(c);
  }

  private drop(c: number): void {
    this.bytes -= this.chunks[c]!.length;
    this.chunks[c] = null;
    this.freeIdx.push(c);
    if (c === this.cur) this.cur = -1;
  }
}
