/** Command and metadata encoding (RFC 37 grammar) and their parsers' limits. */
import { describe, expect, test } from "bun:test";
import { encodeCommand, encodeError, encodeMetadata, encodePing, parseCommand, parseErrorReason, parseMetadata, parsePing } from "../../../src/zmtp/command.ts";
import { ZmtpError } from "../../../src/zmtp/errors.ts";

describe("commands", () => {
  test("READY metadata round-trips; names are matched case-insensitively; an empty Identity is kept", () => {
    const body = encodeCommand("READY", encodeMetadata([["Socket-Type", "DEALER"], ["Identity", ""]]));
    const cmd = parseCommand(body);
    expect(cmd.name).toBe("READY");
    const md = parseMetadata(cmd.data);
    expect(md.get("socket-type")!.toString()).toBe("DEALER");
    expect(md.get("identity")!.length).toBe(0);
  });

  test("metadata whose value runs past the end is refused", () => {
    const bad = Buffer.from("\x0bSocket-Type\x00\x00\x00\x09DEAL", "latin1");
    expect(() => parseMetadata(bad)).toThrow(ZmtpError);
  });

  test("a command with a name longer than its body is refused", () => {
    expect(() => parseCommand(Buffer.from([9, 65]))).toThrow(ZmtpError);
  });

  test("PING carries TTL in deciseconds and a context of at most 16 bytes", () => {
    const cmd = parseCommand(encodePing(2500, Buffer.from("ctx")));
    expect(cmd.name).toBe("PING");
    const p = parsePing(cmd.data);
    expect(p.ttlMs).toBe(2500);
    expect(p.context.toString()).toBe("ctx");
  });

  test("ERROR carries a reason", () => {
    const cmd = parseCommand(encodeError("Invalid socket type"));
    expect(parseErrorReason(cmd.data)).toBe("Invalid socket type");
  });
});
