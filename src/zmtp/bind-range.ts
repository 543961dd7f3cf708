/** Binds a socket to a random free port in [lo, hi] on `host`; returns the bound endpoint. */
import type { Socket } from "./socket/base.ts";

export async function bindInRange(sock: Socket, host: string, lo: number, hi: number): Promise<string> {
  const h = host.includes(":") ? `[${host}]` : host;
  await sock.bind(`tcp://${h}:${lo}-${hi}`);
  return sock.lastEndpoint!;
}
