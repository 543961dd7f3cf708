/** Every subcommand, one file each: parse flags → typed options → the role's entry. No logic here. */
import type { Command } from "commander";
import type { CliContext } from "./context.ts";
import { registerExecutor } from "./executor.ts";
import { registerInterchange } from "./interchange.ts";
import { registerManager } from "./manager.ts";
import { registerWorker } from "./worker.ts";
import { registerRun } from "./run.ts";
import { registerConfig } from "./config.ts";

export function registerCommands(program: Command, ctx: CliContext): void {
  registerExecutor(program, ctx);
  registerInterchange(program, ctx);
  registerManager(program, ctx);
  registerWorker(program, ctx);
  registerRun(program, ctx);
  registerConfig(program, ctx);
}
