/** The incremental decoder gives the same result whatever the chunk boundaries (ARCHITECTURE §5.1). */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { FLAG_COMMAND, FLAG_LONG, FLAG_MORE, ZmtpDecoder } from "../../../src/zmtp/decoder.ts";
import { ZmtpError } from "../../../src/zmtp/errors.ts";
import { encodeGreeting, type Greeting } from "../../../src/zmtp/greeting.ts";
import { FrameWriter } from "../../../src/zmtp/writer.ts";

interface Seen {
  greeting: Greeting | null;
  frames: Array<{ flags: number; body: string }>;
}

function decode(bytes: Uint8Array, chunkSizes: (i: number) => number, max = 1 << 20): Seen {
  const seen: Seen = { greeting: null, frames: [] };
  const d = new ZmtpDecoder(
    {
      onGreeting: (g) => (seen.greeting = g),
      onFrame: (flags, body) => seen.frames.push({ flags, body: Buffer.from(body).toString("hex") }),
    },
    max,
  );
  let off = 0;
  let i = 0;
  while (off < bytes.length) {
    const n = Math.max(1, chunkSizes(i++));
    // copy each chunk into a fresh buffer, as a socket data event would
    d.push(Buffer.from(bytes.subarray(off, off + n)));
    off += n;
  }
  return seen;
}

/** A golden stream: a libzmq-style greeting (padding bytes non-zero), READY, a 3-frame message with empty and long frames. */
function golden(): Buffer {
  const g = encodeGreeting();
  g[8] = 0x01; // libzmq puts routing-id length + 1 in the padding: must be tolerated
  const out: Uint8Array[] = [g];
  const w = new FrameWriter({ write: (d) => (out.push(Buffer.from(d)), d.length) });
  w.command(Buffer.from("\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER", "latin1"));
  w.frame(Buffer.from("a"), true);
  w.frame(Buffer.alloc(0), true);
  w.frame(Buffer.alloc(300, 7), false);
  w.flush();
  return Buffer.concat(out);
}

const expected = decode(golden(), () => 1 << 30);

describe("ZmtpDecoder", () => {
  test("decodes the golden stream fed whole", () => {
    expect(expected.greeting).toEqual({ major: 3, minor: 1, mechanism: "NULL", asServer: false });
    expect(expected.frames.map((f) => f.flags)).toEqual([FLAG_COMMAND, FLAG_MORE, FLAG_MORE, FLAG_LONG]);
    expect(expected.frames[1]!.body).toBe("61");
    expect(expected.frames[2]!.body).toBe("");
    expect(expected.frames[3]!.body.length).toBe(600);
  });

  test("same result fed 1 byte at a time", () => {
    expect(decode(golden(), () => 1)).toEqual(expected);
  });

  test("same result fed 7 bytes at a time", () => {
    expect(decode(golden(), () => 7)).toEqual(expected);
  });

  test("same result for any random chunking (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 50 }), (sizes) => {
        expect(decode(golden(), (i) => sizes[i % sizes.length]!)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test("any frames round-trip through writer and decoder under random chunking (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 700 }), fc.boolean()), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 300 }),
        (frames, chunk) => {
          const out: Uint8Array[] = [encodeGreeting()];
          const w = new FrameWriter({ write: (d) => (out.push(Buffer.from(d)), d.length) });
          for (const [body, more] of frames) w.frame(body, more);
          w.flush();
          const seen = decode(Buffer.concat(out), () => chunk);
          expect(seen.frames.map((f) => f.body)).toEqual(frames.map(([b]) => Buffer.from(b).toString("hex")));
          expect(seen.frames.map((f) => (f.flags & FLAG_MORE) === FLAG_MORE)).toEqual(frames.map(([, m]) => m));
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a frame longer than the maximum is refused before its body is allocated", () => {
    const header = Buffer.from([FLAG_LONG, 0x00, 0x00, 0x00, 0x10, 0, 0, 0, 0]); // 64 GiB
    let err: unknown;
    try {
      decode(Buffer.concat([encodeGreeting(), header]), () => 1, 1024);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ZmtpError);
    expect((err as ZmtpError).code).toBe("E_ZMTP_TOO_LARGE");
  });

  test("with no size limit, a frame larger than any buffer is still refused with E_ZMTP_TOO_LARGE", () => {
    const header = Buffer.from([FLAG_LONG, 0x00, 0x10, 0, 0, 0, 0, 0, 0]);
    expect(() => decode(Buffer.concat([encodeGreeting(), header]), () => 100, Infinity)).toThrow("larger than a buffer");
  });

  test("a wrong signature is refused on its first byte", () => {
    expect(() => decode(Buffer.from("GET / HTTP/1.1\r\n"), () => 1)).toThrow(ZmtpError);
  });

  test("a ZMTP 2.0 peer is refused with E_ZMTP_VERSION", () => {
    const g = encodeGreeting();
    g[10] = 1;
    let code = "";
    try {
      decode(g, () => 64);
    } catch (e) {
      code = (e as ZmtpError).code;
    }
    expect(code).toBe("E_ZMTP_VERSION");
  });

  test("a ZMTP 3.0 peer is accepted", () => {
    const g = encodeGreeting();
    g[11] = 0;
    expect(decode(g, () => 5).greeting?.minor).toBe(0);
  });

  test("reserved flag bits are refused with E_ZMTP_FRAME", () => {
    expect(() => decode(Buffer.concat([encodeGreeting(), Buffer.from([0x40, 0])]), () => 3)).toThrow("reserved bits");
  });

  test("frames inside one chunk are views, not copies", () => {
    const chunk = Buffer.concat([encodeGreeting(), Buffer.from([0, 3, 1, 2, 3])]);
    let body: Buffer | null = null;
    const d = new ZmtpDecoder({ onGreeting: () => {}, onFrame: (_f, b) => (body = b) }, 100);
    d.push(chunk);
    expect(body!.buffer).toBe(chunk.buffer);
  });
});
