/**
 * Back-pressure against real libzmq: more data than the kernel buffers hold, with small high-water marks,
 * so our writer meets partial writes and drains, and our reader pauses and resumes its peer. Everything
 * arrives, once, in order.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { killAllPeers, patternBytes, Peer, PEER_KINDS, peerUnavailable } from "../helpers/peers/peer.ts";
import { closeOurs, ours } from "./ours-sockets.ts";
import { bindEndpoint, enc, removeIpcDirs, txt, within } from "./support.ts";

afterEach(async () => {
  await closeOurs();
  await killAllPeers();
  removeIpcDirs();
});

const T = 60_000;
const N = 50_000;

for (const kind of PEER_KINDS) {
  const why = peerUnavailable(kind);
  describe.skipIf(why !== null)(`interop flow control with ${kind}${why ? ` (skipped: ${why})` : ""}`, () => {
    test(`ours=DEALER (sendHighWaterMark 50) → theirs=ROUTER (${kind}): ${N} × 2 KiB, more than the socket buffers hold, all arrive in order`, async () => {
      const peer = await Peer.start(kind, { type: "ROUTER", bind: [bindEndpoint("tcp", "*")] });
      const s = ours("DEALER", { routingId: "flood", sendHighWaterMark: 50 });
      s.connect(peer.endpoint);
      const body = patternBytes(2048, 5);
      // ~100 MB, sent faster than the peer reads: our writes fill the kernel buffers, block and resume.
      const sending = (async () => {
        for (let i = 0; i < N; i++) await s.send([body, enc(String(i))]);
      })();
      const r = await peer.recvCount(N, T);
      await within(sending, T, "our sends");
      expect(r.count).toBe(N);
      expect(r.last![1]!.len).toBe(2048);
      expect(Buffer.from(r.last![2]!.hex!, "hex").toString()).toBe(String(N - 1));
    }, 120_000);

    test(`theirs=DEALER (${kind}) → ours=ROUTER (receiveHighWaterMark 100) read slowly: ${N} messages arrive once, in order`, async () => {
      const router = ours("ROUTER", { receiveHighWaterMark: 100 });
      await router.bind(bindEndpoint("tcp"));
      const peer = await Peer.start(kind, { type: "DEALER", routingId: "firehose", connect: [router.lastEndpoint!] });
      const sent = peer.sendSeq(N, 0, [{ size: 200, seed: 1 }]);
      for (let i = 0; i < N; i++) {
        const [id, b, n] = await within(router.receive(), T, `message ${i}`);
        if (txt(n!) !== String(i)) expect(txt(n!)).toBe(String(i));
        if (i === 0) {
          expect(txt(id!)).toBe("firehose");
          expect(b!.length).toBe(200);
        }
        if (i % 5000 === 0) await Bun.sleep(20); // a slow consumer now and then
      }
      await sent;
    }, 120_000);
  });
}
