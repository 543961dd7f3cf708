import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { shellQuote, shellQuoteWord } from "../../../src/providers/shell-quote.ts";

/** What /bin/sh actually splits a command line into: each word on its own NUL-terminated record. */
function shellSplit(line: string): string[] {
  const r = spawnSync("/bin/sh", ["-c", `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`]);
  const out = r.stdout.toString("utf8");
  return out.length === 0 ? [] : out.slice(0, -1).split("\0");
}

describe("shellQuote: the only place argv becomes shell text", () => {
  test("safe words stay bare", () => {
    expect(shellQuote(["fx", "manager", "--task-url", "tcp://127.0.0.1:54000"])).toBe("fx manager --task-url tcp://127.0.0.1:54000");
  });

  test("the empty word is quoted so it survives as an argument", () => {
    expect(shellQuoteWord("")).toBe("''");
    expect(shellSplit(shellQuote(["a", "", "b"]))).toEqual(["a", "", "b"]);
  });

  test("spaces, quotes, $, backticks, globs and newlines reach the program unchanged", () => {
    const argv = ["echo", "a b", "it's", '"dq"', "$HOME", "`id`", "*", "x\ny", "; rm -rf /", "\\"];
    expect(shellSplit(shellQuote(argv))).toEqual(argv);
  });

  test("a NUL byte cannot be quoted and is refused", () => {
    expect(() => shellQuoteWord("a\0b")).toThrow(/NUL/);
  });

  test("property: /bin/sh splits the quoted line back into the same argv", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !s.includes("\0")), { minLength: 1, maxLength: 5 }), (argv) => {
        expect(shellSplit(shellQuote(argv))).toEqual(argv);
      }),
      { numRuns: 60 },
    );
  });
});
