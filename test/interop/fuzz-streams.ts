/**
 * Byte streams for the ZMTP fuzz test: valid peer streams (greeting, READY, messages, PINGs, SUBSCRIBE)
 * and mutations of them, from a seeded PRNG so a failure can be replayed from its seed.
 */

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);

function bytes(r: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

export function greeting(r: Rand): Uint8Array {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  if (r() < 0.5) g[8] = int(r, 256); // libzmq puts routing-id length + 1 in the padding
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = r() < 0.3 ? 0 : 1;
  g.set(ascii("NULL"), 12);
  return g;
}

function frame(flags: number, body: Uint8Array, forceLong = false): Uint8Array {
  if (body.length < 256 && !forceLong) return concat([Uint8Array.of(flags, body.length), body]);
  const h = new Uint8Array(9);
  h[0] = flags | 0x02;
  const v = new DataView(h.buffer);
  v.setUint32(1, Math.floor(body.length / 0x100000000));
  v.setUint32(5, body.length >>> 0);
  return concat([h, body]);
}

function command(name: string, data: Uint8Array): Uint8Array {
  return frame(0x04, concat([Uint8Array.of(name.length), ascii(name), data]));
}

function prop(name: string, value: Uint8Array): Uint8Array {
  const h = new Uint8Array(1 + name.length + 4);
  h[0] = name.length;
  h.set(ascii(name), 1);
  new DataView(h.buffer).setUint32(1 + name.length, value.length);
  return concat([h, value]);
}

const PEER_TYPES = ["DEALER", "ROUTER", "REQ", "dealer", "SUB", "PUB", "PAIR"];

/** A plausible stream from a peer of our ROUTER: greeting, READY, then messages and commands. */
export function validStream(r: Rand): Uint8Array {
  const parts: Uint8Array[] = [greeting(r)];
  const props = [prop(r() < 0.5 ? "Socket-Type" : "socket-type", ascii(PEER_TYPES[int(r, PEER_TYPES.length)]!))];
  if (r() < 0.7) props.push(prop("Identity", bytes(r, int(r, 8))));
  if (r() < 0.2) props.push(prop("X-Custom", bytes(r, int(r, 40))));
  parts.push(command("READY", concat(props)));
  const n = int(r, 6);
  for (let i = 0; i < n; i++) {
    const kind = r();
    if (kind < 0.6) {
      const frames = 1 + int(r, 4);
      for (let f = 0; f < frames; f++) {
        const size = r() < 0.1 ? 256 + int(r, 2000) : int(r, 300);
        parts.push(frame(f < frames - 1 ? 0x01 : 0x00, bytes(r, size), r() < 0.05));
      }
    } else if (kind < 0.8) {
      parts.push(command("PING", concat([Uint8Array.of(0, int(r, 50)), bytes(r, int(r, 20))])));
    } else if (kind < 0.9) {
      parts.push(command("SUBSCRIBE", bytes(r, int(r, 10))));
    } else {
      parts.push(command(r() < 0.5 ? "PONG" : "HELLO", bytes(r, int(r, 10))));
    }
  }
  return concat(parts);
}

/** One mutation (or a few) of a valid stream, or pure noise. */
export function mutatedStream(r: Rand): Uint8Array {
  const kind = int(r, 10);
  if (kind === 0) return bytes(r, int(r, 200));
  if (kind === 1) return concat([Uint8Array.of(0xff), bytes(r, int(r, 150))]);
  let s = validStream(r);
  const rounds = 1 + int(r, 3);
  for (let k = 0; k < rounds; k++) {
    const m = int(r, 7);
    if (s.length === 0) break;
    if (m === 0) {
      // bit flips
      const flips = 1 + int(r, 4);
      s = s.slice();
      for (let i = 0; i < flips; i++) s[int(r, s.length)]! ^= 1 << int(r, 8);
    } else if (m === 1) {
      s = s.slice();
      const at = int(r, s.length);
      s[at] = int(r, 256);
    } else if (m === 2) {
      s = s.subarray(0, int(r, s.length));
    } else if (m === 3) {
      const at = int(r, s.length);
      s = concat([s.subarray(0, at), bytes(r, 1 + int(r, 16)), s.subarray(at)]);
    } else if (m === 4) {
      const a = int(r, s.length);
      const b = a + int(r, Math.min(64, s.length - a));
      s = concat([s.subarray(0, b), s.subarray(a, b), s.subarray(b)]);
    } else if (m === 5) {
      // a long frame header claiming an absurd size, right after the handshake
      const huge = new Uint8Array(9);
      huge[0] = int(r, 2) ? 0x02 : 0x06;
      const v = new DataView(huge.buffer);
      v.setUint32(1, int(r, 2) ? 0xffffffff : int(r, 0x200000));
      v.setUint32(5, int(r, 0x100000000));
      const at = Math.min(s.length, 64 + int(r, 80));
      s = concat([s.subarray(0, at), huge, bytes(r, int(r, 32))]);
    } else {
      // a frame with reserved flag bits
      const at = Math.min(s.length, 64 + int(r, 80));
      s = concat([s.subarray(0, at), Uint8Array.of(0x08 | int(r, 256), int(r, 256)), bytes(r, int(r, 32))]);
    }
  }
  return s;
}

/** Splits `s` into random chunks (1 byte to all of it). */
export function chunks(r: Rand, s: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  const mode = int(r, 3);
  while (off < s.length) {
    const n = mode === 0 ? s.length : mode === 1 ? 1 + int(r, 8) : 1 + int(r, 120);
    out.push(s.subarray(off, off + n));
    off += n;
  }
  return out;
}
