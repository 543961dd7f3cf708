/**
 * The interchange: one event loop owning every socket. Client ROUTER (submit/results) and command REP on the
 * client address; task ROUTER and result ROUTER for managers. Incoming messages are decoded and validated at
 * the edge (a malformed one is counted, logged and answered or dropped), fed to InterchangeCore, and once per
 * event-loop turn the core dispatches and flushes its batches. A housekeeping timer expires silent managers and
 * sends heartbeats; a slower one drives the provider's blocks.
 */
import { randomUUID } from "node:crypto";
import type { InterchangeOptions } from "../config/roles.ts";
import {
  MSG,
  decodeClientToInterchange,
  decodeCommandRequest,
  decodeManagerToInterchange,
  decodeManagerResults,
  encode,
  encodeMessage,
  type CommandReply,
} from "../protocol/index.ts";
import { describeError } from "../util/errors.ts";
import { ownsBuffer, release } from "../util/release.ts";
import type { Clock } from "../util/clock.ts";
import type { Logger } from "../util/log.ts";
import { Rep, Router } from "../zmtp/index.ts";
import { Blocks, blockWalltimeSeconds } from "./blocks.ts";
import { handleCommand } from "./commands.ts";
import { InterchangeCore } from "./core.ts";
import { RouterOut } from "./router-out.ts";
import { keptAsReceived } from "./task-store.ts";

export interface InterchangeUrls {
  readonly interchange_id: string;
  readonly client: { readonly tasks: string; readonly results: string; readonly commands: string };
  readonly task_url: string;
  readonly result_url: string;
}

/** The role's options (config, addresses, ports; see InterchangeOptions) minus logging, plus: */
export interface InterchangeSettings
  extends Pick<InterchangeOptions, "config" | "clientAddress" | "clientPorts" | "workerPorts" | "workerPortRange" | "workerBindAddress"> {
  /** Start the provider (init_blocks, strategy). False for tests that attach managers by hand. */
  readonly manageBlocks: boolean;
}

const HWM = 1_000_000;

