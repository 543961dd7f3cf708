/** PAIR: exactly one peer at a time; a second one is refused. */
import type { Connection } from "../connection.ts";
import { ZmtpError } from "../errors.ts";
import type { SocketOptions } from "../options.ts";
import { Socket } from "./base.ts";

export class Pair extends Socket {
  readonly type = "PAIR" as const;

  constructor(opts?: SocketOptions) {
    super(opts);
  }

  protected override attachPeer(conn: Connection): ZmtpError | null {
    if (this.peers.length > 0) return new ZmtpError("E_ZMTP_HANDSHAKE", "PAIR socket already has a peer");
    return super.attachPeer(conn);
  }

  protected override route(frames: Uint8Array[]): boolean {
    const p = this.peers[0];
    if (!p || p.full) return false;
    p.sendMessage(frames);
    return true;
  }
}
