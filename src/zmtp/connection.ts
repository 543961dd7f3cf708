/**
 * One peer: greeting, NULL handshake, framing, heartbeats and write coalescing over a byte link.
 * Knows nothing of socket patterns; it reports to its owner (the socket).
 */
import { COMMANDS, encodeCommand, encodeError, encodeMetadata, encodePing, parseCommand, parseErrorReason, parseMetadata, parsePing, type Command } from "./command.ts";
import { FLAG_COMMAND, FLAG_MORE, ZmtpDecoder, type DecoderSink } from "./decoder.ts";
import { ZmtpError } from "./errors.ts";
import { encodeGreeting, type Greeting } from "./greeting.ts";
import { livenessStep, livenessTick, type LivenessState } from "./heartbeat.ts";
import type { ResolvedOptions } from "./options.ts";
import { isCompatible, sendsIdentity, type SocketType } from "./socket-types.ts";
import { FrameWriter } from "./writer.ts";

/** The byte link under a connection (a Bun socket satisfies it). */
export interface Link {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
}

export interface ConnectionOwner {
  readonly type: SocketType;
  readonly options: ResolvedOptions;
  /** Handshake done: return an error to refuse the peer (it is sent an ERROR and closed). */
  connReady(conn: Connection): ZmtpError | null;
  connMessage(conn: Connection, frames: Buffer[]): void;
  /** SUBSCRIBE / CANCEL and other pattern commands after the handshake. */
  connCommand(conn: Connection, cmd: Command): void;
  /** The connection's queue fell from its high-water mark. */
  connWritable(conn: Connection): void;
  /** Exactly once per connection. `err` is null for an orderly close. */
  connClosed(conn: Connection, err: ZmtpError | null): void;
  /** Ask for flush() to be called soon (coalesces writes of one tick). */
  scheduleFlush(conn: Connection): void;
}

const enum ConnState {
  Greeting,
  Handshake,
  Ready,
  Closed,
}

const REFUSAL_CODES = new Set(["E_ZMTP_SOCKET_TYPE", "E_ZMTP_DUPLICATE_IDENTITY", "E_ZMTP_MECHANISM", "E_ZMTP_HANDSHAKE", "E_ZMTP_TOO_LARGE"]);
const FLUSH_NOW_BYTES = 256 * 1024;
let nextConnId = 1;

