/** Endpoint strings we accept and refuse. */
import { describe, expect, test } from "bun:test";
import { formatEndpoint, parseEndpoint } from "../../../src/zmtp/endpoint.ts";
import { ZmtpError } from "../../../src/zmtp/errors.ts";

describe("parseEndpoint", () => {
  test("tcp host:port, wildcard host, wildcard and zero port", () => {
    expect(parseEndpoint("tcp://127.0.0.1:5555")).toEqual({ transport: "tcp", host: "127.0.0.1", port: 5555 });
    expect(parseEndpoint("tcp://*:5555")).toEqual({ transport: "tcp", host: "0.0.0.0", port: 5555 });
    expect(parseEndpoint("tcp://127.0.0.1:*")).toEqual({ transport: "tcp", host: "127.0.0.1", port: 0 });
    expect(parseEndpoint("tcp://localhost:0")).toEqual({ transport: "tcp", host: "localhost", port: 0 });
  });

  test("IPv6 literals in brackets", () => {
    const e = parseEndpoint("tcp://[::1]:6000");
    expect(e).toEqual({ transport: "tcp", host: "::1", port: 6000 });
    expect(formatEndpoint(e)).toBe("tcp://[::1]:6000");
  });

  test("port ranges", () => {
    expect(parseEndpoint("tcp://127.0.0.1:54000-55000")).toEqual({ transport: "tcp", host: "127.0.0.1", port: 54000, range: [54000, 55000] });
  });

  test("ipc paths", () => {
    expect(parseEndpoint("ipc:///tmp/x.sock")).toEqual({ transport: "ipc", path: "/tmp/x.sock" });
  });

  for (const bad of ["udp://1.2.3.4:5", "tcp://:5", "tcp://host", "tcp://host:99999", "tcp://host:abc", "tcp://::1:5", "tcp://h:9-3", "ipc://", ""]) {
    test(`refuses ${JSON.stringify(bad)} with E_ZMTP_ENDPOINT`, () => {
      let err: unknown;
      try {
        parseEndpoint(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ZmtpError);
      expect((err as ZmtpError).code).toBe("E_ZMTP_ENDPOINT");
    });
  }
});
