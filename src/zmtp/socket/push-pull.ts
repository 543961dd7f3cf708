/** PUSH (round-robin out, never receives) and PULL (fair-queued in, never sends). */
import { ZmtpError } from "../errors.ts";
import type { SocketOptions } from "../options.ts";
import { Socket } from "./base.ts";

export class Push extends Socket {
  readonly type = "PUSH" as const;

  constructor(opts?: SocketOptions) {
    super(opts);
  }

  protected override route(frames: Uint8Array[]): boolean {
    return this.sendRoundRobin(frames);
  }

  protected override checkReceive(): void {
    throw new ZmtpError("E_ZMTP_UNSUPPORTED", "PUSH sockets cannot receive");
  }

  protected override incoming(): void {
    this.dropped++;
  }
}

export class Pull extends Socket {
  readonly type = "PULL" as const;

  constructor(opts?: SocketOptions) {
    super(opts);
  }
}
