/** Option defaults, libzmq's "no limit" values, and refusals. */
import { describe, expect, test } from "bun:test";
import { ZmtpError } from "../../../src/zmtp/errors.ts";
import { resolveOptions } from "../../../src/zmtp/options.ts";

describe("resolveOptions", () => {
  test("defaults follow libzmq where it has one", () => {
    const o = resolveOptions();
    expect(o.sendHighWaterMark).toBe(1000);
    expect(o.receiveHighWaterMark).toBe(1000);
    expect(o.handshakeTimeout).toBe(30000);
    expect(o.heartbeatInterval).toBe(0);
    expect(o.reconnectInterval).toBe(100);
    expect(o.routingId.length).toBe(0);
  });

  test("heartbeatTimeout defaults to heartbeatInterval", () => {
    expect(resolveOptions({ heartbeatInterval: 250 }).heartbeatTimeout).toBe(250);
  });

  test("0 high-water marks and a -1 max message size mean no limit", () => {
    const o = resolveOptions({ sendHighWaterMark: 0, receiveHighWaterMark: 0, maxMessageSize: -1 });
    expect([o.sendHighWaterMark, o.receiveHighWaterMark, o.maxMessageSize]).toEqual([Infinity, Infinity, Infinity]);
  });

  for (const [name, bad] of [
    ["sendHighWaterMark", -1],
    ["linger", -2],
    ["reconnectInterval", 0],
    ["heartbeatInterval", Number.NaN],
  ] as const) {
    test(`refuses ${name}=${bad} with E_ZMTP_OPTION`, () => {
      let code = "";
      try {
        resolveOptions({ [name]: bad });
      } catch (e) {
        code = (e as ZmtpError).code;
      }
      expect(code).toBe("E_ZMTP_OPTION");
    });
  }

  test("a routingId starting with a zero byte, or longer than 255 bytes, is refused", () => {
    expect(() => resolveOptions({ routingId: Buffer.from([0, 1]) })).toThrow("zero byte");
    expect(() => resolveOptions({ routingId: "x".repeat(256) })).toThrow("255");
  });
});
