/**
 * One of our ROUTERs serving 100 libzmq DEALERs at once (all in one peer process): every dealer's
 * greeting, identity and messages are kept apart, and each gets exactly its own reply.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { killAllPeers, Peer, PEER_KINDS, peerUnavailable, waitFor } from "../helpers/peers/peer.ts";
import { closeOurs, ours } from "./ours-sockets.ts";
import { bindEndpoint, enc, removeIpcDirs, TRANSPORTS, txt, within } from "./support.ts";

afterEach(async () => {
  await closeOurs();
  await killAllPeers();
  removeIpcDirs();
});

const T = 60_000;
const N = 100;

for (const kind of PEER_KINDS) {
  const why = peerUnavailable(kind);
  describe.skipIf(why !== null)(`interop many peers with ${kind}${why ? ` (skipped: ${why})` : ""}`, () => {
    for (const t of TRANSPORTS) {
      test(`ours=ROUTER ↔ theirs=${N}×DEALER (${kind}), ${t}: each dealer gets its own reply`, async () => {
        const router = ours("ROUTER");
        await router.bind(bindEndpoint(t));
        const peer = await Peer.start(kind, { type: "DEALER", count: N, routingId: "d", connect: [router.lastEndpoint!] });
        await peer.send([{ utf8: "hello" }], -1);
        const ids = new Set<string>();
        for (let i = 0; i < N; i++) {
          const [id, msg] = (await within(router.receive(), T, `hello ${i}`)) as Uint8Array[];
          expect(txt(msg!)).toBe("hello");
          ids.add(txt(id!));
          await router.send([id!, enc(`hi ${txt(id!)}`)]);
        }
        expect([...ids].sort()).toEqual(Array.from({ length: N }, (_, i) => `d${i}`).sort());
        const r = await peer.recvCount(N, T, -1);
        expect(r.count).toBe(N);
        expect(r.socks).toEqual(new Array(N).fill(1));
        // A second round, replies in reverse order, each dealer still gets exactly one.
        await peer.send([{ utf8: "again" }], -1);
        const second: Uint8Array[] = [];
        for (let i = 0; i < N; i++) second.push(((await within(router.receive(), T, `again ${i}`)) as Uint8Array[])[0]!);
        for (const id of second.reverse()) await router.send([id!, enc("bye")]);
        const r2 = await peer.recvCount(N, T, -1);
        expect(r2.socks).toEqual(new Array(N).fill(1));
        // The peer process dies: every one of its 100 connections is cleaned up on our side.
        expect(router.peerCount).toBe(N);
        peer.kill();
        await waitFor(() => router.peerCount === 0, T, "all 100 peers to be gone");
        expect(router.hasPeer("d0")).toBe(false);
      }, 120_000);
    }
  });
}
