/**
 * 7. Shell tasks: N `true` commands through `dist/fx run` (a local endpoint: interchange, one manager, one
 * worker per core), wall time of the whole `fx run` process (start-up included); tasks/s. CPU seconds come
 * from the process tree sampled while it runs (the last sample of each process) and from the rusage of
 * `fx run`, which includes every descendant it waited for.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { FX, processTree, report, tempDir, type BenchContext, type ProcSample } from "./lib.ts";

export async function shellTasks(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 1000 : 10_000;
  const dir = tempDir("shell");
  const file = path.join(dir, "tasks.txt");
  fs.writeFileSync(file, "true\n".repeat(n));
  const rates: number[] = [];
  const totals: number[] = [];
  try {
    for (let r = 0; r < ctx.repeat; r++) {
      const last = new Map<number, ProcSample>();
      const t0 = performance.now();
      const p = spawn(FX, ["run", "--no-progress", "--out", path.join(dir, "out.jsonl"), "--set", `logging.logdir=${dir}/logs`, file], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      p.stderr!.setEncoding("utf8");
      p.stderr!.on("data", (s: string) => (err += s));
      const timer = setInterval(() => { for (const s of processTree([p.pid!])) last.set(s.pid, s); }, 50);
      const code = await new Promise<number | null>((resolve) => p.once("exit", resolve));
      clearInterval(timer);
      const s = (performance.now() - t0) / 1000;
      if (code !== 0) throw new Error(`fx run exited ${code}: ${err.slice(-2000)}`);
      const lines = fs.readFileSync(path.join(dir, "out.jsonl"), "utf8").trim().split("\n").length;
      if (lines !== n) throw new Error(`fx run wrote ${lines} results for ${n} tasks`);
      rates.push(n / s);
      const byRole: Record<string, number> = {};
      for (const x of last.values()) if (x.role !== "true") byRole[x.role] = +((byRole[x.role] ?? 0) + x.cpu).toFixed(2);
      totals.push(Object.values(byRole).reduce((a, b) => a + b, 0));
      if (r === ctx.repeat - 1) report({ bench: "shell", figure: `${n} \`true\` through fx run (wall, start-up included)`, unit: "tasks/s", runs: rates, cpu: byRole, extra: { n } });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
