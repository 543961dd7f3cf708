import { describe, expect, test } from "bun:test";
import path from "node:path";
import { isCompiled, selfArgv } from "../../../src/util/self-exec.ts";
import { FX_VERSION, PROTOCOL_VERSION } from "../../../src/version.ts";

// The compiled mode (process.execPath re-executing itself) is proven by test/e2e/cli.test.ts via `fx config selftest`.
describe("selfArgv in development (bun + src/cli.ts)", () => {
  test("is this Bun running src/cli.ts, followed by the role's arguments", () => {
    expect(isCompiled()).toBe(false);
    const argv = selfArgv(["manager", "--debug"]);
    expect(argv[0]).toBe(process.execPath);
    expect(argv[1]).toBe(path.resolve(import.meta.dir, "../../../src/cli.ts"));
    expect(argv.slice(2)).toEqual(["manager", "--debug"]);
  });

  test("the argv it gives really starts fx: --version answers", () => {
    const r = Bun.spawnSync(selfArgv(["--version"]), { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString().trim()).toBe(`fx ${FX_VERSION} (protocol ${PROTOCOL_VERSION})`);
  });

  test("fx config selftest re-executes itself and reports success", () => {
    const r = Bun.spawnSync(selfArgv(["config", "selftest"]), { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    expect(report).toMatchObject({ compiled: false, ok: true, output: `fx ${FX_VERSION} (protocol ${PROTOCOL_VERSION})` });
  });
});
