/**
 * The far end of the raw one-hop benchmark (hop.ts): a Bun TCP server on 127.0.0.1 (or a Unix socket at PATH)
 * that either echoes every byte (ping-pong) or swallows TOTAL bytes and then answers one byte (throughput).
 * Prints its port.
 *   bun scripts/bench/hop-peer.ts echo|sink [TOTAL] [PATH]
 */
import type { Socket, SocketHandler } from "bun";

const [mode, totalArg, unixPath] = process.argv.slice(2);
const total = Number(totalArg ?? 0);
let got = 0;
const socket = {
  data(sock: Socket, chunk: Buffer) {
    if (mode === "echo") {
      sock.write(chunk);
      return;
    }
    got += chunk.length;
    if (got >= total) {
      got -= total;
      sock.write(new Uint8Array(1));
    }
  },
} satisfies SocketHandler;
if (unixPath) Bun.listen({ unix: unixPath, socket });
console.log(JSON.stringify({ port: unixPath ? 0 : Bun.listen({ hostname: "127.0.0.1", port: 0, socket }).port }));
process.stdin.on("data", () => {});
process.stdin.on("end", () => process.exit(0));
