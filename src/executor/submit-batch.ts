/**
 * A `submit` message built incrementally: each task entry is written as msgpack straight into one growing buffer
 * when it is submitted, so a flush is a header fix-up instead of re-encoding every task (and copying every
 * payload) again. The bytes decode to exactly what `encode({ type: "submit", tasks })` would give.
 */
const enc = new TextEncoder();

// fixed keys, pre-encoded (fixstr)
const K_ID = Uint8Array.of(0xa2, ...enc.encode("id"));
const K_TYPE = Uint8Array.of(0xa9, ...enc.encode("task_type"));
const K_PAYLOAD = Uint8Array.of(0xa7, ...enc.encode("payload"));
const K_DURATION = Uint8Array.of(0xa8, ...enc.encode("duration"));
const K_RETRIES = Uint8Array.of(0xa7, ...enc.encode("retries"));
/** {type: "submit", tasks: array32 …}: the array length (4 bytes) is filled in at take(). */
const HEADER = Uint8Array.of(0x82, 0xa4, ...enc.encode("type"), 0xa6, ...enc.encode("submit"), 0xa5, ...enc.encode("tasks"), 0xdd, 0, 0, 0, 0);

export class SubmitBatch {
  private buf: Buffer;
  private pos = 0;
  private n = 0;
  private readonly typeCache = new Map<string, Uint8Array>();

  constructor(private readonly initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
    this.reset();
  }

  get count(): number {
    return this.n;
  }
  get bytes(): number {
    return this.pos;
  }

  add(id: number, taskType: string, payload: Uint8Array, duration?: number, retries?: number): void {
    let type = this.typeCache.get(taskType);
    if (!type) {
      type = strBytes(taskType);
      if (this.typeCache.size < 64) this.typeCache.set(taskType, type);
    }
    this.ensure(64 + type.length + payload.length);
    const b = this.buf;
    b[this.pos++] = 0x80 | (3 + (duration !== undefined ? 1 : 0) + (retries !== undefined ? 1 : 0));
    this.put(K_ID);
    this.uint(id);
    this.put(K_TYPE);
    this.put(type);
    this.put(K_PAYLOAD);
    const len = payload.length;
    if (len < 0x100) {
      b[this.pos++] = 0xc4;
      b[this.pos++] = len;
    } else if (len < 0x10000) {
      b[this.pos++] = 0xc5;
      b.writeUInt16BE(len, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xc6;
      b.writeUInt32BE(len, this.pos);
      this.pos += 4;
    }
    this.put(payload);
    if (duration !== undefined) {
      this.put(K_DURATION);
      b[this.pos++] = 0xcb;
      b.writeDoubleBE(duration, this.pos);
      this.pos += 8;
    }
    if (retries !== undefined) {
      this.put(K_RETRIES);
      this.uint(retries);
    }
    this.n++;
  }

  /** The finished message (null when empty); the batch starts over. */
  take(): Buffer | null {
    if (this.n === 0) return null;
    this.buf.writeUInt32BE(this.n, HEADER.length - 4);
    const out = this.buf.subarray(0, this.pos);
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
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private put(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private uint(v: number): void {
    const b = this.buf;
    if (v < 0x80) b[this.pos++] = v;
    else if (v < 0x100) {
      b[this.pos++] = 0xcc;
      b[this.pos++] = v;
    } else if (v < 0x10000) {
      b[this.pos++] = 0xcd;
      b.writeUInt16BE(v, this.pos);
      this.pos += 2;
    } else if (v < 0x100000000) {
      b[this.pos++] = 0xce;
      b.writeUInt32BE(v, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = 0xcf;
      b.writeUInt32BE(Math.floor(v / 0x100000000), this.pos);
      b.writeUInt32BE(v >>> 0, this.pos + 4);
      this.pos += 8;
    }
  }
}

function strBytes(s: string): Uint8Array {
  const u = enc.encode(s);
  const n = u.length;
  if (n < 32) return Uint8Array.of(0xa0 | n, ...u);
  if (n < 0x100) return Uint8Array.of(0xd9, n, ...u);
  if (n < 0x10000) return Uint8Array.of(0xda, n >> 8, n & 0xff, ...u);
  return Uint8Array.of(0xdb, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...u);
}
