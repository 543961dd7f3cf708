/**
 * What every socket pattern shares: endpoints (via Links), the connection set,
 * the receive queue (promise, async-iterator and callback modes), send back-pressure, coalesced
 * flushing once per tick, events, and close with linger. Patterns override the hooks at the end.
 */
import type { Command } from "../command.ts";
import { Connection, type ConnectionOwner } from "../connection.ts";
import { ZmtpError } from "../errors.ts";
import { ZmtpEmitter, type ZmtpEventName, type ZmtpEvents } from "../events.ts";
import { resolveOptions, type ResolvedOptions, type SocketOptions } from "../options.ts";
import type { SocketType } from "../socket-types.ts";
import type { BunLink } from "../transport.ts";
import { Links } from "./links.ts";
import { toFrames, type MessageLike } from "./message.ts";

interface Waiter {
  resolve(msg: Buffer[]): void;
  reject(err: Error): void;
}

/** Codes that mean a peer sent something wrong (worth a warning); the rest are ordinary connection loss. */
const PROTOCOL_VIOLATIONS = new Set<string>(["E_ZMTP_SIGNATURE", "E_ZMTP_VERSION", "E_ZMTP_MECHANISM", "E_ZMTP_HANDSHAKE", "E_ZMTP_SOCKET_TYPE", "E_ZMTP_FRAME", "E_ZMTP_TOO_LARGE", "E_ZMTP_DUPLICATE_IDENTITY"]);

const closedError = (): ZmtpError => new ZmtpError("E_ZMTP_CLOSED", "socket is closed");

export abstract class Socket implements ConnectionOwner {
  abstract readonly type: SocketType;
  readonly options: ResolvedOptions;
  readonly events = new ZmtpEmitter();
  /** The endpoint of the last bind or connect (with the real port after binding port 0 or a range). */
  lastEndpoint: string | null = null;
  /** Handshaken peers, in the order they became ready. */
  protected peers: Connection[] = [];
  private readonly conns = new Set<Connection>();
  private readonly links = new Links(this);
  private inq: Buffer[][] = [];
  private inHead = 0;
  private readonly recvWaiters: Waiter[] = [];
  private messageCallback: ((frames: Buffer[]) => void) | null = null;
  private readPaused = false;
  private writableWaiters: Array<() => void> = [];
  private waitingSenders = 0;
  private dirty: Connection[] = [];
  private flushPending = false;
  private closing: Promise<void> | null = null;
  /** Messages dropped by policy (unroutable, peer at HWM on PUB/ROUTER, no envelope); see docs/zmtp.md. */
  dropped = 0;

