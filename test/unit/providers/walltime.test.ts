import { describe, expect, test } from "bun:test";
import { formatWalltime, parseWalltime, walltimeMinutes } from "../../../src/providers/walltime.ts";
import { ProviderError } from "../../../src/providers/errors.ts";

describe("walltime", () => {
  test.each([
    ["00:30:00", 1800],
    ["1:00:05", 3605],
    ["10:00", 600],
    ["5", 300],
    ["2-01:00:00", 2 * 86400 + 3600],
    ["1-12", 86400 + 12 * 3600],
    ["48:00:00", 48 * 3600],
  ])("%s = %d s", (text, seconds) => {
    expect(parseWalltime(text)).toBe(seconds);
  });

  test.each(["", "abc", "1:2:3:4", "-1:00", "01:00:00 extra"])("%p is refused with the text quoted", (text) => {
    expect(() => parseWalltime(text)).toThrow(ProviderError);
  });

  test("formats back to HH:MM:SS and minutes round up", () => {
    expect(formatWalltime(3605)).toBe("01:00:05");
    expect(formatWalltime(100 * 3600)).toBe("100:00:00");
    expect(walltimeMinutes("00:00:30")).toBe(1);
    expect(walltimeMinutes("01:00:01")).toBe(61);
  });
});
