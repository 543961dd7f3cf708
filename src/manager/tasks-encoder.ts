/**
 * A fast path for the one message the manager sends per hand-off: `{type: "tasks", tasks: [WireTask…]}` written
 * as msgpack by hand (fixed keys; a small payload copied once, a big one sent as an attachment frame by reference)
 * instead of through the generic encoder. The bytes are ordinary msgpack: the worker decodes them with the protocol codec (decodeManagerToWorker); a unit test holds
 * the two to the same meaning.
 */
import { bodySize, str, uintSize, writeArrayHeader, writeBody, writeBytes, writeFloat64, writeUint } from "../protocol/msgpack-write.ts";
import type { EncodedMessage, WireTask } from "../protocol/messages.ts";

const HEAD = Uint8Array.of(0x82, ...str("type"), ...str("tasks"), ...str("tasks"));
const K_ID = str("id");
const K_TYPE = str("task_type");
const K_PAYLOAD = str("payload");
const K_DURATION = str("duration");

const typeCache = new Map<string, Uint8Array>();

function typeBytes(s: string): Uint8Array {
  let b = typeCache.get(s);
  if (b !== undefined) return b;
  b = str(s);
  if (typeCache.size < 1024) typeCache.set(s, b);
  return b;
}

export function encodeTasks(tasks: readonly WireTask[]): EncodedMessage {
  let size = HEAD.length + 5;
  for (const t of tasks) {
    size += 1 + K_ID.length + uintSize(t.id) + K_TYPE.length + typeBytes(t.task_type).length + K_PAYLOAD.length + bodySize(t.payload.byteLength);
    if (t.duration !== undefined) size += K_DURATION.length + 9;
  }
  const b = Buffer.allocUnsafe(size);
  const att: Uint8Array[] = [];
  let o = writeBytes(b, 0, HEAD);
  o = writeArrayHeader(b, o, tasks.length);
  for (const t of tasks) {
    b[o++] = t.duration !== undefined ? 0x84 : 0x83;
    o = writeBytes(b, o, K_ID);
    o = writeUint(b, o, t.id);
    o = writeBytes(b, o, K_TYPE);
    o = writeBytes(b, o, typeBytes(t.task_type));
    o = writeBytes(b, o, K_PAYLOAD);
    o = writeBody(b, o, t.payload, att);
    if (t.duration !== undefined) {
      o = writeBytes(b, o, K_DURATION);
      o = writeFloat64(b, o, t.duration);
    }
  }
  const head = o === size ? b : b.subarray(0, o);
  return att.length === 0 ? head : [head, ...att];
}
