/**
 * The far end of the raw one-hop benchmark (hop.ts): a Bun TCP server on 127.0.0.1 that either echoes every
 * byte (ping-pong) or swallows TOTAL bytes and then answers one byte (throughput). Prints its port.
 *   bun scripts/bench/hop-peer.ts echo|sink [TOTAL]
 */
const [mode, totalArg] = process.argv.slice(2);
const total = Number(totalArg ?? 0);
let got = 0;
const server = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(sock, chunk) {
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
  },
});
console.log(JSON.stringify({ port: server.port }));
process.stdin.on("data", () => {});
process.stdin.on("end", () => process.exit(0));
