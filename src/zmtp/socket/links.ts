/**
 * A socket's endpoints: listeners it bound and dialers it connects with, including reconnect with
 * backoff. It creates transport links and hands each to the socket (`adopt`) to become a Connection.
 */
import fs from "node:fs";
import type { Connection } from "../connection.ts";
import { parseEndpoint, type Endpoint } from "../endpoint.ts";
import { ZmtpError } from "../errors.ts";
import type { ZmtpEmitter } from "../events.ts";
import type { ResolvedOptions } from "../options.ts";
import { dial, listen, type BunLink, type Listener } from "../transport.ts";

export interface LinksHost {
  readonly options: ResolvedOptions;
  readonly events: ZmtpEmitter;
  readonly closed: boolean;
  /** Wraps a new transport link into a started Connection. */
  adopt(s: BunLink, endpoint: string, remote: string): Connection;
}

interface Dialer {
  readonly raw: string;
  readonly ep: Endpoint;
  interval: number;
  timer: ReturnType<typeof setTimeout> | null;
  conn: Connection | null;
  stopped: boolean;
}

export class Links {
  private readonly listeners = new Map<string, { listener: Listener; ipcPath: string | null }>();
  private readonly dialers = new Map<string, Dialer>();
  private readonly dialerOf = new Map<Connection, Dialer>();

  constructor(private readonly host: LinksHost) {}

  /** Listens; returns the bound endpoint (real port for port 0 / ranges). */
  bind(endpoint: string): string {
    const ep = parseEndpoint(endpoint);
    let ipcPath: string | null = null;
    if (ep.transport === "ipc") {
      ipcPath = ep.path;
      removeStaleIpc(ep.path);
    }
    let name = endpoint;
    const listener = listen(ep, endpoint, (s) => {
      const conn = this.host.adopt(s, name, remoteOf(s, ep));
      this.host.events.emit("accept", { endpoint: name, remote: conn.remote });
    });
    name = listener.endpoint;
    this.listeners.set(name, { listener, ipcPath });
    this.host.events.emit("listen", { endpoint: name });
    return name;
  }

  unbind(endpoint: string): void {
    const l = this.listeners.get(endpoint);
    if (!l) throw new ZmtpError("E_ZMTP_ENDPOINT", `not bound to ${endpoint}`);
    this.listeners.delete(endpoint);
    l.listener.stop();
    if (l.ipcPath) removeStaleIpc(l.ipcPath);
  }

  connect(endpoint: string): void {
    const ep = parseEndpoint(endpoint);
    if (ep.transport === "tcp" && (ep.port === 0 || ep.range)) throw new ZmtpError("E_ZMTP_ENDPOINT", `cannot connect to ${endpoint}: needs one concrete port`);
    if (this.dialers.has(endpoint)) return;
    const d: Dialer = { raw: endpoint, ep, interval: this.host.options.reconnectInterval, timer: null, conn: null, stopped: false };
    this.dialers.set(endpoint, d);
    this.dial(d);
  }

  disconnect(endpoint: string): void {
    const d = this.dialers.get(endpoint);
    if (!d) throw new ZmtpError("E_ZMTP_ENDPOINT", `not connected to ${endpoint}`);
    this.dialers.delete(endpoint);
    d.stopped = true;
    if (d.timer) clearTimeout(d.timer);
    d.conn?.close();
  }

  /** A connection finished its handshake: its dialer starts over at the initial interval next time. */
  handshaken(conn: Connection): void {
    const d = this.dialerOf.get(conn);
    if (d) d.interval = this.host.options.reconnectInterval;
  }

  /** A connection ended: if we dialed it, dial again after the backoff. */
  ended(conn: Connection, err: ZmtpError | null): void {
    const d = this.dialerOf.get(conn);
    if (!d) return;
    this.dialerOf.delete(conn);
    if (d.conn === conn) d.conn = null;
    this.retry(d, err);
  }

  /** Stops every listener and dialer (socket closing). */
  stopAll(): void {
    for (const { listener, ipcPath } of this.listeners.values()) {
      listener.stop();
      if (ipcPath) removeStaleIpc(ipcPath);
    }
    this.listeners.clear();
    for (const d of this.dialers.values()) {
      d.stopped = true;
      if (d.timer) clearTimeout(d.timer);
    }
    this.dialers.clear();
  }

  private dial(d: Dialer): void {
    d.timer = null;
    dial(d.ep, (s) => {
      if (this.host.closed || d.stopped) {
        s.terminate();
        return;
      }
      const conn = this.host.adopt(s, d.raw, remoteOf(s, d.ep));
      d.conn = conn;
      this.dialerOf.set(conn, d);
      this.host.events.emit("connect", { endpoint: d.raw, remote: conn.remote });
    }).then(undefined, (err: Error) => this.retry(d, err));
  }

  private retry(d: Dialer, err: Error | null): void {
    if (this.host.closed || d.stopped || d.timer) return;
    const wait = d.interval;
    const max = this.host.options.reconnectMaxInterval;
    if (max > 0) d.interval = Math.min(d.interval * 2, max);
    this.host.events.emit("connect:retry", { endpoint: d.raw, interval: wait, error: err });
    d.timer = setTimeout(() => this.dial(d), wait);
  }
}

function remoteOf(s: BunLink, ep: Endpoint): string {
  if (ep.transport === "ipc") return `ipc://${ep.path}`;
  return s.remoteAddress ?? "";
}

function removeStaleIpc(path: string): void {
  try {
    if (fs.statSync(path).isSocket()) fs.unlinkSync(path);
  } catch {
    // absent
  }
}
