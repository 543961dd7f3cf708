/**
 * REP (RFC 28): receives requests fair-queued from all peers, strips their envelope (frames up to and
 * including the empty delimiter) and sends the reply back with that envelope to the same peer.
 * Lock-step: one request is handed out at a time; the next waits until the reply was sent.
 */
import type { Connection } from "../connection.ts";
import { ZmtpError } from "../errors.ts";
import type { SocketOptions } from "../options.ts";
import { Socket } from "./base.ts";

interface Envelope {
  readonly conn: Connection;
  readonly frames: Buffer[];
}

export class Rep extends Socket {
  readonly type = "REP" as const;
  /** Envelopes of requests not yet handed out, in delivery order. */
  private readonly envelopes: Envelope[] = [];
  /** The request being answered. */
  private current: Envelope | null = null;

  constructor(opts?: SocketOptions) {
    super(opts);
  }

  protected override incoming(conn: Connection, frames: Buffer[]): void {
    let d = 0;
    while (d < frames.length && frames[d]!.length !== 0) d++;
    if (d >= frames.length - 1) {
      this.dropped++; // no delimiter, or nothing after it
      return;
    }
    this.envelopes.push({ conn, frames: frames.slice(0, d + 1) });
    this.deliver(frames.slice(d + 1));
  }

  protected override deliverable(): boolean {
    return this.current === null;
  }

  protected override checkReceive(): void {
    if (this.current) throw new ZmtpError("E_ZMTP_STATE", "REP must send the reply before receiving the next request");
  }

  protected override beforeHandOut(): void {
    this.current = this.envelopes.shift() ?? null;
  }

  protected override route(frames: Uint8Array[]): boolean {
    const env = this.current;
    if (!env) throw new ZmtpError("E_ZMTP_STATE", "REP must receive a request before sending");
    if (!env.conn.closed) {
      if (env.conn.full) return false;
      env.conn.sendWithPrefix(env.frames, frames);
    } else this.dropped++;
    this.current = null;
    queueMicrotask(() => this.pump());
    return true;
  }
}
