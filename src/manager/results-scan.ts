/**
 * The manager's fast read of a worker's value-only results message (the layout src/worker/results-encoder.ts
 * writes: `{type: "results", results: [{id, value}…]}` with keys in that order, each value a `bin` or the index of
 * an attachment frame). It only collects the ids — the frames are then forwarded to the interchange untouched —
 * and checks the structure on the way: every length stays inside the buffer, and the attachment indexes run
 * 0, 1, … up to exactly the number of attachment frames the message came with. Anything else (errors, another encoder's key order) returns null and
 * takes the protocol codec's validating decode.
 */

const te = new TextEncoder();
const HEAD = Uint8Array.from([0x82, 0xa4, ...te.encode("type"), 0xa7, ...te.encode("results"), 0xa7, ...te.encode("results")]);
const K_ID = Uint8Array.from([0xa2, ...te.encode("id")]);
const K_VALUE = Uint8Array.from([0xa5, ...te.encode("value")]);

function matches(b: Uint8Array, o: number, want: Uint8Array): boolean {
  if (o + want.length > b.length) return false;
  for (let i = 0; i < want.length; i++) if (b[o + i] !== want[i]) return false;
  return true;
}

/** Ids of a value-only results message in the fast layout, or null when it is not one. */
export function scanValueResults(b: Uint8Array, attachments = 0): number[] | null {
  let nextAtt = 0;
  if (!matches(b, 0, HEAD)) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = HEAD.length;
  if (o >= b.length) return null;
  let n: number;
  const t = b[o++]!;
  if ((t & 0xf0) === 0x90) n = t & 0x0f;
  else if (t === 0xdc && o + 2 <= b.length) (n = dv.getUint16(o)), (o += 2);
  else if (t === 0xdd && o + 4 <= b.length) (n = dv.getUint32(o)), (o += 4);
  else return null;
  const ids = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (b[o++] !== 0x82 || !matches(b, o, K_ID)) return null;
    o += K_ID.length;
    if (o >= b.length) return null;
    const x = b[o++]!;
    let id: number;
    if (x < 0x80) id = x;
    else if (x === 0xcc && o + 1 <= b.length) id = b[o++]!;
    else if (x === 0xcd && o + 2 <= b.length) (id = dv.getUint16(o)), (o += 2);
    else if (x === 0xce && o + 4 <= b.length) (id = dv.getUint32(o)), (o += 4);
    else if (x === 0xcf && o + 8 <= b.length) {
      const big = dv.getBigUint64(o);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return null;
      id = Number(big);
      o += 8;
    } else return null;
    ids[i] = id;
    if (!matches(b, o, K_VALUE)) return null;
    o += K_VALUE.length;
    if (o >= b.length) return null;
    const h = b[o++]!;
    if (h < 0x80 || h === 0xcc || h === 0xcd) {
      // an attachment index (they are small: at most one per result)
      let idx: number;
      if (h < 0x80) idx = h;
      else if (h === 0xcc && o + 1 <= b.length) idx = b[o++]!;
      else if (h === 0xcd && o + 2 <= b.length) (idx = dv.getUint16(o)), (o += 2);
      else return null;
      if (idx !== nextAtt || idx >= attachments) return null;
      nextAtt++;
      continue;
    }
    let len: number;
    if (h === 0xc4 && o + 1 <= b.length) len = b[o++]!;
    else if (h === 0xc5 && o + 2 <= b.length) (len = dv.getUint16(o)), (o += 2);
    else if (h === 0xc6 && o + 4 <= b.length) (len = dv.getUint32(o)), (o += 4);
    else return null;
    o += len;
    if (o > b.length) return null;
  }
  return o === b.length && nextAtt === attachments ? ids : null;
}
