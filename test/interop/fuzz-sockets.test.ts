/**
 * Robustness over real sockets: hundreds of raw TCP clients send mutated ZMTP streams (seeded, replayable;
 * see fuzz-streams.ts) to a listening ROUTER while a good DEALER keeps exchanging messages with it.
 * Garbage is cut off by the server itself; memory stays flat. (The in-process half is fuzz-connection.test.ts.)
 */
import { afterEach, describe, expect, test } from "bun:test";
import { chunks, mutatedStream, prng } from "./fuzz-streams.ts";
import { closeOurs, ours } from "./ours-sockets.ts";
import { enc, txt, within } from "./support.ts";

afterEach(async () => {
  await closeOurs();
});

const REAL_CONNECTIONS = 2000;

describe("ZMTP fuzz, real sockets", () => {
  test(`${REAL_CONNECTIONS} real connections with mutated streams to our ROUTER; a good DEALER keeps talking throughout`, async () => {
    const router = ours("ROUTER", { maxMessageSize: 64 * 1024, handshakeTimeout: 1_000 });
    await router.bind("tcp://127.0.0.1:0");
    const ep = router.lastEndpoint as string;
    const port = Number(ep.slice(ep.lastIndexOf(":") + 1));
    const good = ours("DEALER", { routingId: "good" });
    good.connect(ep);

    // The router answers the good peer and drops whatever a fuzz client manages to deliver.
    let garbageMessages = 0;
    let stop = false;
    const serving = (async () => {
      while (!stop) {
        let msg: Uint8Array[];
        try {
          msg = await router.receive();
        } catch {
          return;
        }
        if (txt(msg[0]!) === "good") await router.send(msg);
        else garbageMessages++;
      }
    })();
    async function roundTrip(i: number): Promise<void> {
      await within(good.send([enc(`ping ${i}`)]), 30_000, "good peer send");
      const reply = (await within(good.receive(), 30_000, "good peer reply")) as Uint8Array[];
      expect(txt(reply[0]!)).toBe(`ping ${i}`);
    }
    await roundTrip(-1);

    Bun.gc(true);
    const rssBefore = process.memoryUsage().rss;
    let cutOff = 0;
    let mustCut = 0;
    const BATCH = 25;
    const stalledWaits: Promise<void>[] = [];
    for (let b = 0; b < REAL_CONNECTIONS / BATCH; b++) {
      await Promise.all(
        Array.from({ length: BATCH }, async (_, k) => {
          const r = prng(0x5eed0000 + b * BATCH + k);
          let stream = mutatedStream(r);
          // Every 10th client stalls inside its greeting: the server's handshake timeout must end it.
          const stalled = (b * BATCH + k) % 10 === 0;
          if (stalled) stream = Uint8Array.of(0xff, ...stream.subarray(1, 1 + Math.floor(r() * 40)).map((x) => x | 1));
          // A stream whose first byte is not 0xFF is no ZMTP peer: the server must hang up on it by itself.
          const garbage = stalled || (stream.length > 0 && stream[0] !== 0xff);
          if (garbage) mustCut++;
          let closedByServer = false;
          let resolveClosed: () => void = () => {};
          const closed = new Promise<void>((res) => (resolveClosed = res));
          const sock = await Bun.connect({
            hostname: "127.0.0.1",
            port,
            socket: {
              data() {},
              close() {
                closedByServer = true;
                resolveClosed();
              },
              error() {
                resolveClosed();
              },
            },
          });
          for (const c of chunks(r, stream)) sock.write(c);
          if (garbage) {
            const cut = within(closed, 30_000, `server hanging up on garbage or a stalled greeting (seed ${0x5eed0000 + b * BATCH + k})`).then(() => {
              if (closedByServer) cutOff++;
            });
            // Stalled clients wait for the handshake timeout in the background.
            if (stalled) stalledWaits.push(cut);
            else await cut;
          } else {
            await Bun.sleep(1 + Math.floor(r() * 5));
            sock.end();
          }
        }),
      );
      await roundTrip(b);
    }
    await Promise.all(stalledWaits);
    await roundTrip(REAL_CONNECTIONS);
    Bun.gc(true);
    const rssGrowth = (process.memoryUsage().rss - rssBefore) / (1 << 20);
    console.log(`fuzz (sockets): ${REAL_CONNECTIONS} connections, ${mustCut} garbage or stalled streams cut off by the server (${cutOff}), ${garbageMessages} messages delivered from fuzz peers, RSS growth ${rssGrowth.toFixed(1)} MiB`);
    expect(cutOff).toBe(mustCut);
    expect(rssGrowth).toBeLessThan(200);
    stop = true;
    await roundTrip(9999);
    await router.close();
    await serving;
  }, 120_000);
});
