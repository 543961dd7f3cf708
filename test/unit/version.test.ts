import { describe, expect, test } from "bun:test";
import { FX_VERSION, PROTOCOL_VERSION } from "../../src/version.ts";
import pkg from "../../package.json" with { type: "json" };

describe("version", () => {
  test("FX_VERSION is package.json's version", () => {
    expect(FX_VERSION).toBe(pkg.version);
  });
  test("PROTOCOL_VERSION is a positive integer", () => {
    expect(Number.isInteger(PROTOCOL_VERSION) && PROTOCOL_VERSION > 0).toBe(true);
  });
});
