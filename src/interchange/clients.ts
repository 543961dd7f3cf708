/**
 * The clients (executors) connected to the client ROUTER, by routing id, with what is waiting to go to each
 * at the end of the current event-loop turn: results and status updates are batched per client.
 */
import type { TaskState, WireResult } from "../protocol/index.ts";

export interface ClientEntry {
  readonly idx: number;
  readonly routingId: Uint8Array;
  wantStatus: boolean;
  results: WireResult[];
  status: [number, TaskState, string][];
  /** When its connection went away (ms), or null while connected. */
  goneSince: number | null;
}

function keyOf(routingId: Uint8Array): string {
  let s = "";
  for (let i = 0; i < routingId.length; i++) s += String.fromCharCode(routingId[i]!);
  return s;
}

export class ClientTable {
  private readonly byKey = new Map<string, ClientEntry>();
  private readonly byIdx: ClientEntry[] = [];
  /** Clients with something to flush this turn. */
  private readonly dirty = new Set<ClientEntry>();

  get size(): number {
    return this.byKey.size;
  }

  /** The client for a routing id (created on first sight: a client may submit before its hello arrives). */
  get(routingId: Uint8Array): ClientEntry {
    const k = keyOf(routingId);
    let c = this.byKey.get(k);
    if (!c) {
      c = { idx: this.byIdx.length, routingId: Uint8Array.from(routingId), wantStatus: false, results: [], status: [], goneSince: null };
      this.byKey.set(k, c);
      this.byIdx.push(c);
    }
    return c;
  }

  /** The client for a routing id, if it was ever seen. */
  find(routingId: Uint8Array): ClientEntry | undefined {
    return this.byKey.get(keyOf(routingId));
  }

  /** Clients whose connection has been gone for longer than `ms` at `now` (and are not yet abandoned). */
  goneLongerThan(now: number, ms: number): ClientEntry[] {
    const out: ClientEntry[] = [];
    for (const c of this.byIdx) if (c.goneSince !== null && now - c.goneSince > ms) out.push(c);
    return out;
  }

  at(idx: number): ClientEntry | undefined {
    return this.byIdx[idx];
  }

  addResult(idx: number, r: WireResult): void {
    const c = this.byIdx[idx];
    if (!c) return;
    c.results.push(r);
    this.dirty.add(c);
  }

  private statusClients = 0;

  /** Sets a client's `want_status` (its hello), keeping count of the clients that asked. */
  setWantStatus(c: ClientEntry, want: boolean): void {
    if (c.wantStatus !== want) this.statusClients += want ? 1 : -1;
    c.wantStatus = want;
  }

  /** Whether some known client asked for the status stream (O(1): checked once per dispatch). */
  anyWantStatus(): boolean {
    return this.statusClients > 0;
  }

  addStatus(idx: number, id: number, state: TaskState, managerId: string): void {
    const c = this.byIdx[idx];
    if (!c || !c.wantStatus) return;
    c.status.push([id, state, managerId]);
    this.dirty.add(c);
  }

  /** Hands each client's pending batches to `send` and clears them. */
  drain(send: (c: ClientEntry, results: WireResult[], status: [number, TaskState, string][]) => void): void {
    for (const c of this.dirty) {
      const r = c.results;
      const s = c.status;
      c.results = [];
      c.status = [];
      send(c, r, s);
    }
    this.dirty.clear();
  }
}
