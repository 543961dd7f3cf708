/**
 * Spec-test helpers: sockets closed after each test, polling waits, and a raw ZMTP peer that speaks
 * bytes directly (to send what our sockets never would: odd greetings, PINGs, truncated frames).
 */
import type { Socket as BunSocket } from "bun";
import { encodeCommand, encodeMetadata, parseCommand } from "../../../src/zmtp/command.ts";
import { FLAG_COMMAND, ZmtpDecoder } from "../../../src/zmtp/decoder.ts";
import { encodeGreeting } from "../../../src/zmtp/greeting.ts";
import type { Socket } from "../../../src/zmtp/index.ts";
import { FrameWriter } from "../../../src/zmtp/writer.ts";

const open = new Set<{ close(): unknown }>();

export function track<T extends { close(): unknown }>(s: T): T {
  open.add(s);
  return s;
}

export async function closeAll(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map(async (s) => {
    try {
      await s.close();
    } catch {
      // already closed
    }
  }));
}

/** Polls until `cond` is true (generous deadline for a loaded CI box). */
export async function waitFor(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** Resolves with the first event of that name. */
export function once<T>(sock: Socket, name: "handshake" | "disconnect" | "error" | "connect" | "accept" | "connect:retry"): Promise<T> {
  return new Promise((resolve) => {
    const off = sock.on(name, (ev) => {
      off();
      resolve(ev as T);
    });
  });
}

export const str = (frames: Buffer[]): string[] => frames.map((b) => b.toString());

export interface RawFrame {
  flags: number;
  body: Buffer;
}

/** A byte-level peer: everything it receives is decoded into frames; it writes whatever it is told. */
export class RawPeer {
  readonly frames: RawFrame[] = [];
  greeting: Buffer | null = null;
  bytes = 0;
  closed = false;
  private sock: BunSocket<undefined> | null = null;
  private decoder: ZmtpDecoder;
  private readonly received: Buffer[] = [];

  constructor(private readonly decodeFrames = true) {
    this.decoder = new ZmtpDecoder({ onGreeting: () => {}, onFrame: (flags, body) => this.frames.push({ flags, body: Buffer.from(body) }) }, 1 << 30);
  }

  static async connect(endpoint: string, decode = true): Promise<RawPeer> {
    const peer = new RawPeer(decode);
    const url = new URL(endpoint.replace("tcp://", "http://"));
    peer.sock = await Bun.connect({
      hostname: url.hostname,
      port: Number(url.port),
      socket: {
        data: (_s, chunk) => peer.onData(chunk),
        close: () => {
          peer.closed = true;
        },
        error: () => {
          peer.closed = true;
        },
      },
    });
    track({ close: () => peer.close() });
    return peer;
  }

  /** Listens on 127.0.0.1:0; `accepted` resolves with the raw peer of the first connection. */
  static listen(decode = true): { endpoint: string; accepted: Promise<RawPeer> } {
    let resolve!: (p: RawPeer) => void;
    const accepted = new Promise<RawPeer>((r) => (resolve = r));
    const server = Bun.listen<RawPeer | undefined>({
      hostname: "127.0.0.1",
      port: 0,
      data: undefined,
      socket: {
        open: (s) => {
          const peer = new RawPeer(decode);
          peer.sock = s as unknown as BunSocket<undefined>;
          s.data = peer;
          resolve(peer);
        },
        data: (s, chunk) => s.data?.onData(chunk),
        close: (s) => {
          if (s.data) s.data.closed = true;
        },
      },
    });
    track({ close: () => server.stop(true) });
    return { endpoint: `tcp://127.0.0.1:${server.port}`, accepted };
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.received.push(Buffer.from(chunk));
    if (!this.greeting) {
      const all = Buffer.concat(this.received);
      if (all.length >= 64) this.greeting = all.subarray(0, 64);
    }
    if (this.decodeFrames) {
      try {
        this.decoder.push(Buffer.from(chunk));
      } catch {
        // the raw peer only records
      }
    }
  }

  write(bytes: Uint8Array): void {
    this.sock!.write(bytes);
  }

  /** Our greeting (3.1 or a chosen minor), optionally with non-zero padding. */
  sendGreeting(minor = 1, padding = 0): void {
    const g = encodeGreeting();
    g[11] = minor;
    for (let i = 1; i < 9; i++) g[i] = padding;
    this.write(g);
  }

  sendCommand(name: string, data: Uint8Array = Buffer.alloc(0)): void {
    this.write(frameBytes(encodeCommand(name, data), FLAG_COMMAND));
  }

  sendReady(socketType: string, identity?: string, names = { type: "Socket-Type", id: "Identity" }): void {
    const props: [string, string][] = [[names.type, socketType]];
    if (identity !== undefined) props.push([names.id, identity]);
    this.sendCommand("READY", encodeMetadata(props));
  }

  sendMessage(parts: Array<string | Uint8Array>): void {
    const out: Uint8Array[] = [];
    const w = new FrameWriter({ write: (d) => (out.push(Buffer.from(d)), d.length) });
    parts.forEach((p, i) => w.frame(typeof p === "string" ? Buffer.from(p) : p, i < parts.length - 1));
    w.flush();
    this.write(Buffer.concat(out));
  }

  commands(name: string): Buffer[] {
    return this.frames.filter((f) => f.flags & FLAG_COMMAND).map((f) => parseCommand(f.body)).filter((c) => c.name === name).map((c) => c.data);
  }

  pause(): void {
    this.sock!.pause();
  }

  resume(): void {
    this.sock!.resume();
  }

  close(): void {
    this.sock?.end();
    this.closed = true;
  }
}

export function frameBytes(body: Uint8Array, flags: number): Buffer {
  const out: Uint8Array[] = [];
  const w = new FrameWriter({ write: (d) => (out.push(Buffer.from(d)), d.length) });
  if (flags & FLAG_COMMAND) w.command(body);
  else w.frame(body, (flags & 1) === 1);
  w.flush();
  return Buffer.concat(out);
}
