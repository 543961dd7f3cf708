/**
 * Sending on a ROUTER without losing messages: `trySend` first; when a peer is at its high-water mark the
 * message waits in a backlog that drains as the socket becomes writable. A peer that is gone (unroutable) is
 * counted and its message dropped — it can no longer receive anything.
 */
import { framesOf } from "../protocol/codec.ts";
import type { EncodedMessage } from "../protocol/messages.ts";
import type { Logger } from "../util/log.ts";

export interface RouterLike {
  trySend(msg: readonly Uint8Array[]): boolean;
  writable(): Promise<void>;
  readonly closed: boolean;
}

export class RouterOut {
  private backlog: (readonly Uint8Array[])[] = [];
  private waiting = false;
  unroutable = 0;

  constructor(private readonly sock: RouterLike, private readonly log: Logger, private readonly what: string) {}

  /** One message: its routing id, then the encoded message (one frame, or a map frame and attachments). */
  send(routingId: Uint8Array, body: EncodedMessage): void {
    const msg = framesOf(body, routingId);
    if (this.backlog.length > 0) {
      this.backlog.push(msg);
      return;
    }
    if (!this.trySend(msg)) {
      this.backlog.push(msg);
      void this.drain();
    }
  }

  get pending(): number {
    return this.backlog.length;
  }

  private trySend(msg: readonly Uint8Array[]): boolean {
    try {
      return this.sock.trySend(msg);
    } catch (err) {
      this.unroutable++;
      this.log.warn(`dropped a message on the ${this.what} channel: peer gone`, { peer: Buffer.from(msg[0]!).toString(), error: err as Error, total: this.unroutable });
      return true;
    }
  }

  private async drain(): Promise<void> {
    if (this.waiting) return;
    this.waiting = true;
    try {
      while (this.backlog.length > 0 && !this.sock.closed) {
        await this.sock.writable();
        let i = 0;
        while (i < this.backlog.length && this.trySend(this.backlog[i]!)) i++;
        this.backlog = this.backlog.slice(i);
      }
    } finally {
      this.waiting = false;
    }
  }
}
