/** Whether a usable Grid Engine is here (scripts/setup-test-env.d/gridengine.sh starts one), for tests to skip on. */
import { spawnSync } from "node:child_process";
import os from "node:os";

export function gridEngineSkipReason(): string | null {
  const r = spawnSync("qstat", ["-f"], { encoding: "utf8", timeout: 20_000 });
  if (r.error) return `Grid Engine tests skipped: qstat not available (${r.error.message}); run scripts/setup-test-env.d/gridengine.sh`;
  if (r.status !== 0) return `Grid Engine tests skipped: qstat failed (${(r.stderr || r.stdout).trim()}); run scripts/setup-test-env.d/gridengine.sh`;
  const line = r.stdout.split("\n").find((l) => l.startsWith("all.q@"));
  if (!line) return "Grid Engine tests skipped: no all.q queue instance; run scripts/setup-test-env.d/gridengine.sh";
  const states = line.trim().split(/\s+/)[5];
  if (states) return `Grid Engine tests skipped: ${line.split(/\s+/)[0]} is in state "${states}" (host ${os.hostname()})`;
  return null;
}
