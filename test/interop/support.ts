/**
 * Shared bits of the interop suite: endpoints on 127.0.0.1 / temp-dir ipc paths, frame checks against the
 * peers' reports, and a receive that fails a test instead of hanging it.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "bun:test";
import { crc32, hex, ipcDir, type FrameReport } from "../helpers/peers/peer.ts";

export type Transport = "tcp" | "ipc";
export const TRANSPORTS: readonly Transport[] = ["tcp", "ipc"];

const dirs: string[] = [];

/** An endpoint to bind: tcp on 127.0.0.1 with a wildcard port, or a fresh ipc path in a temp dir. */
export function bindEndpoint(t: Transport, wildcard: "0" | "*" = "0"): string {
  if (t === "tcp") return `tcp://127.0.0.1:${wildcard}`;
  const dir = ipcDir();
  dirs.push(dir);
  return `ipc://${path.join(dir, "s")}`;
}

/** Removes the temp dirs made by bindEndpoint (afterEach). */
export function removeIpcDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const txt = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

/** Asserts that a peer's report of a message matches `expected` frame by frame. */
export function expectReport(got: FrameReport[] | null, expected: Uint8Array[]): void {
  expect(got).not.toBeNull();
  expect(got!.map((f) => f.len)).toEqual(expected.map((f) => f.length));
  expect(got!.map((f) => f.crc)).toEqual(expected.map((f) => crc32(f)));
  got!.forEach((f, i) => {
    if (f.hex !== undefined) expect(f.hex).toBe(hex(expected[i]!));
  });
}

/** Asserts that frames we received equal `expected`. */
export function expectFrames(got: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  expect(got.length).toBe(expected.length);
  got.forEach((f, i) => {
    const e = expected[i]!;
    expect(f.length).toBe(e.length);
    if (e.length <= 4096) expect(hex(f)).toBe(hex(e));
    else expect(crc32(f)).toBe(crc32(e));
  });
}

/** Resolves with `p`, or rejects after `ms` with a message naming `what` (a test fails instead of hanging). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
