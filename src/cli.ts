#!/usr/bin/env bun
/**
 * fx: one binary, every role. This file only assembles the commander program from src/commands/
 * and maps errors to exit codes (2 = usage/config problem, 1 = runtime failure).
 */
import { Command, CommanderError } from "commander";
import { FX_VERSION, PROTOCOL_VERSION } from "./version.ts";
import { FxError, UsageError, describeError } from "./util/errors.ts";
import { registerCommands } from "./commands/index.ts";

export function buildProgram(): Command {
  const program = new Command("fx")
    .description("High-throughput function executor: executor, interchange, manager and worker roles in one binary")
    .version(`fx ${FX_VERSION} (protocol ${PROTOCOL_VERSION})`, "-V, --version", "print the fx and protocol versions")
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UsageError) return 2;
  if (err instanceof FxError && err.code.startsWith("E_CONFIG")) return 2;
  return 1;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = exitCodeFor(err);
    if (!(err instanceof CommanderError)) process.stderr.write(`fx: ${describeError(err)}\n`);
    process.exit(code);
  }
}

if (import.meta.main) await main(process.argv);
