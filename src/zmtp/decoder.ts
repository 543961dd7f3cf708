/**
 * One incremental decoder per byte stream: signature → rest of greeting → frame header → frame body.
 * Frames that lie inside one chunk are handed out as views (no copy); a body split across chunks is
 * assembled into one buffer allocated only after its length was checked against maxFrameSize.
 */
import { constants } from "node:buffer";
import { ZmtpError } from "./errors.ts";
import { checkSignature, GREETING_SIZE, parseGreetingRest, SIGNATURE_SIZE, type Greeting } from "./greeting.ts";

export const FLAG_MORE = 0x01;
export const FLAG_LONG = 0x02;
export const FLAG_COMMAND = 0x04;
const RESERVED = 0xf8;
const MAX_BUFFER = constants.MAX_LENGTH;

export interface DecoderSink {
  onGreeting(g: Greeting): void;
  /** `body` may be a view into the chunk being decoded. */
  onFrame(flags: number, body: Buffer): void;
}

const enum State {
  Signature,
  GreetingRest,
  Header,
  Body,
}

const EMPTY = Buffer.alloc(0);

export class ZmtpDecoder {
  private state = State.Signature;
  /** Bytes of a header or greeting gathered across chunks. */
  private readonly small = Buffer.alloc(GREETING_SIZE);
  private smallLen = 0;
  private flags = 0;
  private body: Buffer = EMPTY;
  private bodyLen = 0;
  /** Set once a sink callback ends decoding (connection closed). */
  private stopped = false;

  constructor(
    private readonly sink: DecoderSink,
    private maxFrameSize: number,
  ) {}

  setMaxFrameSize(n: number): void {
    this.maxFrameSize = n;
  }

  stop(): void {
    this.stopped = true;
  }

  /** True when the stream stopped at a clean boundary (between frames, or before any byte). */
  get atBoundary(): boolean {
    return (this.state === State.Header && this.smallLen === 0) || (this.state === State.Signature && this.smallLen === 0);
  }

  /** Feeds one chunk. Throws ZmtpError on malformed input (the decoder is then unusable). */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let off = 0;
    while (off < n && !this.stopped) {
      switch (this.state) {
        case State.Signature: {
          const need = SIGNATURE_SIZE - this.smallLen;
          const take = Math.min(need, n - off);
          this.small.set(chunk.subarray(off, off + take), this.smallLen);
          this.smallLen += take;
          off += take;
          // Fail fast on the first byte: a non-ZMTP peer is rejected without waiting for 10 bytes.
          if (this.small[0] !== 0xff) checkSignature(this.small, 0);
          if (this.smallLen === SIGNATURE_SIZE) {
            checkSignature(this.small, 0);
            this.state = State.GreetingRest;
          }
          break;
        }
        case State.GreetingRest: {
          const need = GREETING_SIZE - this.smallLen;
          const take = Math.min(need, n - off);
          this.small.set(chunk.subarray(off, off + take), this.smallLen);
          this.smallLen += take;
          off += take;
          // Reject an old major version as soon as its byte arrives.
          if (this.smallLen > SIGNATURE_SIZE && this.small[SIGNATURE_SIZE]! < 3) parseGreetingRest(this.small, SIGNATURE_SIZE);
          if (this.smallLen === GREETING_SIZE) {
            const g = parseGreetingRest(this.small, SIGNATURE_SIZE);
            this.smallLen = 0;
            this.state = State.Header;
            this.sink.onGreeting(g);
          }
          break;
        }
        case State.Header: {
          if (this.smallLen === 0) {
            // Fast path: the whole header is in this chunk.
            const f = chunk[off]!;
            const hl = f & FLAG_LONG ? 9 : 2;
            if (n - off >= hl) {
              const size = this.readSize(chunk, off, f);
              off += hl;
              off = this.startBody(chunk, off, f, size);
              break;
            }
          }
          this.small[this.smallLen++] = chunk[off++]!;
          const f = this.small[0]!;
          const hl = f & FLAG_LONG ? 9 : 2;
          if (this.smallLen === hl) {
            const size = this.readSize(this.small, 0, f);
            this.smallLen = 0;
            off = this.startBody(chunk, off, f, size);
          }
          break;
        }
        case State.Body: {
          const need = this.bodyLen - this.smallLen;
          const take = Math.min(need, n - off);
          this.body.set(chunk.subarray(off, off + take), this.smallLen);
          this.smallLen += take;
          off += take;
          if (this.smallLen === this.bodyLen) {
            const body = this.body;
            this.body = EMPTY;
            this.smallLen = 0;
            this.state = State.Header;
            this.sink.onFrame(this.flags, body);
          }
          break;
        }
      }
    }
  }

  private readSize(b: Uint8Array, off: number, f: number): number {
    if (f & RESERVED) throw new ZmtpError("E_ZMTP_FRAME", `frame flags 0x${f.toString(16)} set reserved bits`);
    if (!(f & FLAG_LONG)) return b[off + 1]!;
    const hi = ((b[off + 1]! << 24) | (b[off + 2]! << 16) | (b[off + 3]! << 8) | b[off + 4]!) >>> 0;
    const lo = ((b[off + 5]! << 24) | (b[off + 6]! << 16) | (b[off + 7]! << 8) | b[off + 8]!) >>> 0;
    if (hi > 0x1fffff) throw new ZmtpError("E_ZMTP_TOO_LARGE", `frame length field exceeds 2^53 (high word 0x${hi.toString(16)})`);
    return hi * 0x100000000 + lo;
  }

  /** Checks the size, then hands out the body as a view when complete in `chunk`, else starts assembling. */
  private startBody(chunk: Buffer, off: number, f: number, size: number): number {
    if (size > this.maxFrameSize) {
      throw new ZmtpError("E_ZMTP_TOO_LARGE", `frame of ${size} bytes exceeds maxMessageSize ${this.maxFrameSize}`);
    }
    if (size > MAX_BUFFER) throw new ZmtpError("E_ZMTP_TOO_LARGE", `frame of ${size} bytes is larger than a buffer can be (${MAX_BUFFER})`);
    if (chunk.length - off >= size) {
      this.sink.onFrame(f, size === 0 ? EMPTY : chunk.subarray(off, off + size));
      return off + size;
    }
    this.flags = f;
    this.bodyLen = size;
    this.body = Buffer.allocUnsafe(size);
    this.smallLen = 0;
    this.state = State.Body;
    return off;
  }
}
