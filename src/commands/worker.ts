/** `fx worker`: flags (funcX's funcx_worker names) → WorkerOptions → runWorker. Started by a manager. */
import type { Command } from "commander";
import type { ConfigProblem } from "../config/errors.ts";
import type { WorkerOptions } from "../config/roles.ts";
import type { CliContext } from "./context.ts";
import { addConfigOptions, flagOverrides, loadRoleConfig, logOptions, requireUrl, runEntry, type Flags } from "./shared.ts";

export function workerOptions(ctx: CliContext, flags: Flags): WorkerOptions {
  const problems: ConfigProblem[] = [];
  const managerUrl = requireUrl(flags, "manager-url", "managerUrl", problems);
  const workerId = (flags.workerId as string | undefined) ?? "";
  if (workerId.trim() === "") problems.push({ path: "", source: "flag --worker-id", message: "is required" });
  const workerType = (flags.workerType as string | undefined) ?? "RAW";
  if (workerType.trim() === "") problems.push({ path: "", source: "flag --worker-type", message: "must not be empty" });
  const { config } = loadRoleConfig(ctx, flags, flagOverrides(flags, { "max-payload-bytes": "executor.max_payload_bytes" }), problems);
  return { ...logOptions(flags, config), managerUrl, workerId, workerType, maxPayloadBytes: config.executor.max_payload_bytes, singleUse: flags.singleUse === true };
}

export function registerWorker(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("worker")
    .description("run one worker: take a task from the manager, execute it, reply; exit when the manager is gone")
    .option("--manager-url <url>", "the manager's worker channel, tcp://host:port or ipc://path (required)")
    .option("--worker-id <id>", "this worker's id (required)")
    .option("--worker-type <type>", "RAW or a container image name", "RAW")
    .option("--max-payload-bytes <n>", "largest task or result payload")
    .option("--single-use", "run exactly one task, then exit");
  addConfigOptions(cmd).action(async (flags: Flags) => runEntry(ctx, ctx.entries.worker, workerOptions(ctx, flags)));
}
