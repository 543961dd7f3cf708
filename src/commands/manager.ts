/** `fx manager`: flags (funcX's funcx_manager names) → ManagerOptions → runManager. */
import type { Command } from "commander";
import type { ConfigProblem } from "../config/errors.ts";
import type { ManagerOptions } from "../config/roles.ts";
import type { CliContext } from "./context.ts";
import { parseWalltimeFlag } from "../manager/walltime.ts";
import {
  addConfigOptions, collect, flagOverrides, loadRoleConfig, logOptions, numberFlag, requireUrl, runEntry, splitList,
  type Flags,
} from "./shared.ts";

/** Flags that set config keys: flag > FX_* env > file > default. */
const CONFIG_FLAGS = {
  "max-workers": "executor.max_workers",
  "cores-per-worker": "executor.cores_per_worker",
  "heartbeat-period": "executor.heartbeat_period",
  "heartbeat-threshold": "executor.heartbeat_threshold",
  poll: "executor.poll_period",
  "worker-mode": "executor.worker_mode",
  "scheduler-mode": "executor.scheduler_mode",
  "worker-max-idletime": "executor.worker_max_idletime",
  prefetch: "executor.prefetch",
  "container-image": "executor.container_image",
  "result-batch-size": "executor.result_batch_size",
  "result-batch-period-ms": "executor.result_batch_period_ms",
  "max-payload-bytes": "executor.max_payload_bytes",
  "walltime-drain": "provider.walltime_drain",
  "tasks-per-node": "provider.tasks_per_node",
} as const;

export function managerOptions(ctx: CliContext, flags: Flags): ManagerOptions {
  const problems: ConfigProblem[] = [];
  const taskUrl = requireUrl(flags, "task-url", "taskUrl", problems);
  const resultUrl = requireUrl(flags, "result-url", "resultUrl", problems);
  const cores = numberFlag(flags, "cores", "cores", problems, (n) => (n > 0 ? null : `must be greater than 0, got ${n}`));
  const workerTypes = [...splitList(flags.workerType), ...splitList(flags.workerTypes)];
  let walltime: number | null = null;
  if (flags.walltime !== undefined) {
    walltime = parseWalltimeFlag(String(flags.walltime));
    if (walltime === null || walltime <= 0) {
      problems.push({ path: "", source: "flag --walltime", message: `expected seconds or HH:MM:SS greater than 0, got ${JSON.stringify(flags.walltime)}` });
      walltime = null;
    }
  }
  const { config } = loadRoleConfig(ctx, flags, flagOverrides(flags, CONFIG_FLAGS), problems);
  const e = config.executor;
  return {
    ...logOptions(flags, config),
    taskUrl,
    resultUrl,
    addresses: splitList(flags.address),
    uid: (flags.uid as string | undefined) ?? null,
    blockId: (flags.blockId as string | undefined) ?? null,
    maxWorkers: e.max_workers,
    coresPerWorker: e.cores_per_worker,
    cores,
    heartbeatPeriod: e.heartbeat_period,
    heartbeatThreshold: e.heartbeat_threshold,
    pollPeriodMs: e.poll_period,
    workerMode: e.worker_mode,
    schedulerMode: e.scheduler_mode,
    workerMaxIdletime: e.worker_max_idletime,
    prefetch: e.prefetch,
    workerTypes: workerTypes.length > 0 ? [...new Set(workerTypes)] : ["RAW"],
    containerImage: e.container_image,
    resultBatchSize: e.result_batch_size,
    resultBatchPeriodMs: e.result_batch_period_ms,
    maxPayloadBytes: e.max_payload_bytes,
    containers: config.containers,
    workerDebug: Boolean(flags.debug) || e.worker_debug,
    walltime,
    walltimeDrain: config.provider.walltime_drain,
    managersPerNode: config.provider.tasks_per_node,
  };
}

export function registerManager(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("manager")
    .description("run a manager: register with an interchange, run a pool of workers, relay tasks and results")
    .option("--task-url <url>", "interchange task channel, tcp://host:port (required)")
    .option("--result-url <url>", "interchange result channel, tcp://host:port (required)")
    .option("--address <hosts>", "hosts to try in order instead of the URLs' host, comma-separated")
    .option("--uid <id>", "manager id (default: made from host, pid and a random suffix)")
    .option("--block-id <id>", "provider block this manager runs in")
    .option("--max-workers <n|inf>", "cap on workers (executor.max_workers)")
    .option("--cores-per-worker <n>", "cores per worker (executor.cores_per_worker)")
    .option("--cores <n>", "cores of this node to plan with (default: detected)")
    .option("--tasks-per-node <n>", "managers started on this node (provider.tasks_per_node): without a CPU binding each plans with its share of the cores")
    .option("--heartbeat-period <s>", "seconds between heartbeats (executor.heartbeat_period)")
    .option("--heartbeat-threshold <s>", "seconds of silence before the interchange counts as lost")
    .option("--poll <ms>", "housekeeping period in milliseconds (executor.poll_period)")
    .option("--worker-mode <mode>", "no_container, singularity_reuse, … (executor.worker_mode)")
    .option("--scheduler-mode <mode>", "hard or soft (executor.scheduler_mode)")
    .option("--worker-max-idletime <s>", "seconds an idle worker of an unneeded type lives")
    .option("--prefetch <n>", "extra tasks to ask for beyond idle workers (executor.prefetch)")
    .option("--worker-type <type>", "worker type to serve, RAW or an image (repeatable)", collect)
    .option("--worker-types <list>", "worker types, comma-separated")
    .option("--container-image <image>", "default image for container worker modes")
    .option("--result-batch-size <n>", "results batched before sending")
    .option("--result-batch-period-ms <ms>", "longest a result waits in a batch")
    .option("--max-payload-bytes <n>", "largest task or result payload")
    .option("--walltime <s|HH:MM:SS>", "how long this manager's block runs, counted from the manager's start (default: unknown)")
    .option("--walltime-drain <s>", "seconds before the walltime end to stop taking tasks (provider.walltime_drain)");
  addConfigOptions(cmd).action(async (flags: Flags) => runEntry(ctx, ctx.entries.manager, managerOptions(ctx, flags)));
}