export class Connection implements DecoderSink {
  readonly id = nextConnId++;
  private state = ConnState.Greeting;
  private readonly decoder: ZmtpDecoder;
  private readonly writer: FrameWriter;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Messages encoded but not yet accepted by the kernel. */
  queued = 0;
  flushScheduled = false;
  private paused = false;
  peerType = "";
  peerMinor = 0;
  /** The peer's Identity from READY (empty if none). */
  peerIdentity: Buffer = Buffer.alloc(0);
  peerMetadata: ReadonlyMap<string, Buffer> = new Map();
  /** The id a ROUTER knows this peer by (set by the owner). */
  routingId: Buffer | null = null;
  /** Pattern state the owning socket keeps per peer (e.g. subscriptions). */
  slot: unknown = undefined;
  private live: { startedAt: number; ready: boolean; lastRecv: number; lastPingSent: number; pingOutstandingSince: number; peerTtl: number };
  /** Liveness options for this peer: heartbeats only with ZMTP 3.1 peers. */
  private liveOpts: { handshakeTimeout: number; heartbeatInterval: number; heartbeatTimeout: number };
  private timer: ReturnType<typeof setInterval> | null = null;
  private timerPeriod = 0;
  private lingerResolve: (() => void) | null = null;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly link: Link,
    /** The endpoint this connection belongs to (bound or connected). */
    readonly endpoint: string,
    /** The peer's address, when known. */
    readonly remote: string,
  ) {
    const o = owner.options;
    this.decoder = new ZmtpDecoder(this, o.maxMessageSize);
    this.writer = new FrameWriter(link);
    const now = o.clock.now();
    this.live = { startedAt: now, ready: false, lastRecv: now, lastPingSent: -1, pingOutstandingSince: -1, peerTtl: 0 };
    this.liveOpts = { handshakeTimeout: o.handshakeTimeout, heartbeatInterval: o.heartbeatInterval, heartbeatTimeout: o.heartbeatTimeout };
  }

  get ready(): boolean {
    return this.state === ConnState.Ready;
  }

  get closed(): boolean {
    return this.state === ConnState.Closed;
  }

  get full(): boolean {
    return this.queued >= this.owner.options.sendHighWaterMark;
  }

  /** Sends our greeting and starts the handshake clock. */
  start(): void {
    this.writer.raw(encodeGreeting("NULL", false));
    this.flush();
    this.retime();
  }

  // ---- incoming ----

  onData(chunk: Buffer): void {
    if (this.state === ConnState.Closed) return;
    this.live.lastRecv = this.owner.options.clock.now();
    try {
      this.decoder.push(chunk);
    } catch (err) {
      this.fail(err instanceof ZmtpError ? err : new ZmtpError("E_ZMTP_FRAME", "undecodable bytes from peer", { cause: err }));
    }
  }

  onGreeting(g: Greeting): void {
    this.state = ConnState.Handshake; // from here on a refusal is told to the peer with ERROR
    if (g.mechanism.toUpperCase() !== "NULL") {
      throw new ZmtpError("E_ZMTP_MECHANISM", `peer wants mechanism ${JSON.stringify(g.mechanism)}; only NULL is supported`);
    }
    this.peerMinor = g.minor;
    if (g.minor < 1) this.liveOpts.heartbeatInterval = 0;
    this.state = ConnState.Handshake;
    const o = this.owner.options;
    const props: [string, Uint8Array | string][] = [["Socket-Type", this.owner.type]];
    if (sendsIdentity(this.owner.type)) props.push(["Identity", o.routingId]);
    this.writer.command(encodeCommand(COMMANDS.ready, encodeMetadata(props)));
    this.flush();
  }

  onFrame(flags: number, body: Buffer): void {
    if (this.state === ConnState.Ready && !(flags & FLAG_COMMAND)) {
      this.partsBytes += body.length;
      if (this.partsBytes > this.owner.options.maxMessageSize) {
        throw new ZmtpError("E_ZMTP_TOO_LARGE", `message of more than ${this.owner.options.maxMessageSize} bytes`);
      }
      this.parts.push(body);
      if (!(flags & FLAG_MORE)) {
        const msg = this.parts;
        this.parts = [];
        this.partsBytes = 0;
        this.owner.connMessage(this, msg);
      }
      return;
    }
    if (!(flags & FLAG_COMMAND)) throw new ZmtpError("E_ZMTP_HANDSHAKE", "peer sent a message before READY");
    this.onCommandFrame(parseCommand(body));
  }

  private onCommandFrame(cmd: Command): void {
    switch (cmd.name) {
      case COMMANDS.ready:
        return this.onPeerReady(cmd.data);
      case COMMANDS.error:
        throw new ZmtpError("E_ZMTP_PEER_ERROR", `peer refused us: ${parseErrorReason(cmd.data) || "(no reason)"}`);
      case COMMANDS.ping: {
        if (this.state !== ConnState.Ready) throw new ZmtpError("E_ZMTP_HANDSHAKE", "PING before READY");
        const { ttlMs, context } = parsePing(cmd.data);
        if (ttlMs !== this.live.peerTtl) {
          this.live.peerTtl = ttlMs;
          this.retime();
        }
        this.writer.command(encodeCommand(COMMANDS.pong, context));
        this.requestFlush();
        return;
      }
      case COMMANDS.pong:
        return;
      default:
        if (this.state !== ConnState.Ready) throw new ZmtpError("E_ZMTP_HANDSHAKE", `${cmd.name} before READY`);
        this.owner.connCommand(this, cmd);
    }
  }

  private onPeerReady(data: Buffer): void {
    if (this.state !== ConnState.Handshake) throw new ZmtpError("E_ZMTP_HANDSHAKE", "unexpected READY");
    const md = parseMetadata(data);
    const st = md.get("socket-type");
    if (!st) throw new ZmtpError("E_ZMTP_HANDSHAKE", "READY without Socket-Type");
    this.peerType = st.toString("latin1").toUpperCase();
    if (!isCompatible(this.owner.type, this.peerType)) {
      throw new ZmtpError("E_ZMTP_SOCKET_TYPE", `peer socket type ${this.peerType} cannot talk to ${this.owner.type}`);
    }
    const id = md.get("identity");
    this.peerIdentity = id ? Buffer.from(id) : Buffer.alloc(0);
    this.peerMetadata = md;
    this.state = ConnState.Ready;
    this.live.ready = true;
    this.live.lastPingSent = this.owner.options.clock.now();
    this.retime();
    const refusal = this.owner.connReady(this);
    if (refusal) throw refusal;
  }

  // ---- outgoing ----

  /** Encodes one message (the caller checked `ready` and the high-water mark). */
  sendMessage(frames: readonly Uint8Array[], start = 0): void {
    const last = frames.length - 1;
    for (let i = start; i < last; i++) this.writer.frame(frames[i]!, true);
    this.writer.frame(frames[last]!, false);
    this.queued++;
    this.requestFlush();
  }

  /** Like sendMessage, with frames before the body (REQ/REP envelopes, ROUTER ids stripped). */
  sendWithPrefix(prefix: readonly Uint8Array[], frames: readonly Uint8Array[]): void {
    for (const p of prefix) this.writer.frame(p, true);
    this.sendMessage(frames);
  }

  sendCommand(body: Uint8Array): void {
    this.writer.command(body);
    this.requestFlush();
  }

  private requestFlush(): void {
    if (this.writer.pendingBytes >= FLUSH_NOW_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.owner.scheduleFlush(this);
    }
  }

  /** Writes what the kernel takes; called by the owner once per tick. */
  flush(): void {
    this.flushScheduled = false;
    if (this.state === ConnState.Closed) return;
    const wasFull = this.full;
    if (this.writer.flush()) {
      this.queued = 0;
      if (this.lingerResolve) this.lingerResolve();
      if (wasFull) this.owner.connWritable(this);
    } else if (this.writer.dead) {
      this.onTransportClosed(null);
    }
  }

  onDrain(): void {
    if (this.state === ConnState.Closed) return;
    this.writer.blocked = false;
    this.flush();
  }

  // ---- flow control of incoming ----

  pauseReading(): void {
    if (!this.paused && this.state !== ConnState.Closed) {
      this.paused = true;
      this.link.pause();
    }
  }

  resumeReading(): void {
    if (this.paused && this.state !== ConnState.Closed) {
      this.paused = false;
      this.link.resume();
    }
  }

  // ---- liveness ----

  private retime(): void {
    const period = this.state === ConnState.Closed ? 0 : livenessTick(this.live as LivenessState, this.liveOpts);
    if (period === this.timerPeriod) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.timerPeriod = period;
    if (period > 0) {
      this.timer = setInterval(() => this.tick(), period);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  private tick(): void {
    const o = this.owner.options;
    const now = o.clock.now();
    const a = livenessStep(this.live, now, this.liveOpts);
    if (a.kind === "expire") this.fail(new ZmtpError(a.code, a.reason));
    else if (a.kind === "ping") {
      this.live.lastPingSent = now;
      if (this.live.pingOutstandingSince < 0 || this.live.lastRecv >= this.live.pingOutstandingSince) this.live.pingOutstandingSince = now;
      this.sendCommand(encodePing(o.heartbeatTimeToLive, Buffer.alloc(0)));
    }
  }

  // ---- closing ----

  /** Closes because of a protocol problem: ERROR to the peer when it is a refusal, then report. */
  fail(err: ZmtpError): void {
    if (this.state === ConnState.Closed) return;
    this.decoder.stop();
    if (this.state !== ConnState.Greeting && REFUSAL_CODES.has(err.code)) {
      this.writer.command(encodeError(err.message));
      this.writer.flush();
    }
    this.finish(err);
    try {
      this.link.end();
    } catch {
      // already gone
    }
  }

  /** Resolves once everything queued was written (or the connection is gone). */
  whenFlushed(): Promise<void> {
    if (this.state === ConnState.Closed || this.writer.pendingBytes === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.lingerResolve = resolve;
    });
  }

  /** Orderly local close (socket closing, handover): no error reported. */
  close(): void {
    if (this.state === ConnState.Closed) return;
    this.decoder.stop();
    this.writer.flush();
    this.finish(null);
    try {
      this.link.end();
    } catch {
      // already gone
    }
  }

  /** The link went away (peer closed, reset, write failed). */
  onTransportClosed(cause: Error | null): void {
    if (this.state === ConnState.Closed) return;
    let err: ZmtpError | null = null;
    if (this.state !== ConnState.Ready) {
      err = new ZmtpError("E_ZMTP_TRUNCATED", "peer closed the connection before the handshake finished", { cause });
    } else if (!this.decoder.atBoundary || this.parts.length > 0) {
      err = new ZmtpError("E_ZMTP_TRUNCATED", "peer closed the connection in the middle of a message", { cause });
    } else if (cause) {
      err = new ZmtpError("E_ZMTP_TRANSPORT", `connection failed: ${cause.message}`, { cause });
    }
    this.finish(err);
  }

  private finish(err: ZmtpError | null): void {
    this.state = ConnState.Closed;
    this.live.ready = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.lingerResolve) this.lingerResolve();
    this.owner.connClosed(this, err);
  }
}
