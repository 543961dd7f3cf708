/**
 * REQ (RFC 28): sends one request (prefixed with an empty delimiter) to one peer round-robin, then
 * accepts exactly one reply from that peer; anything else is dropped. Lock-step: send, receive, send…
 * If the peer that owes the reply disconnects, the socket may send again (the reply is lost).
 */
import type { Connection } from "../connection.ts";
import { ZmtpError } from "../errors.ts";
import type { SocketOptions } from "../options.ts";
import { Socket } from "./base.ts";

const EMPTY = Buffer.alloc(0);
const DELIMITER: readonly Uint8Array[] = [EMPTY];

export class Req extends Socket {
  readonly type = "REQ" as const;
  /** The peer that owes us a reply, or null when we may send. */
  private awaiting: Connection | null = null;
  /** A reply was received but not yet handed out. */
  private replyQueued = false;

  constructor(opts?: SocketOptions) {
    super(opts);
  }

  protected override route(frames: Uint8Array[]): boolean {
    if (this.awaiting || this.replyQueued) throw new ZmtpError("E_ZMTP_STATE", "REQ must receive the reply before sending again");
    const p = this.nextWritablePeer();
    if (!p) return false;
    p.sendWithPrefix(DELIMITER, frames);
    this.awaiting = p;
    return true;
  }

  protected override checkReceive(): void {
    if (!this.awaiting && !this.replyQueued) throw new ZmtpError("E_ZMTP_STATE", "REQ must send a request before receiving");
  }

  protected override incoming(conn: Connection, frames: Buffer[]): void {
    if (conn !== this.awaiting || frames.length < 2 || frames[0]!.length !== 0) {
      this.dropped++;
      return;
    }
    this.awaiting = null;
    this.replyQueued = true;
    frames.shift();
    this.deliver(frames);
  }

  protected override beforeHandOut(): void {
    this.replyQueued = false;
  }

  protected override detachPeer(conn: Connection): void {
    if (this.awaiting === conn) this.awaiting = null;
  }
}
