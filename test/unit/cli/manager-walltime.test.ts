/** `fx manager --walltime/--walltime-drain`, and the block command the interchange builds passing them. */
import { describe, expect, test } from "bun:test";
import { DEFAULTS } from "../../../src/config/schema.ts";
import { managerArgv } from "../../../src/interchange/blocks.ts";
import { fx } from "./harness.ts";

const URLS = ["--task-url", "tcp://127.0.0.1:54000", "--result-url", "tcp://127.0.0.1:54001"];
const HOST = { taskUrl: "tcp://127.0.0.1:54000", resultUrl: "tcp://127.0.0.1:54001" };

describe("fx manager --walltime", () => {
  test("seconds or HH:MM:SS; none given = no walltime; --walltime-drain sets provider.walltime_drain", async () => {
    expect((await fx(["manager", ...URLS, "--walltime", "90"])).opts.walltime).toBe(90);
    const r = await fx(["manager", ...URLS, "--walltime", "01:30:00", "--walltime-drain", "30"]);
    expect(r.code).toBe(0);
    expect([r.opts.walltime, r.opts.walltimeDrain]).toEqual([5400, 30]);
    const none = await fx(["manager", ...URLS]);
    expect([none.opts.walltime, none.opts.walltimeDrain]).toEqual([null, null]);
    expect((await fx(["manager", ...URLS], { FX_PROVIDER_WALLTIME_DRAIN: "12" })).opts.walltimeDrain).toBe(12);
  });

  test("a bad --walltime or --walltime-drain is a usage error naming the flag", async () => {
    const bad = await fx(["manager", ...URLS, "--walltime", "soon"]);
    expect(bad.code).not.toBe(0);
    expect(bad.role).toBeNull();
    expect(bad.err).toContain("--walltime");
    const zero = await fx(["manager", ...URLS, "--walltime", "0"]);
    expect(zero.code).not.toBe(0);
    const drain = await fx(["manager", ...URLS, "--walltime-drain", "-3"]);
    expect(drain.code).not.toBe(0);
    expect(drain.err).toContain("walltime_drain");
  });
});

describe("the block's manager command", () => {
  test("a scheduler provider passes the block's walltime (seconds) and walltime_drain when set", () => {
    const slurm = { ...DEFAULTS, provider: { ...DEFAULTS.provider, type: "slurm" as const, walltime: "02:00:00" } };
    const argv = managerArgv(slurm, HOST, "3");
    expect(argv[argv.indexOf("--walltime") + 1]).toBe("7200");
    expect(argv).not.toContain("--walltime-drain");
    const withDrain = managerArgv({ ...slurm, provider: { ...slurm.provider, walltime_drain: 45 } }, HOST, "3");
    expect(withDrain[withDrain.indexOf("--walltime-drain") + 1]).toBe("45");
  });

  test("the local provider ignores walltime, so its managers get none", () => {
    const argv = managerArgv(DEFAULTS, HOST, "0");
    expect(argv).not.toContain("--walltime");
  });
});
