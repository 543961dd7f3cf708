/**
 * ZMTP command bodies (RFC 37 grammar: name-length byte, name, data) and the metadata property list
 * carried by READY (name-length byte, name, 4-byte value length, value). Names compare case-insensitively.
 */
import { ZmtpError } from "./errors.ts";

export const COMMANDS = {
  ready: "READY",
  error: "ERROR",
  ping: "PING",
  pong: "PONG",
  subscribe: "SUBSCRIBE",
  cancel: "CANCEL",
} as const;

export interface Command {
  /** Upper-cased command name. */
  readonly name: string;
  readonly data: Buffer;
}

export function parseCommand(body: Buffer): Command {
  const n = body[0];
  if (n === undefined || n === 0 || body.length < 1 + n) {
    throw new ZmtpError("E_ZMTP_FRAME", `malformed command frame (${body.length} bytes)`);
  }
  return { name: body.toString("latin1", 1, 1 + n).toUpperCase(), data: body.subarray(1 + n) };
}

export function encodeCommand(name: string, data?: Uint8Array): Buffer {
  const dl = data ? data.length : 0;
  const b = Buffer.allocUnsafe(1 + name.length + dl);
  b[0] = name.length;
  b.write(name, 1, "latin1");
  if (data && dl > 0) b.set(data, 1 + name.length);
  return b;
}

/** Metadata as an ordered list; lookups are case-insensitive. */
export type Metadata = ReadonlyMap<string, Buffer>;

export function encodeMetadata(props: ReadonlyArray<readonly [string, Uint8Array | string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of props) {
    const v = typeof value === "string" ? Buffer.from(value, "latin1") : value;
    const h = Buffer.allocUnsafe(1 + name.length + 4);
    h[0] = name.length;
    h.write(name, 1, "latin1");
    h.writeUInt32BE(v.length, 1 + name.length);
    parts.push(h, Buffer.from(v.buffer, v.byteOffset, v.length));
  }
  return Buffer.concat(parts);
}

/** Parses a property list; keys are lower-cased. */
export function parseMetadata(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < data.length) {
    const n = data[off]!;
    if (n === 0 || off + 1 + n + 4 > data.length) throw new ZmtpError("E_ZMTP_HANDSHAKE", "malformed metadata in READY");
    const name = data.toString("latin1", off + 1, off + 1 + n).toLowerCase();
    off += 1 + n;
    const len = data.readUInt32BE(off);
    off += 4;
    if (off + len > data.length) throw new ZmtpError("E_ZMTP_HANDSHAKE", `metadata value of ${name} runs past the end of READY`);
    out.set(name, data.subarray(off, off + len));
    off += len;
  }
  return out;
}

/** PING body: TTL in deciseconds (2 bytes) + context (0–16 bytes). */
export function encodePing(ttlMs: number, context: Uint8Array): Buffer {
  const d = Buffer.allocUnsafe(2 + context.length);
  d.writeUInt16BE(Math.min(0xffff, Math.floor(ttlMs / 100)), 0);
  d.set(context, 2);
  return encodeCommand(COMMANDS.ping, d);
}

export function parsePing(data: Buffer): { ttlMs: number; context: Buffer } {
  if (data.length < 2) throw new ZmtpError("E_ZMTP_FRAME", "PING command without TTL");
  return { ttlMs: data.readUInt16BE(0) * 100, context: data.subarray(2, Math.min(data.length, 18)) };
}

export function encodeError(reason: string): Buffer {
  const r = Buffer.from(reason.slice(0, 255), "latin1");
  const d = Buffer.allocUnsafe(1 + r.length);
  d[0] = r.length;
  d.set(r, 1);
  return encodeCommand(COMMANDS.error, d);
}

export function parseErrorReason(data: Buffer): string {
  const n = data[0] ?? 0;
  return data.toString("latin1", 1, Math.min(data.length, 1 + n));
}
