/**
 * Our own DEALER in a process of its own, so a test can freeze it (SIGSTOP) and watch a libzmq peer react.
 *   bun ours-peer.ts CONNECT_EP OPTIONS_JSON HELLO
 * Connects with the given socket options, sends HELLO once, prints "READY", then just stays alive.
 */
import { Dealer } from "../../../src/zmtp/index.ts";

const [ep, optsJson, hello] = process.argv.slice(2);
if (!ep || !optsJson || hello === undefined) {
  console.error("usage: ours-peer.ts CONNECT_EP OPTIONS_JSON HELLO");
  process.exit(2);
}
const d = new Dealer(JSON.parse(optsJson) as Record<string, number | string>);
d.connect(ep);
await d.send([hello]);
process.stdout.write("READY\n");
setInterval(() => {}, 1 << 30);
