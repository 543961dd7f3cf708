/**
 * A small interchange for manager tests, written with our own ZMTP ROUTER sockets and speaking the task and
 * result channels of the protocol. A test harness (it plays the peer), not a mock of the manager under test.
 */
import { decodeManagerToInterchange, decodeResults, encode, encodeMessage, framesOf } from "../../../src/protocol/codec.ts";
import { MSG, type InterchangeToManager, type ManagerToInterchange, type Register, type WireResult, type WireTask } from "../../../src/protocol/messages.ts";
import { PROTOCOL_VERSION } from "../../../src/version.ts";
import { Router } from "../../../src/zmtp/index.ts";

export interface HarnessOptions {
  /** Answer registrations automatically (default true); false leaves it to the test. */
  readonly autoRegister?: boolean;
  /** Refuse registrations with this message. */
  readonly refuseWith?: string;
  readonly heartbeatPeriod?: number;
  readonly heartbeatThreshold?: number;
  /** Send queued tasks as the manager's requests allow (default true). */
  readonly autoDispatch?: boolean;
}

export class TestInterchange {
  readonly tasks = new Router({ sendHighWaterMark: 1_000_000, receiveHighWaterMark: 100_000 });
  readonly results = new Router({ sendHighWaterMark: 1_000_000, receiveHighWaterMark: 100_000 });
  readonly registrations: Register[] = [];
  readonly received: ManagerToInterchange[] = [];
  readonly resultsById = new Map<number, WireResult>();
  resultMessages = 0;
  capacity = 0;
  managerId: string | null = null;
  private queue: WireTask[] = [];
  private nextId = 1;

  constructor(private readonly o: HarnessOptions = {}) {}

  async start(): Promise<{ taskUrl: string; resultUrl: string }> {
    await this.tasks.bind("tcp://127.0.0.1:0");
    await this.results.bind("tcp://127.0.0.1:0");
    this.tasks.onMessage = (frames) => this.onTaskChannel(frames[0]!.toString("latin1"), frames[1]!);
    this.results.onMessage = (frames) => {
      const msg = decodeResults(frames.slice(1));
      this.resultMessages++;
      for (const r of msg.results) this.resultsById.set(r.id, r);
    };
    return { taskUrl: this.tasks.lastEndpoint!, resultUrl: this.results.lastEndpoint! };
  }

  private onTaskChannel(id: string, buf: Buffer): void {
    const msg = decodeManagerToInterchange(buf);
    this.received.push(msg);
    if (msg.type === MSG.register) {
      this.registrations.push(msg);
      this.managerId = id;
      if (this.o.refuseWith !== undefined) this.send({ type: MSG.badRegistration, code: "E_TEST_REFUSED", message: this.o.refuseWith });
      else if (this.o.autoRegister !== false) this.register();
    } else if (msg.type === MSG.request) {
      this.capacity = msg.capacity;
      if (this.o.autoDispatch !== false) this.dispatch();
    }
  }

  register(): void {
    this.send({ type: MSG.registered, interchange_id: "test-ix", heartbeat_period: this.o.heartbeatPeriod ?? 30, heartbeat_threshold: this.o.heartbeatThreshold ?? 120 });
  }

  send(msg: InterchangeToManager): void {
    if (this.managerId === null) throw new Error("no manager registered yet");
    this.tasks.trySend([Buffer.from(this.managerId), ...framesOf(encodeMessage(msg))]);
  }

  /** Queue tasks (payloads are msgpack task bodies); returns their ids. */
  submit(bodies: readonly unknown[], taskType = "RAW"): number[] {
    const ids: number[] = [];
    for (const b of bodies) {
      const id = this.nextId++;
      ids.push(id);
      this.queue.push({ id, task_type: taskType, payload: encode(b) });
    }
    this.dispatch();
    return ids;
  }

  /** Queue already-encoded bodies (benchmarks: no per-task encode). */
  submitEncoded(payload: Uint8Array, n: number, taskType = "RAW"): void {
    for (let i = 0; i < n; i++) this.queue.push({ id: this.nextId++, task_type: taskType, payload });
    this.dispatch();
  }

  dispatch(): void {
    if (this.managerId === null || this.capacity <= 0 || this.queue.length === 0) return;
    const n = Math.min(this.capacity, this.queue.length);
    const batch = this.queue.splice(0, n);
    this.capacity -= n;
    for (let i = 0; i < batch.length; i += 4096) this.send({ type: MSG.tasks, tasks: batch.slice(i, i + 4096) });
  }

  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    await Promise.all([this.tasks.close(), this.results.close()]);
  }
}

export const PROTO = PROTOCOL_VERSION;

/** Poll until `cond` holds (never a fixed sleep); throws with `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}
