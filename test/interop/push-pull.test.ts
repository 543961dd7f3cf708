/**
 * PUSH/PULL against real libzmq both ways (tcp, either side binding): a stream of numbered messages
 * arrives complete and in order.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Pull, Push } from "../../src/zmtp/index.ts";
import { killAllPeers, Peer, PEER_KINDS, peerUnavailable } from "../helpers/peers/peer.ts";
import { bindEndpoint, removeIpcDirs, txt, within } from "./support.ts";

const open: Array<Push | Pull> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await killAllPeers();
  removeIpcDirs();
});

const T = 30_000;
const N = 500;

for (const kind of PEER_KINDS) {
  const why = peerUnavailable(kind);
  describe.skipIf(why !== null)(`interop PUSH/PULL with ${kind}${why ? ` (skipped: ${why})` : ""}`, () => {
    for (const oursBinds of [true, false]) {
      const how = oursBinds ? "ours binds" : "theirs binds";

      test(`ours=PUSH ↔ theirs=PULL (${kind}), tcp, ${how}: ${N} messages in order`, async () => {
        const push = new Push({ linger: 0 });
        open.push(push);
        let peer: Peer;
        if (oursBinds) {
          await push.bind(bindEndpoint("tcp"));
          peer = await Peer.start(kind, { type: "PULL", connect: [push.lastEndpoint!] });
        } else {
          peer = await Peer.start(kind, { type: "PULL", bind: [bindEndpoint("tcp", "*")] });
          push.connect(peer.endpoint);
        }
        for (let i = 0; i < N; i++) await within(push.send(["n", String(i)]), T, "our PUSH send");
        const r = await peer.recvCount(N, T);
        expect(r.count).toBe(N);
        expect(Buffer.from(r.last!.at(-1)!.hex!, "hex").toString()).toBe(String(N - 1));
      }, 60_000);

      test(`ours=PULL ↔ theirs=PUSH (${kind}), tcp, ${how}: ${N} messages in order`, async () => {
        const pull = new Pull({ linger: 0 });
        open.push(pull);
        let peer: Peer;
        if (oursBinds) {
          await pull.bind(bindEndpoint("tcp"));
          peer = await Peer.start(kind, { type: "PUSH", connect: [pull.lastEndpoint!] });
        } else {
          peer = await Peer.start(kind, { type: "PUSH", bind: [bindEndpoint("tcp", "*")] });
          pull.connect(peer.endpoint);
        }
        await peer.sendSeq(N, 0, [{ utf8: "n" }]);
        for (let i = 0; i < N; i++) {
          const [tag, n] = await within(pull.receive(), T, `our PULL receive ${i}`);
          expect(txt(tag!)).toBe("n");
          expect(txt(n!)).toBe(String(i));
        }
      }, 60_000);
    }
  });
}