  constructor(opts?: SocketOptions) {
    this.options = resolveOptions(opts);
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** Number of handshaken peers. */
  get peerCount(): number {
    return this.peers.length;
  }

  on<K extends ZmtpEventName>(name: K, fn: (ev: ZmtpEvents[K]) => void): () => void {
    return this.events.on(name, fn);
  }

  // ---- endpoints ----

  /** Listens on `endpoint`; resolves once bound (lastEndpoint then holds the real address). */
  async bind(endpoint: string): Promise<void> {
    if (this.closed) throw closedError();
    this.lastEndpoint = this.links.bind(endpoint);
  }

  /** Stops listening on an endpoint bound before (connections made through it stay). */
  async unbind(endpoint: string): Promise<void> {
    this.links.unbind(endpoint);
  }

  /** Connects to `endpoint` in the background, retrying with backoff until the socket closes. */
  connect(endpoint: string): void {
    if (this.closed) throw closedError();
    this.links.connect(endpoint);
    this.lastEndpoint = endpoint;
  }

  /** Stops connecting to `endpoint` and closes its connection. */
  disconnect(endpoint: string): void {
    this.links.disconnect(endpoint);
  }

  /** @internal Wraps a new transport link (from Links) into a started Connection. */
  adopt(s: BunLink, endpoint: string, remote: string): Connection {
    const conn = new Connection(this, s, endpoint, remote);
    s.data.handler = conn;
    try {
      s.setNoDelay(true);
    } catch {
      // not a TCP socket
    }
    this.conns.add(conn);
    conn.start();
    return conn;
  }

  // ---- ConnectionOwner ----

  /** @internal */
  connReady(conn: Connection): ZmtpError | null {
    if (this.closed) return closedError();
    const refusal = this.attachPeer(conn);
    if (refusal) return refusal;
    this.links.handshaken(conn);
    if (this.readPaused) conn.pauseReading();
    this.events.emit("handshake", { endpoint: conn.endpoint, remote: conn.remote, routingId: conn.routingId, peerType: conn.peerType });
    this.wakeWriters();
    return null;
  }

  /** @internal */
  connMessage(conn: Connection, frames: Buffer[]): void {
    this.incoming(conn, frames);
  }

  /** @internal */
  connCommand(conn: Connection, cmd: Command): void {
    this.incomingCommand(conn, cmd);
  }

  /** @internal */
  connWritable(_conn: Connection): void {
    this.wakeWriters();
  }

  /** @internal */
  connClosed(conn: Connection, err: ZmtpError | null): void {
    this.conns.delete(conn);
    const i = this.peers.indexOf(conn);
    if (i >= 0) {
      this.peers.splice(i, 1);
      this.detachPeer(conn);
      this.events.emit("disconnect", { endpoint: conn.endpoint, remote: conn.remote, routingId: conn.routingId, error: err });
    }
    if (err) {
      const fields = { endpoint: conn.endpoint, remote: conn.remote, code: err.code, error: err.message };
      if (PROTOCOL_VIOLATIONS.has(err.code)) this.options.logger.warn("zmtp peer broke the protocol; closed its connection", fields);
      else this.options.logger.debug("zmtp connection closed", fields);
      this.events.emit("error", { endpoint: conn.endpoint, remote: conn.remote, error: err });
    }
    this.wakeWriters(); // a full peer leaving may leave only peers with room
    this.links.ended(conn, err);
  }

  /** @internal */
  scheduleFlush(conn: Connection): void {
    this.dirty.push(conn);
    if (!this.flushPending) {
      this.flushPending = true;
      setImmediate(this.flushAll);
    }
  }

  private readonly flushAll = (): void => {
    this.flushPending = false;
    const list = this.dirty;
    this.dirty = [];
    for (let i = 0; i < list.length; i++) list[i]!.flush();
  };

  // ---- sending ----

  /** Queues a message without waiting: false when it cannot be queued now (no peer, or high-water mark). */
  trySend(msg: MessageLike): boolean {
    if (this.closed) throw closedError();
    if (this.waitingSenders > 0) return false; // keep FIFO order behind sends already waiting
    return this.route(toFrames(msg));
  }

  /** Queues a message, waiting while no peer can take it (back-pressure). */
  async send(msg: MessageLike): Promise<void> {
    if (this.closed) throw closedError();
    const frames = toFrames(msg);
    if (this.waitingSenders === 0 && this.route(frames)) return;
    const timeout = this.options.sendTimeout;
    const deadline = timeout >= 0 ? this.options.clock.now() + timeout : Infinity;
    this.waitingSenders++;
    try {
      for (;;) {
        if (timeout >= 0) {
          const left = deadline - this.options.clock.now();
          if (left <= 0 || !(await this.writableWithin(left))) {
            throw new ZmtpError("E_ZMTP_SEND_TIMEOUT", `send did not complete within ${timeout} ms`);
          }
        } else await this.writable();
        if (this.closed) throw closedError();
        if (this.route(frames)) return;
      }
    } finally {
      this.waitingSenders--;
    }
  }

  /** Resolves when a peer may have room again (a queue drained or a peer arrived) or the socket closes. */
  writable(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  private writableWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.writableWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  protected wakeWriters(): void {
    if (this.writableWaiters.length === 0) return;
    const list = this.writableWaiters;
    this.writableWaiters = [];
    for (const w of list) w();
  }

  // ---- receiving ----

  /** Callback mode: every message goes to `fn` (no Promise per message). Set null to go back to receive(). */
  set onMessage(fn: ((frames: Buffer[]) => void) | null) {
    this.messageCallback = fn;
    if (fn) this.pump();
  }

  get onMessage(): ((frames: Buffer[]) => void) | null {
    return this.messageCallback;
  }

  /** The next message, or null when none is queued. */
  tryReceive(): Buffer[] | null {
    if (this.closed) throw closedError();
    this.checkReceive();
    if (this.inHead >= this.inq.length || !this.deliverable()) return null;
    const msg = this.dequeue();
    this.beforeHandOut(msg);
    return msg;
  }

  receive(): Promise<Buffer[]> {
    if (this.closed) return Promise.reject(closedError());
    try {
      this.checkReceive();
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.inHead < this.inq.length && this.recvWaiters.length === 0 && this.deliverable()) {
      const msg = this.dequeue();
      this.beforeHandOut(msg);
      return Promise.resolve(msg);
    }
    return new Promise((resolve, reject) => this.recvWaiters.push({ resolve, reject }));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer[], void, undefined> {
    for (;;) {
      let msg: Buffer[];
      try {
        msg = await this.receive();
      } catch (err) {
        if (err instanceof ZmtpError && err.code === "E_ZMTP_CLOSED") return;
        throw err;
      }
      yield msg;
    }
  }

  /** Hands an incoming message to the user (callback, waiting receive, or the queue). */
  protected deliver(frames: Buffer[]): void {
    if (this.closing) return; // the rest of a chunk decoded after close()
    if (this.inHead === this.inq.length && this.deliverable()) {
      if (this.messageCallback) return this.callUser(frames);
      const w = this.recvWaiters.shift();
      if (w) {
        this.beforeHandOut(frames);
        return w.resolve(frames);
      }
    }
    this.inq.push(frames);
    if (!this.readPaused && this.inq.length - this.inHead >= this.options.receiveHighWaterMark) {
      this.readPaused = true;
      for (const p of this.peers) p.pauseReading();
    }
  }

  /** Moves queued messages to the callback or waiting receivers while the pattern allows. */
  protected pump(): void {
    while (this.inHead < this.inq.length && this.deliverable()) {
      if (this.messageCallback) this.callUser(this.dequeue());
      else {
        const w = this.recvWaiters.shift();
        if (!w) break;
        const msg = this.dequeue();
        this.beforeHandOut(msg);
        w.resolve(msg);
      }
    }
  }

  private callUser(frames: Buffer[]): void {
    this.beforeHandOut(frames);
    try {
      this.messageCallback!(frames);
    } catch (err) {
      this.events.emit("error", { endpoint: "", remote: "", error: new ZmtpError("E_ZMTP_HANDLER", `onMessage callback threw: ${(err as Error)?.message ?? String(err)}`, { cause: err }) });
    }
  }

  private dequeue(): Buffer[] {
    const msg = this.inq[this.inHead]!;
    this.inq[this.inHead++] = undefined as unknown as Buffer[];
    if (this.inHead === this.inq.length) {
      this.inq = [];
      this.inHead = 0;
    } else if (this.inHead > 4096 && this.inHead * 2 > this.inq.length) {
      this.inq = this.inq.slice(this.inHead);
      this.inHead = 0;
    }
    if (this.readPaused && this.inq.length - this.inHead < this.options.receiveHighWaterMark / 2) {
      this.readPaused = false;
      for (const p of this.peers) p.resumeReading();
    }
    return msg;
  }

  // ---- closing ----

  /** Closes the socket: stops listening and dialing, waits up to `linger` for queued messages, closes peers. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.links.stopAll();
    for (const w of this.recvWaiters.splice(0)) w.reject(closedError());
    this.wakeWriters();
    const conns = [...this.conns];
    for (const c of conns) c.flush();
    const linger = this.options.linger;
    if (linger !== 0 && conns.length > 0) {
      const flushed = Promise.all(conns.map((c) => c.whenFlushed()));
      if (linger < 0) await flushed;
      else {
        let t: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([flushed, new Promise<void>((r) => (t = setTimeout(r, linger)))]);
        clearTimeout(t);
      }
    }
    for (const c of conns) c.close();
    this.onSocketClosed();
    this.events.emit("close", {});
  }

  // ---- pattern hooks ----

  /** A peer finished its handshake: register it, or return why it is refused. */
  protected attachPeer(conn: Connection): ZmtpError | null {
    this.peers.push(conn);
    return null;
  }

  /** A registered peer went away. */
  protected detachPeer(_conn: Connection): void {}

  /** A message arrived from a peer. */
  protected incoming(_conn: Connection, frames: Buffer[]): void {
    this.deliver(frames);
  }

  /** A pattern command (SUBSCRIBE, CANCEL) arrived. */
  protected incomingCommand(_conn: Connection, _cmd: Command): void {}

  /** Queue one message to the right peer(s); false when it must wait. */
  protected route(_frames: Uint8Array[]): boolean {
    throw new ZmtpError("E_ZMTP_UNSUPPORTED", `${this.type} sockets cannot send`);
  }

  /** Throws when receiving is not allowed now. */
  protected checkReceive(): void {}

  /** False while the pattern must hold back queued messages (REP waiting to reply). */
  protected deliverable(): boolean {
    return true;
  }

  /** Called as each message is handed to the user. */
  protected beforeHandOut(_frames: Buffer[]): void {}

  protected onSocketClosed(): void {}

  /** Queues one message to the next ready peer in round-robin order (DEALER, PUSH); false when none has room. */
  protected sendRoundRobin(frames: Uint8Array[]): boolean {
    const p = this.nextWritablePeer();
    if (!p) return false;
    p.sendMessage(frames);
    return true;
  }

  /** Round-robin choice of a ready peer under its high-water mark, starting after the last one used. */
  private rr = 0;
  protected nextWritablePeer(): Connection | null {
    const n = this.peers.length;
    for (let k = 0; k < n; k++) {
      const i = (this.rr + k) % n;
      const p = this.peers[i]!;
      if (!p.full) {
        this.rr = i + 1;
        return p;
      }
    }
    return null;
  }
}