export class Interchange {
  readonly core: InterchangeCore;
  blocks: Blocks | null = null;
  private readonly clientSock: Router;
  private readonly commandSock: Rep;
  private readonly taskSock: Router;
  private readonly resultSock: Router;
  private readonly toClients: RouterOut;
  private readonly toManagers: RouterOut;
  private flushScheduled = false;
  private housekeeping: ReturnType<typeof setInterval> | null = null;
  private blockTimer: ReturnType<typeof setInterval> | null = null;
  private stopping: Promise<void> | null = null;
  private drainWaiting = false;
  private resolveDone!: () => void;
  /** Resolves when the interchange has shut down. */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));
  malformed = 0;
  /** Manager id (as text) → the exact routing-id bytes its task-channel messages came with. */
  private readonly managerRoutes = new Map<string, Buffer>();

  constructor(
    private readonly s: InterchangeSettings,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    const e = s.config.executor;
    const maxMessageSize = Math.max(e.max_payload_bytes * 2 + 1024 * 1024, 64 * 1024 * 1024);
    const opts = { sendHighWaterMark: HWM, receiveHighWaterMark: 10_000, maxMessageSize, logger: log.child("zmtp") };
    // handover: a client reconnecting with its fixed routing id takes over its old connection
    this.clientSock = new Router({ ...opts, mandatory: true, handover: true });
    this.commandSock = new Rep(opts);
    this.taskSock = new Router({ ...opts, mandatory: true, handover: true });
    this.resultSock = new Router({ ...opts, mandatory: true, handover: true });
    this.toClients = new RouterOut(this.clientSock, log, "client");
    this.toManagers = new RouterOut(this.taskSock, log, "task");
    this.core = new InterchangeCore(
      {
        interchangeId: randomUUID(),
        heartbeatPeriodS: e.heartbeat_period,
        heartbeatThresholdS: e.heartbeat_threshold,
        schedulerMode: e.scheduler_mode,
        maxPayloadBytes: e.max_payload_bytes,
        retries: e.retries,
        allowedImages: s.config.containers.allowed_images,
        workerMode: e.worker_mode,
        blockWalltimeS: s.manageBlocks ? blockWalltimeSeconds(s.config) : Infinity, // else every manager comes from elsewhere
      },
      {
        toClient: (id, msg) => this.toClients.send(id, encodeMessage(msg)),
        toManager: (id, msg) => this.toManagers.send(this.managerRoutes.get(id) ?? Buffer.from(id), encodeMessage(msg)),
        clientConnected: (id) => this.clientSock.hasPeer(id),
      },
      log,
    );
  }

  async start(): Promise<InterchangeUrls> {
    const s = this.s;
    const port = (fixed: number | undefined, range: readonly [number, number]) => (fixed !== undefined ? String(fixed) : `${range[0]}-${range[1]}`);
    const cRange = s.config.executor.interchange_port_range;
    await this.clientSock.bind(`tcp://${s.clientAddress}:${port(s.clientPorts?.[0], cRange)}`);
    await this.commandSock.bind(`tcp://${s.clientAddress}:${port(s.clientPorts?.[2], cRange)}`);
    await this.taskSock.bind(`tcp://${s.workerBindAddress}:${port(s.workerPorts?.[0], s.workerPortRange)}`);
    await this.resultSock.bind(`tcp://${s.workerBindAddress}:${port(s.workerPorts?.[1], s.workerPortRange)}`);
    this.clientSock.on("disconnect", (ev) => {
      if (ev.routingId) this.core.onClientGone(ev.routingId, this.clock.now());
    });
    this.clientSock.on("handshake", (ev) => {
      if (ev.routingId) this.core.onClientBack(ev.routingId);
    });
    void this.pump(this.clientSock, (f) => this.onClient(f));
    void this.pump(this.taskSock, (f) => this.onTask(f));
    void this.pump(this.resultSock, (f) => this.onResult(f));
    void this.serveCommands();
    const tickMs = Math.max(20, Math.min(1000, (this.s.config.executor.heartbeat_period * 1000) / 4));
    this.housekeeping = setInterval(() => this.tick(), tickMs);
    const urls = this.urls();
    if (s.manageBlocks) {
      this.blocks = new Blocks(s.config, {
        taskUrl: this.managerUrl(urls.task_url),
        resultUrl: this.managerUrl(urls.result_url),
        managersOf: (blockId) => [...this.core.managers.all()].filter((m) => m.reg.block_id === blockId).map((m) => ({ id: m.id, workers: m.reg.worker_count, inflight: m.inflight.size })),
        hold: (id) => this.core.holdManager(id),
        drain: (id, reason) => this.toManagers.send(this.managerRoutes.get(id) ?? Buffer.from(id), encode({ type: MSG.drain, reason })),
        outstanding: () => this.core.outstandingForBlocks,
      }, this.log.child("blocks"));
      void this.blocks.poll(this.clock.now()); // init_blocks
      const periodMs = Math.min(5000, Math.max(500, s.config.executor.heartbeat_period * 1000));
      this.blockTimer = setInterval(() => void this.blocks?.poll(this.clock.now()), periodMs);
    }
    this.log.info("interchange ready", { ...urls.client, task_url: urls.task_url, result_url: urls.result_url });
    return urls;
  }

  urls(): InterchangeUrls {
    const client = this.clientSock.lastEndpoint!;
    return {
      interchange_id: this.core.settings.interchangeId,
      client: { tasks: client, results: client, commands: this.commandSock.lastEndpoint! },
      task_url: this.taskSock.lastEndpoint!,
      result_url: this.resultSock.lastEndpoint!,
    };
  }

  /** The URL managers dial: the bound one, with a 0.0.0.0 bind replaced by the first executor.address. */
  private managerUrl(bound: string): string {
    const addr = this.s.config.executor.address[0] ?? "127.0.0.1";
    return bound.replace("://0.0.0.0:", `://${addr}:`);
  }

  // ───────────── incoming ─────────────

  private async pump(sock: Router, handle: (frames: Buffer[]) => void): Promise<void> {
    try {
      for await (const frames of sock) handle(frames);
    } catch (err) {
      if (!sock.closed) this.log.error("receive loop ended", { error: describeError(err) });
    }
  }

  private bad(channel: string, err: unknown, peer: Uint8Array | undefined): void {
    this.malformed++;
    this.core.counters.malformed++;
    if (this.malformed <= 20 || this.malformed % 1000 === 0) {
      this.log.warn(`malformed message on the ${channel} channel (dropped)`, { peer: peer ? Buffer.from(peer).toString("hex") : "", error: describeError(err), total: this.malformed });
    }
  }

  private onClient(frames: Buffer[]): void {
    const [id, body] = frames;
    if (!id || !body) return this.bad("client", "expected a body frame", id);
    try {
      const msg = decodeClientToInterchange(frames.slice(1));
      if (msg.type === MSG.submit) {
        this.core.onSubmit(id, msg, this.clock.now());
        // The store copied every payload it does not keep as received; one it keeps may be a view of the body.
        if (ownsBuffer(body) && !msg.tasks.some((t) => t.payload.buffer === body.buffer && keptAsReceived(t.payload))) release(body);
      }
      else if (msg.type === MSG.clientHello) this.core.onClientHello(id, msg.want_status, msg.protocol_version, msg.fx_version);
      else this.core.onCancel(id, msg.ids);
    } catch (err) {
      this.bad("client", err, id);
      this.toClients.send(id, encode({ type: MSG.error, code: (err as { code?: string }).code ?? "E_PROTO_INVALID", message: describeError(err) }));
    }
    this.scheduleFlush();
  }

  private onTask(frames: Buffer[]): void {
    const [id, body] = frames;
    if (!id || !body || frames.length !== 2) return this.bad("task", "expected exactly one body frame", id);
    try {
      const key = id.toString();
      if (!this.managerRoutes.has(key)) {
        if (this.managerRoutes.size > 100_000) this.managerRoutes.clear(); // bounded; refilled by the next messages
        this.managerRoutes.set(key, Buffer.from(id));
      }
      this.core.onManagerMessage(key, decodeManagerToInterchange(body), this.clock.now());
    } catch (err) {
      this.bad("task", err, id);
    }
    this.scheduleFlush();
  }

  private onResult(frames: Buffer[]): void {
    const [id, body] = frames;
    if (!id || !body) return this.bad("result", "expected a body frame", id);
    try {
      const msg = decodeManagerResults(frames.slice(1));
      if (msg.type === MSG.results) this.core.onResults(id.toString(), msg, this.clock.now());
      else this.core.onStarted(id.toString(), msg, this.clock.now());
    } catch (err) {
      this.bad("result", err, id);
    }
    this.scheduleFlush();
  }

  private async serveCommands(): Promise<void> {
    for await (const frames of this.commandSock) {
      let reply: CommandReply;
      try {
        const body = frames[frames.length - 1];
        if (!body) throw new Error("empty command message");
        reply = await handleCommand(decodeCommandRequest(body), {
          core: this.core,
          blocks: this.blocks,
          now: () => this.clock.now(),
          requestShutdown: (drain) => setImmediate(() => void this.shutdown(drain ? "shutdown command (drain)" : "shutdown command", drain)),
        });
      } catch (err) {
        this.bad("command", err, undefined);
        reply = { ok: false, error: { code: (err as { code?: string }).code ?? "E_COMMAND", message: describeError(err) } };
      }
      try {
        await this.commandSock.send(encode(reply));
      } catch (err) {
        if (this.commandSock.closed) return;
        this.log.warn("could not answer a command", { error: describeError(err) });
      }
      this.scheduleFlush();
    }
  }

  // ───────────── turn end, housekeeping ─────────────

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.core.flush(this.clock.now());
    });
  }

  private tick(): void {
    this.core.tick(this.clock.now());
    this.scheduleFlush();
    if (this.drainWaiting && this.core.outstanding === 0) {
      this.drainWaiting = false;
      void this.finish();
    }
  }

  // ───────────── shutdown ─────────────

  /** Drain: refuse new tasks, finish outstanding ones, then stop. Cancel: fail outstanding tasks now. Idempotent. */
  shutdown(reason: string, drain: boolean): Promise<void> {
    if (this.stopping) {
      if (!drain && this.drainWaiting) {
        this.drainWaiting = false;
        this.core.close(reason, true);
        this.core.flush(this.clock.now());
        void this.finish();
      }
      return this.done;
    }
    this.log.info("interchange shutting down", { reason, drain, outstanding: this.core.outstanding });
    this.core.close(reason, !drain);
    this.core.flush(this.clock.now());
    if (drain && this.core.outstanding > 0) {
      this.drainWaiting = true;
      this.stopping = this.done;
    } else this.stopping = this.finish();
    return this.done;
  }

  private finishing = false;
  private async finish(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    this.core.flush(this.clock.now());
    for (const m of this.core.managers.all()) this.toManagers.send(this.managerRoutes.get(m.id) ?? Buffer.from(m.id), encode({ type: MSG.shutdown, reason: "interchange shutting down" }));
    if (this.housekeeping) clearInterval(this.housekeeping);
    if (this.blockTimer) clearInterval(this.blockTimer);
    if (this.blocks) await this.blocks.close();
    // give queued messages (results, shutdown notices) a moment to leave, then close
    await new Promise((r) => setTimeout(r, 50));
    await Promise.allSettled([this.clientSock.close(), this.commandSock.close(), this.taskSock.close(), this.resultSock.close()]);
    this.log.info("interchange stopped", { ...this.core.counters });
    this.resolveDone();
  }
}
