/** Start a real `fx manager` process (bun src/cli.ts) for integration tests, and inspect its workers. */
import fs from "node:fs";
import path from "node:path";

const CLI = path.resolve(import.meta.dir, "../../../src/cli.ts");

export interface ManagerProc {
  readonly proc: ReturnType<typeof Bun.spawn>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  kill(sig?: NodeJS.Signals): void;
}

export function spawnManager(urls: { taskUrl: string; resultUrl: string }, extra: readonly string[] = [], env?: Record<string, string>): ManagerProc {
  const proc = Bun.spawn([process.execPath, CLI, "manager", "--task-url", urls.taskUrl, "--result-url", urls.resultUrl, ...extra], {
    env: env ? { ...process.env, ...env } : process.env,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let text = "";
  void (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) text += dec.decode(chunk, { stream: true });
  })();
  return {
    proc,
    stderr: () => text,
    kill: (sig = "SIGKILL") => {
      try {
        proc.kill(sig);
      } catch {
        // already gone
      }
    },
  };
}

/** Pids of the live (non-zombie) children of `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && fields[0] !== "Z") out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
