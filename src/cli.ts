#!/usr/bin/env bun
/**
 * fx: one binary, every role. This file only assembles the commander program from src/commands/
 * and maps errors to exit codes (0 = ok, 2 = usage/config problem, 1 = runtime failure).
 */
import { Command, CommanderError } from "commander";
import { FX_VERSION, PROTOCOL_VERSION } from "./version.ts";
import { FxError, UsageError, describeError } from "./util/errors.ts";
import { registerCommands } from "./commands/index.ts";
import { processIo, type CliContext, type CliIo } from "./commands/context.ts";

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("fx")
    .description("High-throughput function executor: executor, interchange, manager and worker roles in one binary")
    .version(`fx ${FX_VERSION} (protocol ${PROTOCOL_VERSION})`, "-V, --version", "print the fx and protocol versions")
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err })
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program, ctx);
  return program;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UsageError) return 2;
  if (err instanceof FxError && err.code.startsWith("E_CONFIG")) return 2;
  return 1;
}

/**
 * Runs fx with `argv` (user arguments only, without the program name) and returns the exit code.
 * Tests call this in-process with a context whose role entries record their options.
 */
export async function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  let code = 0;
  const context: CliContext = { ...(io ?? processIo()), setExitCode: (c) => { code = c; } };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (err) {
    if (!(err instanceof CommanderError)) context.err(`fx: ${describeError(err)}\n`);
    return exitCodeFor(err);
  }
}

// No top-level await: `bun build --compile --bytecode` (scripts/build) refuses it.
if (import.meta.main) void runCli(process.argv.slice(2)).then((code) => process.exit(code));
