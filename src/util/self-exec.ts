/**
 * The one place that knows how to start another fx role: the compiled binary re-executes itself
 * (process.execPath); in development, the Bun that runs us runs src/cli.ts again.
 */
import { fileURLToPath } from "node:url";
import path from "node:path";

/** True inside the `bun build --compile` binary (its modules live under the virtual /$bunfs root). */
export function isCompiled(): boolean {
  return import.meta.url.includes("$bunfs") || import.meta.url.includes("~BUN");
}

const CLI_SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "cli.ts");

/** argv that runs `fx <args…>` with the same binary (or the same Bun + source tree) as this process. */
export function selfArgv(args: readonly string[]): string[] {
  if (isCompiled()) return [process.execPath, ...args];
  return [process.execPath, CLI_SOURCE, ...args];
}
