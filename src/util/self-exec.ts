/**
 * The one place that knows how to start another fx role: the compiled binary re-executes itself
 * (process.execPath); in development, the Bun that runs us runs src/cli.ts again.
 */
import { fileURLToPath } from "node:url";
import path from "node:path";

/**
 * True inside the `bun build --compile` binary: its entry lives under the virtual /$bunfs root (B:/~BUN on
 * Windows). Bun.main is checked first because with `--bytecode` import.meta.url keeps the source path.
 */
export function isCompiled(): boolean {
  return [Bun.main, import.meta.url].some((u) => u.includes("$bunfs") || u.includes("~BUN"));
}

const CLI_SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "cli.ts");

/** argv that runs `fx <args…>` with the same binary (or the same Bun + source tree) as this process. */
export function selfArgv(args: readonly string[]): string[] {
  if (isCompiled()) return [process.execPath, ...args];
  return [process.execPath, CLI_SOURCE, ...args];
}

/**
 * The environment for a child fx role: ours, plus a longer allocator purge delay unless the operator chose one.
 * Bun's allocator (mimalloc) returns freed pages to the kernel after 10 ms by default, so a role that moves big
 * payloads faults the same pages in again and again; kept for a second they are reused (payload bench: page
 * faults per task 110 -> 73, CPU per task -13 %). Read once at start-up, so it has to be set by the parent.
 */
export function roleEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return base.MIMALLOC_PURGE_DELAY === undefined ? { ...base, MIMALLOC_PURGE_DELAY: "1000" } : base;
}
