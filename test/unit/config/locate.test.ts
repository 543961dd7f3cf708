import { describe, expect, test } from "bun:test";
import { keyLines, lineOf } from "../../../src/config/locate.ts";

describe("keyLines: which line each key is on", () => {
  const text = [
    "# comment",                       // 1
    "[executor]",                      // 2
    "max_workers = 4   # note",        // 3
    'label = """',                     // 4
    "fake = 1",                        // 5 (inside a multi-line string)
    '"""',                             // 6
    "[ provider.launcher ]",           // 7
    'type = "srun"',                   // 8
    "[provider]",                      // 9
    'launcher.overrides = ["-n"]',     // 10
    '"quoted key" = 1',                // 11
  ].join("\n");
  const lines = keyLines(text);

  test("keys under table headers, with comments after them", () => {
    expect(lines.get("executor")).toBe(2);
    expect(lines.get("executor.max_workers")).toBe(3);
    expect(lines.get("provider.launcher.type")).toBe(8);
  });
  test("a line inside a multi-line string is not a key", () => {
    expect(lines.get("executor.label")).toBe(4);
    expect(lines.has("executor.fake")).toBe(false);
  });
  test("dotted and quoted keys", () => {
    expect(lines.get("provider.launcher.overrides")).toBe(10);
    expect(lines.get("provider.quoted key")).toBe(11);
  });
  test("lineOf falls back to the nearest located table", () => {
    expect(lineOf(lines, "executor.nothing_here")).toBe(2);
    expect(lineOf(lines, "logging.level")).toBeUndefined();
  });
});
