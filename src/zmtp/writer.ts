/**
 * Outgoing bytes of one connection. Frames are encoded into a large staging buffer (small payloads
 * copied, large ones queued by reference) and flushed with as few `write` calls as possible;
 * a partial write keeps the rest until the transport drains.
 */
import { FLAG_COMMAND, FLAG_LONG, FLAG_MORE } from "./decoder.ts";

const STAGING = 64 * 1024;
/** Payloads at least this big are queued by reference instead of copied. */
const ZERO_COPY_MIN = 16 * 1024;

/** What the writer needs from a transport: Bun's socket.write contract (bytes written, -1 when closed). */
export interface WriteTarget {
  write(data: Uint8Array): number;
}

export class FrameWriter {
  private staging: Buffer = Buffer.allocUnsafe(STAGING);
  private pos = 0;
  /** Sealed chunks waiting to be written, oldest first; the first may be partly written. */
  private backlog: Uint8Array[] = [];
  private backlogBytes = 0;
  /** True while the transport refused bytes and we wait for its drain event. */
  blocked = false;
  /** Set when the transport reported closed (-1). */
  dead = false;

  constructor(private readonly target: WriteTarget) {}

  /** Bytes encoded but not yet accepted by the kernel. */
  get pendingBytes(): number {
    return this.backlogBytes + this.pos;
  }

  get stagedBytes(): number {
    return this.pos;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.staging.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  frame(payload: Uint8Array, more: boolean): void {
    this.header(payload.length, more ? FLAG_MORE : 0);
    this.body(payload);
  }

  command(body: Uint8Array): void {
    this.header(body.length, FLAG_COMMAND);
    this.body(body);
  }

  private header(len: number, flags: number): void {
    this.reserve(9);
    const b = this.staging;
    let p = this.pos;
    if (len < 256) {
      b[p++] = flags;
      b[p++] = len;
    } else {
      b[p++] = flags | FLAG_LONG;
      const hi = Math.floor(len / 0x100000000);
      b.writeUInt32BE(hi, p);
      b.writeUInt32BE(len >>> 0, p + 4);
      p += 8;
    }
    this.pos = p;
  }

  private body(payload: Uint8Array): void {
    const n = payload.length;
    if (n === 0) return;
    if (n >= ZERO_COPY_MIN) {
      this.seal();
      this.backlog.push(payload);
      this.backlogBytes += n;
      return;
    }
    this.reserve(n);
    this.staging.set(payload, this.pos);
    this.pos += n;
  }

  private reserve(n: number): void {
    if (this.pos + n > this.staging.length) this.seal();
  }

  /** Moves the staged bytes into the backlog and starts a fresh staging buffer. */
  private seal(): void {
    if (this.pos === 0) return;
    this.backlog.push(this.staging.subarray(0, this.pos));
    this.backlogBytes += this.pos;
    this.staging = Buffer.allocUnsafe(STAGING);
    this.pos = 0;
  }

  /**
   * Writes as much as the transport takes. Returns true when everything was written.
   * Staged bytes fully written in place let the staging buffer be reused (no allocation).
   */
  flush(): boolean {
    if (this.dead) return false;
    if (this.blocked) return false;
    while (this.backlog.length > 0) {
      const chunk = this.backlog[0]!;
      const w = this.target.write(chunk);
      if (w < 0) {
        this.dead = true;
        return false;
      }
      this.backlogBytes -= w;
      if (w < chunk.length) {
        this.backlog[0] = chunk.subarray(w);
        this.blocked = true;
        return false;
      }
      this.backlog.shift();
    }
    if (this.pos > 0) {
      const w = this.target.write(this.staging.subarray(0, this.pos));
      if (w < 0) {
        this.dead = true;
        return false;
      }
      if (w < this.pos) {
        const rest = this.staging.subarray(w, this.pos);
        this.backlog.push(rest);
        this.backlogBytes += rest.length;
        this.staging = Buffer.allocUnsafe(STAGING);
        this.pos = 0;
        this.blocked = true;
        return false;
      }
      this.pos = 0;
    }
    return true;
  }

  /** The transport can take bytes again. Returns true when the backlog is now empty. */
  drained(): boolean {
    this.blocked = false;
    return this.flush();
  }
}
