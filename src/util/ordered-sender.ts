/**
 * Fire-and-forget sending that keeps message order: messages go straight to the socket's fast path
 * (`trySend`) and only when it refuses (no peer yet, high-water mark) do they wait in a local backlog,
 * drained in order when the socket becomes writable. The backlog is bounded: past `maxBacklog` messages
 * the oldest are dropped and counted (a peer that never comes back must not eat the memory).
 */

export interface FastSendSocket {
  trySend(msg: Uint8Array | readonly Uint8Array[]): boolean;
  writable(): Promise<void>;
  readonly closed: boolean;
}

export class OrderedSender {
  private backlog: (Uint8Array | readonly Uint8Array[])[] = [];
  private draining = false;
  dropped = 0;

  constructor(
    private readonly sock: FastSendSocket,
    private readonly maxBacklog = 100_000,
  ) {}

  get pending(): number {
    return this.backlog.length;
  }

  send(msg: Uint8Array | readonly Uint8Array[]): void {
    if (this.sock.closed) {
      this.dropped++;
      return;
    }
    if (this.backlog.length === 0 && this.sock.trySend(msg)) return;
    if (this.backlog.length >= this.maxBacklog) {
      this.backlog.shift();
      this.dropped++;
    }
    this.backlog.push(msg);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.backlog.length > 0 && !this.sock.closed) {
        await this.sock.writable();
        while (this.backlog.length > 0 && !this.sock.closed && this.sock.trySend(this.backlog[0]!)) this.backlog.shift();
      }
    } catch {
      // socket closed under us: what is left is counted below
    } finally {
      this.draining = false;
      if (this.sock.closed && this.backlog.length > 0) {
        this.dropped += this.backlog.length;
        this.backlog = [];
      }
    }
  }
}
