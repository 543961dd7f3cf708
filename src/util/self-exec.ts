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
