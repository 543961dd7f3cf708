/** For the InterchangeCore unit tests: an Outbox that records what the core sends, a registration, a core. */
import { InterchangeCore, type CoreSettings, type Outbox } from "../../src/interchange/core.ts";
import { MSG, PROTOCOL_VERSION, type InterchangeToClient, type InterchangeToManager, type Register, type Tasks, type WireResult } from "../../src/protocol/index.ts";
import { silentLogger } from "../../src/util/log.ts";

export class Recorder implements Outbox {
  client: { to: string; msg: InterchangeToClient }[] = [];
  manager: { to: string; msg: InterchangeToManager }[] = [];
  toClient(r: Uint8Array, msg: InterchangeToClient) { this.client.push({ to: new TextDecoder().decode(r), msg }); }
  toManager(id: string, msg: InterchangeToManager) { this.manager.push({ to: id, msg }); }
  resultsFor(client: string): WireResult[] {
    return this.client.filter((c) => c.to === client && c.msg.type === MSG.results).flatMap((c) => (c.msg as unknown as { results: WireResult[] }).results);
  }
  batchesFor(manager: string): Tasks[] {
    return this.manager.filter((m) => m.to === manager && m.msg.type === MSG.tasks).map((m) => m.msg as Tasks);
  }
  tasksFor(manager: string) {
    return this.batchesFor(manager).flatMap((b) => b.tasks);
  }
  statusFor(client: string) {
    return this.client.filter((c) => c.to === client && c.msg.type === MSG.status).flatMap((c) => (c.msg as unknown as { updates: [number, string, string][] }).updates);
  }
}

export function reg(id: string, over: Partial<Register> = {}): Register {
  return {
    type: MSG.register, protocol_version: PROTOCOL_VERSION, fx_version: "0.1.0", manager_id: id, block_id: "0", hostname: "h",
    os: "linux", pid: 1, cores: 2, memory_bytes: 1e9, worker_count: 2, worker_types: ["RAW"], worker_mode: "no_container",
    scheduler_mode: "hard", prefetch: 0, ...over,
  };
}

/** A core (hard scheduling, 1 s heartbeats, 100-byte payload limit, no retries unless `over` says) and its Recorder. */
export function setupCore(over: Partial<CoreSettings> = {}) {
  const out = new Recorder();
  const core = new InterchangeCore({
    interchangeId: "ix", heartbeatPeriodS: 1, heartbeatThresholdS: 3, schedulerMode: "hard", maxPayloadBytes: 100, retries: 0, allowedImages: [], workerMode: "no_container", blockWalltimeS: Infinity,
    ...over,
  }, out, silentLogger);
  return { out, core };
}
