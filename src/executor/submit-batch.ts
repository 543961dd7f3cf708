/**
 * A `submit` message built incrementally: each task entry is written as msgpack straight into one growing buffer
 * when it is submitted, so a flush is a header fix-up instead of re-encoding every task (and copying every
 * payload) again. A payload of ATTACH_MIN_BYTES or more is not copied at all: it becomes an attachment frame (the
 * entry holds its index). The frames decode to what `encodeMessage({ type: "submit", tasks })` would give.
 */
import type { EncodedMessage } from "../protocol/messages.ts";
import { bodySize, str, writeBody, writeBytes, writeFloat64, writeUint } from "../protocol/msgpack-write.ts";

// fixed keys, pre-encoded (fixstr)
const K_ID = str("id");
const K_TYPE = str("task_type");
const K_PAYLOAD = str("payload");
const K_DURATION = str("duration");
const K_RETRIES = str("retries");
/** {type: "submit", tasks: array32 …}: the array length (4 bytes) is filled in at take(). */
const HEADER = Uint8Array.of(0x82, ...str("type"), ...str("submit"), ...str("tasks"), 0xdd, 0, 0, 0, 0);

export class SubmitBatch {
  private buf: Buffer;
  private pos = 0;
  private n = 0;
  private att: Uint8Array[] = [];
  private attBytes = 0;
  private readonly typeCache = new Map<string, Uint8Array>();

  /** `initial`: the smallest buffer a message starts in; each next one starts at the size of the last message. */
  constructor(private readonly initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
    this.reset();
  }

  get count(): number {
    return this.n;
  }
  /** Bytes of the message so far, attachments included. */
  get bytes(): number {
    return this.pos + this.attBytes;
  }

  add(id: number, taskType: string, payload: Uint8Array, duration?: number, retries?: number): void {
    let type = this.typeCache.get(taskType);
    if (!type) {
      type = str(taskType);
      if (this.typeCache.size < 64) this.typeCache.set(taskType, type);
    }
    this.ensure(64 + type.length + bodySize(payload.byteLength));
    const b = this.buf;
    let o = this.pos;
    b[o++] = 0x80 | (3 + (duration !== undefined ? 1 : 0) + (retries !== undefined ? 1 : 0));
    o = writeBytes(b, o, K_ID);
    o = writeUint(b, o, id);
    o = writeBytes(b, o, K_TYPE);
    o = writeBytes(b, o, type);
    o = writeBytes(b, o, K_PAYLOAD);
    const attached = this.att.length;
    o = writeBody(b, o, payload, this.att);
    if (this.att.length > attached) this.attBytes += payload.byteLength;
    if (duration !== undefined) {
      o = writeBytes(b, o, K_DURATION);
      o = writeFloat64(b, o, duration);
    }
    if (retries !== undefined) {
      o = writeBytes(b, o, K_RETRIES);
      o = writeUint(b, o, retries);
    }
    this.pos = o;
    this.n++;
  }

  /** The finished message (null when empty); the batch starts over. */
  take(): EncodedMessage | null {
    if (this.n === 0) return null;
    this.buf.writeUInt32BE(this.n, HEADER.length - 4);
    const head = this.buf.subarray(0, this.pos);
    const out = this.att.length === 0 ? head : [head, ...this.att];
    // Sized like the message just taken: a lone task per turn (sequential round trips) costs ~100 bytes, not a
    // 64 KiB buffer that makes the client collect garbage every ~100 tasks; bulk submits start near their size.
    this.buf = Buffer.allocUnsafe(Math.max(this.initial, Math.min(this.pos, 32 * 1024 * 1024)));
    this.reset();
    return out;
  }

  /** Drops what was added. */
  clear(): void {
    this.reset();
  }

  private reset(): void {
    this.buf.set(HEADER, 0);
    this.pos = HEADER.length;
    this.n = 0;
    if (this.att.length > 0) this.att = [];
    this.attBytes = 0;
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
