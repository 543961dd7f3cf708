/**
 * Frame sizes around the short/long header boundary (255 / 256 bytes), empty frames, 1 MiB and 64 MiB,
 * sent both ways between our DEALER and a real libzmq ROUTER; the receiving side checks length and CRC-32.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { killAllPeers, patternBytes, Peer, PEER_KINDS, peerUnavailable } from "../helpers/peers/peer.ts";
import { closeOurs, ours } from "./ours-sockets.ts";
import { bindEndpoint, enc, expectFrames, expectReport, removeIpcDirs, within } from "./support.ts";

afterEach(async () => {
  await closeOurs();
  await killAllPeers();
  removeIpcDirs();
});

const T = 60_000;
const SIZES = [0, 1, 255, 256, 65_536, 1 << 20, 64 << 20];

for (const kind of PEER_KINDS) {
  const why = peerUnavailable(kind);
  describe.skipIf(why !== null)(`interop frame sizes with ${kind}${why ? ` (skipped: ${why})` : ""}`, () => {
    for (const size of SIZES) {
      test(`ours=DEALER ↔ theirs=ROUTER (${kind}): a ${size}-byte frame crosses both ways`, async () => {
        const peer = await Peer.start(kind, { type: "ROUTER", bind: [bindEndpoint("tcp", "*")] });
        const s = ours("DEALER", { routingId: "sizes", maxMessageSize: 128 << 20 });
        s.connect(peer.endpoint);
        const payload = patternBytes(size, size & 0xff);
        await within(s.send([enc("head"), payload]), T, "our send");
        const got = await peer.recv(T);
        expect(got![0]!.hex).toBe(Buffer.from("sizes").toString("hex"));
        expectReport(got!.slice(1), [enc("head"), payload]);
        await peer.send([{ utf8: "sizes" }, { size, seed: (size + 1) & 0xff }, { utf8: "tail" }]);
        const back = (await within(s.receive(), T, "our receive")) as Uint8Array[];
        expectFrames(back, [patternBytes(size, (size + 1) & 0xff), enc("tail")]);
      }, 120_000);
    }
  });
}
