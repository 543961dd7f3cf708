/**
 * SUB (RFC 29): tells every publisher its subscriptions (SUBSCRIBE/CANCEL commands to ZMTP 3.1 peers,
 * 0x01/0x00-prefixed messages to 3.0 peers) and filters what arrives by prefix as well.
 */
import { COMMANDS, encodeCommand } from "../command.ts";
import type { Connection } from "../connection.ts";
import { ZmtpError } from "../errors.ts";
import type { SocketOptions } from "../options.ts";
import { Socket } from "./base.ts";
import { Subscriptions } from "./subscriptions.ts";

export class Sub extends Socket {
  readonly type = "SUB" as const;
  private readonly subs = new Subscriptions();

  constructor(opts?: SocketOptions) {
    super(opts);
  }

  /** Subscribes to messages whose first frame starts with `prefix` ("" = everything). */
  subscribe(...prefixes: Array<Uint8Array | string>): void {
    if (prefixes.length === 0) prefixes = [""];
    for (const p of prefixes) {
      const b = Buffer.from(p);
      const isNew = !this.subs.has(b);
      this.subs.add(b);
      if (isNew) for (const peer of this.peers) tell(peer, true, b);
    }
  }

  unsubscribe(...prefixes: Array<Uint8Array | string>): void {
    if (prefixes.length === 0) prefixes = [""];
    for (const p of prefixes) {
      const b = Buffer.from(p);
      if (this.subs.remove(b)) for (const peer of this.peers) tell(peer, false, b);
    }
  }

  protected override attachPeer(conn: Connection): ZmtpError | null {
    for (const p of this.subs.prefixes()) tell(conn, true, p);
    return super.attachPeer(conn);
  }

  protected override incoming(_conn: Connection, frames: Buffer[]): void {
    if (this.subs.matches(frames[0]!)) this.deliver(frames);
  }
}

function tell(conn: Connection, subscribe: boolean, prefix: Buffer): void {
  if (conn.peerMinor >= 1) {
    conn.sendCommand(encodeCommand(subscribe ? COMMANDS.subscribe : COMMANDS.cancel, prefix));
  } else {
    const m = Buffer.allocUnsafe(prefix.length + 1);
    m[0] = subscribe ? 1 : 0;
    m.set(prefix, 1);
    conn.sendMessage([m]);
  }
}
