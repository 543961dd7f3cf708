/**
 * Robustness: >100,000 random and mutated ZMTP byte streams (seeded, replayable) thrown at our code.
Each stream, in random chunks, through a fresh Connection (greeting, handshake,
 *     framing, commands) owned by a recording ROUTER stand-in. Nothing may throw out of it; every
 *     connection ends exactly once, with no error or a ZmtpError with a known code; memory stays flat.
 * (The real-socket half is fuzz-sockets.test.ts.)
 */
import { describe, expect, test } from "bun:test";
import { Connection, type ConnectionOwner, type Link } from "../../src/zmtp/connection.ts";
import { ZMTP_ERROR_CODES, ZmtpError } from "../../src/zmtp/errors.ts";
import { resolveOptions } from "../../src/zmtp/options.ts";
import { chunks, mutatedStream, prng, validStream } from "./fuzz-streams.ts";

const KNOWN_CODES = new Set<string>(Object.values(ZMTP_ERROR_CODES));
const STREAMS_IN_PROCESS = 100_000;

interface Outcome {
  closed: number;
  messages: number;
  err: unknown;
}

function makeOwner(outcome: Outcome): ConnectionOwner {
  return {
    type: "ROUTER",
    options: resolveOptions({ maxMessageSize: 64 * 1024, handshakeTimeout: 0 }),
    connReady: () => null,
    connMessage: () => {
      outcome.messages++;
    },
    connCommand: () => {},
    connWritable: () => {},
    connClosed: (_c, err) => {
      outcome.closed++;
      outcome.err = err;
    },
    scheduleFlush: () => {},
  };
}

const sink: Link = { write: (d) => d.length, end: () => {}, terminate: () => {}, pause: () => {}, resume: () => {} };

/** Runs one stream through a fresh connection; returns its outcome. */
function runStream(seed: number, valid: boolean): Outcome {
  const r = prng(seed);
  const s = valid ? validStream(r) : mutatedStream(r);
  const outcome: Outcome = { closed: 0, messages: 0, err: undefined };
  const conn = new Connection(makeOwner(outcome), sink, "tcp://127.0.0.1:1", "fuzz");
  conn.start();
  for (const c of chunks(r, s)) {
    conn.onData(Buffer.from(c.buffer, c.byteOffset, c.length));
    if (conn.closed) break;
  }
  conn.flush();
  conn.onTransportClosed(null);
  return outcome;
}

function heapMiB(): number {
  Bun.gc(true);
  return process.memoryUsage().heapUsed / (1 << 20);
}

describe("ZMTP fuzz, in process", () => {
  test(`${STREAMS_IN_PROCESS} random and mutated streams through a Connection: no throw, one close each, known error codes, flat memory`, () => {
    // Valid streams are decoded cleanly (proves the generator and the connection agree).
    let validMessages = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const o = runStream(seed, true);
      expect(o.closed).toBe(1);
      validMessages += o.messages;
    }
    expect(validMessages).toBeGreaterThan(1000);

    const codes = new Map<string, number>();
    let clean = 0;
    const warm = 5_000;
    let heapBefore = 0;
    for (let i = 0; i < STREAMS_IN_PROCESS; i++) {
      if (i === warm) heapBefore = heapMiB();
      const seed = 0x9e3779b9 ^ (i * 2654435761);
      let o: Outcome;
      try {
        o = runStream(seed, false);
      } catch (e) {
        throw new Error(`stream seed ${seed} threw out of Connection: ${String(e)}`);
      }
      if (o.closed !== 1) throw new Error(`stream seed ${seed} closed ${o.closed} times`);
      if (o.err === null) clean++;
      else {
        if (!(o.err instanceof ZmtpError) || !KNOWN_CODES.has(o.err.code)) {
          throw new Error(`stream seed ${seed} ended with ${String(o.err)}`);
        }
        codes.set(o.err.code, (codes.get(o.err.code) ?? 0) + 1);
      }
    }
    const growth = heapMiB() - heapBefore;
    console.log(`fuzz: ${STREAMS_IN_PROCESS} streams, ${clean} ended cleanly, errors by code ${JSON.stringify(Object.fromEntries(codes))}, heap growth ${growth.toFixed(1)} MiB`);
    // The mutations must reach deep: signature, framing and handshake failures all occur.
    for (const code of ["E_ZMTP_SIGNATURE", "E_ZMTP_FRAME", "E_ZMTP_HANDSHAKE", "E_ZMTP_TRUNCATED", "E_ZMTP_TOO_LARGE"]) {
      expect(codes.get(code) ?? 0).toBeGreaterThan(0);
    }
    expect(growth).toBeLessThan(64);
  }, 120_000);

});
