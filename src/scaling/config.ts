/**
 * The numbers the scaling strategy decides with, in milliseconds, derived once from the provider and
 * executor config (`scalingConfigFrom`). The strategy itself never reads config files or the clock.
 */
import type { ExecutorConfig, ProviderConfig } from "../config/schema.ts";
import { parseWalltime } from "../providers/walltime.ts";

export interface ScalingConfig {
  readonly initBlocks: number;
  readonly minBlocks: number;
  readonly maxBlocks: number;
  /** Task slots a block is expected to bring before any of its managers registered (≥ 1). */
  readonly slotsPerBlock: number;
  /** Slots wanted per outstanding task (Parsl's parallelism): 1 = a slot for every task, 0.5 = half. */
  readonly parallelism: number;
  /** A registered block idle this long is scaled in (polite: held, then cancelled). */
  readonly maxIdletimeMs: number;
  /** A held block still running tasks after this long is cancelled anyway. */
  readonly drainTimeoutMs: number;
  /** A block RUNNING this long without a manager registering is cancelled and reported. */
  readonly registrationTimeoutMs: number;
  /** A block this close to its walltime end is held: no new tasks, cancelled once idle. */
  readonly walltimeDrainMs: number;
  /** After a block failed before registering, wait this long (doubling per failure in a row) before submitting again. */
  readonly failureBackoffMs: number;
  readonly failureBackoffMaxMs: number;
}

export interface ScalingConfigInputs {
  readonly provider: ProviderConfig;
  readonly executor: Pick<ExecutorConfig, "max_workers" | "cores_per_worker">;
  /** Managers per node (the launcher's tasks_per_node). Default 1. */
  readonly tasksPerNode?: number;
}

/** Walltime drain default: a tenth of the walltime, at least 5 s and at most 2 min. */
export function defaultWalltimeDrainMs(walltimeSeconds: number): number {
  return Math.min(120_000, Math.max(5_000, walltimeSeconds * 100));
}

/** Worker slots one manager is expected to run before it says how many it has. */
function expectedWorkersPerManager(provider: ProviderConfig, executor: ScalingConfigInputs["executor"], tasksPerNode: number): number {
  if (Number.isFinite(executor.max_workers)) return Math.max(1, Math.floor(executor.max_workers));
  if (provider.cores_per_node !== null) {
    return Math.max(1, Math.floor(provider.cores_per_node / tasksPerNode / Math.max(executor.cores_per_worker, 1e-9)));
  }
  return 1;
}

export function scalingConfigFrom(inputs: ScalingConfigInputs, overrides: Partial<ScalingConfig> = {}): ScalingConfig {
  const { provider, executor } = inputs;
  const tasksPerNode = inputs.tasksPerNode ?? 1;
  const walltime = parseWalltime(provider.walltime);
  return {
    initBlocks: provider.init_blocks,
    minBlocks: provider.min_blocks,
    maxBlocks: provider.max_blocks,
    slotsPerBlock: provider.nodes_per_block * tasksPerNode * expectedWorkersPerManager(provider, executor, tasksPerNode),
    parallelism: provider.parallelism,
    maxIdletimeMs: provider.max_idletime * 1000,
    drainTimeoutMs: provider.drain_timeout * 1000,
    registrationTimeoutMs: 300_000,
    walltimeDrainMs: provider.walltime_drain !== null ? provider.walltime_drain * 1000 : defaultWalltimeDrainMs(walltime),
    failureBackoffMs: 5_000,
    failureBackoffMaxMs: 300_000,
    ...overrides,
  };
}
