/**
 * The 64-byte ZMTP greeting (RFC 23/37): signature (10), version (2), mechanism (20), as-server (1), filler (31).
 * We send all 64 bytes at once; the peer's greeting is parsed incrementally by the decoder.
 */
import { ZmtpError } from "./errors.ts";

export const GREETING_SIZE = 64;
export const SIGNATURE_SIZE = 10;
export const OUR_MAJOR = 3;
export const OUR_MINOR = 1;

export interface Greeting {
  readonly major: number;
  readonly minor: number;
  /** Mechanism name, NUL padding stripped ("NULL", "PLAIN", "CURVE"). */
  readonly mechanism: string;
  readonly asServer: boolean;
}

export function encodeGreeting(mechanism = "NULL", asServer = false): Buffer {
  const b = Buffer.alloc(GREETING_SIZE);
  b[0] = 0xff;
  b[9] = 0x7f;
  b[10] = OUR_MAJOR;
  b[11] = OUR_MINOR;
  b.write(mechanism, 12, 20, "ascii");
  b[32] = asServer ? 1 : 0;
  return b;
}

/** Checks the 10-byte signature: 0xFF first, bit 0 of the last byte set. Padding bytes are not checked (libzmq uses them). */
export function checkSignature(b: Uint8Array, off: number): void {
  if (b[off] !== 0xff || ((b[off + 9] ?? 0) & 1) !== 1) {
    throw new ZmtpError("E_ZMTP_SIGNATURE", `peer did not send a ZMTP signature (first byte 0x${(b[off] ?? 0).toString(16)})`);
  }
}

/** Parses the 54 bytes after the signature (offset `off` points at the major version byte). */
export function parseGreetingRest(b: Uint8Array, off: number): Greeting {
  const major = b[off] ?? 0;
  const minor = b[off + 1] ?? 0;
  if (major < 3) throw new ZmtpError("E_ZMTP_VERSION", `peer speaks ZMTP ${major}.${minor}; 3.0 or later is required`);
  let end = off + 2;
  const stop = off + 22;
  while (end < stop && b[end] !== 0) end++;
  const mechanism = Buffer.from(b.buffer, b.byteOffset + off + 2, end - (off + 2)).toString("ascii");
  return { major, minor, mechanism, asServer: (b[off + 22] ?? 0) === 1 };
}
