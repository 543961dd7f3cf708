/**
 * A neighbour for the latency benchmark that is not fx: two processes (this one and a child) that, until stdin
 * closes, do 3 one-byte TCP ping-pongs on 127.0.0.1 every millisecond — the wakeup pattern of a lightly loaded
 * endpoint (a few process hand-offs per ms) with almost no CPU. Prints {"ready":true}, then at the end how many
 * ping-pongs it did, like load-client.ts.
 *   bun scripts/bench/neighbour.ts            (starts the server and its client)
 */
import { spawn } from "node:child_process";

const PER_MS = 3;

if (process.argv[2] === "client") {
  const port = Number(process.argv[3]);
  let resolve = () => {};
  const sock = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() { resolve(); }, close() { process.exit(0); } } });
  for (;;) {
    for (let i = 0; i < PER_MS; i++) await new Promise<void>((r) => { resolve = r; sock.write("x"); });
    await Bun.sleep(1);
  }
}

let done = 0;
const server = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(sock, d) {
      done++;
      sock.write(d);
    },
  },
});
const t0 = performance.now();
const child = spawn(process.execPath, [import.meta.path, "client", String(server.port)], { stdio: "inherit" });
console.log(JSON.stringify({ ready: true }));
process.stdin.on("data", () => {});
process.stdin.on("end", () => {
  child.kill();
  console.log(JSON.stringify({ done, seconds: (performance.now() - t0) / 1000 }));
  process.exit(0);
});
