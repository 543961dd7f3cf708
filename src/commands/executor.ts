/** `fx executor`: start a local endpoint (interchange + blocks) from a config and keep it running. */
import type { Command } from "commander";
import type { ExecutorOptions } from "../config/roles.ts";
import type { CliContext } from "./context.ts";
import { addConfigOptions, loadRoleConfig, logOptions, runEntry, type Flags } from "./shared.ts";

export function executorOptions(ctx: CliContext, flags: Flags): ExecutorOptions {
  const { config, configSource } = loadRoleConfig(ctx, flags, [], []);
  return { ...logOptions(flags, config), config, configSource, infoFile: (flags.infoFile as string | undefined) ?? null };
}

export function registerExecutor(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("executor")
    .description("start an endpoint from a config and keep it running; prints the client URLs for `fx run --endpoint`")
    .option("--info-file <path>", "also write the client URLs as JSON to this file");
  addConfigOptions(cmd).action(async (flags: Flags) => runEntry(ctx, ctx.entries.executor, executorOptions(ctx, flags)));
}
