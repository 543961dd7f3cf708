/**
 * PUB (RFC 29): sends each message to every peer subscribed to a prefix of its first frame; a peer
 * at its high-water mark misses the message (counted in `dropped`). Accepts subscriptions both as
 * ZMTP 3.1 SUBSCRIBE/CANCEL commands and as 3.0 messages starting with 0x01 / 0x00.
 */
import { COMMANDS, type Command } from "../command.ts";
import type { Connection } from "../connection.ts";
import { ZmtpError } from "../errors.ts";
import type { SocketOptions } from "../options.ts";
import { Socket } from "./base.ts";
import { Subscriptions } from "./subscriptions.ts";

export class Pub extends Socket {
  readonly type = "PUB" as const;

  constructor(opts?: SocketOptions) {
    super(opts);
  }

  protected override attachPeer(conn: Connection): ZmtpError | null {
    conn.slot = new Subscriptions();
    return super.attachPeer(conn);
  }

  protected override incomingCommand(conn: Connection, cmd: Command): void {
    const subs = conn.slot as Subscriptions;
    if (cmd.name === COMMANDS.subscribe) subs.add(cmd.data);
    else if (cmd.name === COMMANDS.cancel) subs.remove(cmd.data);
  }

  protected override incoming(conn: Connection, frames: Buffer[]): void {
    const f = frames[0]!;
    const subs = conn.slot as Subscriptions;
    if (frames.length === 1 && f.length > 0 && f[0] === 1) subs.add(f.subarray(1));
    else if (frames.length === 1 && f.length > 0 && f[0] === 0) subs.remove(f.subarray(1));
    else this.dropped++;
  }

  protected override checkReceive(): void {
    throw new ZmtpError("E_ZMTP_UNSUPPORTED", "PUB sockets cannot receive");
  }

  protected override route(frames: Uint8Array[]): boolean {
    const topic = frames[0]!;
    for (const p of this.peers) {
      if (!(p.slot as Subscriptions).matches(topic)) continue;
      if (p.full) this.dropped++;
      else p.sendMessage(frames);
    }
    return true;
  }
}
