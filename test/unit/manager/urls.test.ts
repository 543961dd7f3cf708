/** Interchange URL choice: host replacement keeps ports; --address probing picks a reachable host or names every failure. */
import { describe, expect, test } from "bun:test";
import net from "node:net";
import type { ManagerOptions } from "../../../src/config/roles.ts";
import { portOf, resolveInterchangeUrls, withHost } from "../../../src/manager/urls.ts";
import { silentLogger } from "../../../src/util/log.ts";

const opts = (taskUrl: string, resultUrl: string, addresses: string[], heartbeatThreshold = 0.1) =>
  ({ taskUrl, resultUrl, addresses, heartbeatThreshold }) as unknown as ManagerOptions;

describe("interchange urls", () => {
  test("withHost keeps the port; IPv6 hosts get brackets", () => {
    expect(withHost("tcp://login1:5000", "127.0.0.1")).toBe("tcp://127.0.0.1:5000");
    expect(withHost("tcp://[::1]:7", "::1")).toBe("tcp://[::1]:7");
    expect(portOf("tcp://a:42")).toBe(42);
    expect(portOf("ipc:///x")).toBeNull();
  });

  test("no addresses: the URLs as given", async () => {
    expect(await resolveInterchangeUrls(opts("tcp://h:1", "tcp://h:2", []), silentLogger)).toEqual({ taskUrl: "tcp://h:1", resultUrl: "tcp://h:2" });
  });

  test("the first reachable address wins, ports kept", async () => {
    const server = net.createServer((s) => s.destroy()).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const u = await resolveInterchangeUrls(opts(`tcp://nowhere:${port}`, "tcp://nowhere:9", ["fx-no-such-host.invalid", "127.0.0.1"]), silentLogger);
      expect(u).toEqual({ taskUrl: `tcp://127.0.0.1:${port}`, resultUrl: "tcp://127.0.0.1:9" });
    } finally {
      server.close();
    }
  });

  test("nothing reachable: an error naming every candidate", async () => {
    const err = await resolveInterchangeUrls(opts("tcp://x:1", "tcp://x:2", ["fx-no-such-host.invalid"]), silentLogger, 500).catch((e) => e);
    expect(err.code).toBe("E_INTERCHANGE_UNREACHABLE");
    expect(err.message).toContain("fx-no-such-host.invalid");
  });
});
