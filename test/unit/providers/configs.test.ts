/** The commented scheduler examples in configs/ load with the real config loader into what they say. */
import { describe, expect, test } from "bun:test";
import path from "node:path";
import { loadConfig } from "../../../src/config/load.ts";
import { createProvider, BatchProvider } from "../../../src/providers/index.ts";
import { launchCommand } from "../../../src/launchers/index.ts";

const CONFIGS = path.resolve(import.meta.dir, "../../../configs");
const load = (name: string) => loadConfig({ path: path.join(CONFIGS, name) });

describe("configs/*.toml for schedulers", () => {
  test("slurm.toml: a real-world Slurm endpoint", () => {
    const c = load("slurm.toml");
    expect(c.provider.type).toBe("slurm");
    expect(c.provider.launcher.type).toBe("srun");
    expect(c.provider.nodes_per_block).toBe(2);
    expect(c.executor.address).toEqual(["ib0", "login01.cluster.example"]);
    expect(c.provider.worker_init).toContain("module load");
  });

  test.each(["slurm.toml", "pbs.toml", "lsf.toml", "condor.toml", "gridengine.toml"])("%s renders a complete job script", (name) => {
    const c = load(name);
    const p = createProvider(c.provider, { logdir: "fx_logs" }) as BatchProvider;
    const argv = launchCommand(c.provider.launcher, ["fx", "manager", "--block-id", "0"], 1, c.provider.nodes_per_block);
    const { script } = p.render(argv, 1, `fx-${c.executor.label}-0`);
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("fx manager --block-id 0");
    expect(script).not.toContain("${");
  });
});
