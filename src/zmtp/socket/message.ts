/** What send() accepts and how it becomes a list of frames (no copy for byte arrays). */
import { ZmtpError } from "../errors.ts";

export type Frame = Buffer | Uint8Array | string;
export type MessageLike = Frame | readonly Frame[];

function toBytes(f: Frame): Uint8Array {
  if (typeof f === "string") return Buffer.from(f);
  if (f instanceof Uint8Array) return f;
  throw new ZmtpError("E_ZMTP_OPTION", `a frame must be a Buffer, Uint8Array or string, got ${typeof f}`);
}

export function toFrames(msg: MessageLike): Uint8Array[] {
  if (!Array.isArray(msg)) return [toBytes(msg as Frame)];
  const n = msg.length;
  if (n === 0) throw new ZmtpError("E_ZMTP_OPTION", "a message needs at least one frame");
  let allBytes = true;
  for (let i = 0; i < n; i++) {
    if (!(msg[i] instanceof Uint8Array)) {
      allBytes = false;
      break;
    }
  }
  if (allBytes) return msg as Uint8Array[];
  return msg.map(toBytes);
}
