/** DEALER: round-robin out to peers with room, fair-queued in (RFC 28). */
import type { SocketOptions } from "../options.ts";
import { Socket } from "./base.ts";

export class Dealer extends Socket {
  readonly type = "DEALER" as const;

  constructor(opts?: SocketOptions) {
    super(opts);
  }

  protected override route(frames: Uint8Array[]): boolean {
    return this.sendRoundRobin(frames);
  }
}
