/** Address probing, on loopback only: 127.0.0.1, "localhost", the loopback interface, and closed ports there. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import os from "node:os";
import { DEFAULTS } from "../../../src/config/schema.ts";
import { managerArgv } from "../../../src/interchange/blocks.ts";
import { expandCandidates, localAddresses, probeAddresses, resolveCandidate } from "../../../src/providers/address.ts";

let server: net.Server;
let port = 0;
let closedPort = 0;

beforeAll(async () => {
  server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as net.AddressInfo).port;
  // A port that was just free on 127.0.0.1: bind, note it, close (nothing listens there afterwards).
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, "127.0.0.1", () => r()));
  closedPort = (tmp.address() as net.AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));
});
afterAll(() => server.close());

const loopbackIface = Object.entries(os.networkInterfaces()).find(([, l]) => l?.some((i) => i.address === "127.0.0.1"))?.[0];

describe("address candidates", () => {
  test("lists and comma-separated strings expand, trimmed, without repeats", () => {
    expect(expandCandidates(["a, b", "c", "a"])).toEqual(["a", "b", "c"]);
    expect(expandCandidates(" x ,,y ")).toEqual(["x", "y"]);
  });

  test.skipIf(!loopbackIface)("localAddresses: interface names become this machine's addresses; hosts and IPs stay", () => {
    const out = localAddresses([loopbackIface!, "login01.cluster.example", "10.0.0.1", "127.0.0.1"]);
    expect(out[0]).toBe("127.0.0.1");
    expect(out).toContain("login01.cluster.example");
    expect(out).toContain("10.0.0.1");
    expect(out.filter((a) => a === "127.0.0.1").length).toBe(1);
    expect(out).not.toContain(loopbackIface!);
  });

  test.skipIf(!loopbackIface)("the manager command carries this machine's address for an interface name", () => {
    const config = { ...DEFAULTS, executor: { ...DEFAULTS.executor, address: [loopbackIface!, "login01.cluster.example"] } };
    const argv = managerArgv(config, { taskUrl: "tcp://127.0.0.1:54000", resultUrl: "tcp://127.0.0.1:54001" }, "0");
    const addresses = argv[argv.indexOf("--address") + 1]!.split(",");
    expect(addresses[0]).toBe("127.0.0.1"); // IPv4 first; the interface's other addresses (e.g. ::1) follow
    expect(addresses.at(-1)).toBe("login01.cluster.example");
    expect(addresses).not.toContain(loopbackIface!);
  });

  test("an IP literal resolves to itself", async () => {
    expect(await resolveCandidate("127.0.0.1")).toEqual({ candidate: "127.0.0.1", addresses: ["127.0.0.1"] });
  });

  test.skipIf(!loopbackIface)("the loopback interface name resolves through os.networkInterfaces()", async () => {
    const r = await resolveCandidate(loopbackIface!);
    expect(r.addresses).toContain("127.0.0.1");
  });

  test("localhost resolves through DNS to loopback", async () => {
    const r = await resolveCandidate("localhost");
    expect(r.addresses.some((a) => a === "127.0.0.1" || a === "::1")).toBe(true);
  });
});

describe("probeAddresses", () => {
  test("the first reachable candidate wins", async () => {
    const r = await probeAddresses(["127.0.0.1"], port, 5000);
    expect(r.address).toBe("127.0.0.1");
    expect(r.message).toContain(`127.0.0.1:${port}`);
  });

  test.skipIf(!loopbackIface)("an interface name works as a candidate", async () => {
    const r = await probeAddresses([loopbackIface!], port, 5000);
    expect(r.address).toBe("127.0.0.1");
  });

  test("candidate order decides between reachable ones; failures before it are reported", async () => {
    const r = await probeAddresses(["fx-no-such-interface-or-host.invalid", "localhost", "127.0.0.1"], port, 5000);
    expect(["127.0.0.1", "::1"]).toContain(r.address!);
    const bad = r.attempts.find((a) => a.candidate === "fx-no-such-interface-or-host.invalid")!;
    expect(bad.ok).toBe(false);
    expect(bad.address).toBeNull();
    expect(bad.error).toContain("DNS lookup failed");
  }, 60_000); // a failing DNS lookup may take a while on a slow resolver

  test("nothing answers → null and a message naming every address tried and why", async () => {
    const r = await probeAddresses("127.0.0.1, fx-no-such-interface-or-host.invalid", closedPort, 5000);
    expect(r.address).toBeNull();
    expect(r.attempts.length).toBe(2);
    expect(r.message).toContain(`127.0.0.1:${closedPort}`);
    expect(r.message).toContain("ECONNREFUSED");
    expect(r.message).toContain("fx-no-such-interface-or-host.invalid");
  }, 60_000);

  test("an empty address list is reported, not a crash", async () => {
    const r = await probeAddresses([], port, 1000);
    expect(r.address).toBeNull();
    expect(r.message).toContain("empty");
  });
});
