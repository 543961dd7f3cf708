/**
 * Blocks: the interchange drives the provider (as funcX does), with the pure strategy of src/scaling:
 * init_blocks on the first step, then scale-out by outstanding work × parallelism (≤ max_blocks, ≥ min_blocks),
 * idle scale-in after max_idletime, polite holds (managers held and sent `drain`, the job cancelled once idle or
 * after drain_timeout), failure reports for blocks that die before a manager registers, and the explicit
 * scale_out / scale_in commands. This file is the I/O shell: it observes, asks the strategy, and acts.
 */
import type { FxConfig } from "../config/schema.ts";
import { launchCommand } from "../launchers/index.ts";
import { renderLaunchCmd } from "../launchers/launch-cmd.ts";
import { localAddresses } from "../providers/address.ts";
import { parseWalltime } from "../providers/walltime.ts";
import { createProvider, isTerminal, readTail, type JobStatus, type Provider } from "../providers/index.ts";
import {
  applyJobStatuses, emptyScalingState, planScaleIn, planScaleOut, planScaling, recordActions, recordBlockObservation,
  recordJobId, recordOutstanding, recordSubmitFailed, recordSubmitted, scalingConfigFrom,
  type ScalingAction, type ScalingConfig, type ScalingState,
} from "../scaling/index.ts";
import type { Logger } from "../util/log.ts";
import { describeError } from "../util/errors.ts";
import { selfArgv } from "../util/self-exec.ts";

/** What blocks need from the interchange: its URLs and its view of managers per block. */
export interface BlockHost {
  readonly taskUrl: string;
  readonly resultUrl: string;
  /** Managers registered from this block: id, worker slots, tasks in flight. */
  managersOf(blockId: string): { id: string; workers: number; inflight: number }[];
  hold(managerId: string): void;
  drain(managerId: string, reason: string): void;
  /** Tasks queued or in flight. */
  outstanding(): number;
}

export interface BlockInfo {
  readonly block_id: string;
  readonly job_id: string | null;
  readonly state: string;
  readonly managers: number;
  readonly capacity: number;
  readonly busy: number;
  readonly held: boolean;
}

/** Walltime of the blocks this config starts, seconds; Infinity for the local provider, which ignores it (as Parsl's does). */
export function blockWalltimeSeconds(config: FxConfig): number {
  return config.provider.type === "local" ? Infinity : parseWalltime(config.provider.walltime);
}

/** executor.max_workers as `fx manager --max-workers` (and launch_cmd's {max_workers}) takes it. */
const maxWorkersFlag = (n: number): string => (n === Infinity ? "inf" : String(n));

/** The command that starts a block's manager: fx's own argv, or `executor.launch_cmd` run by /bin/sh. */
export function managerArgv(config: FxConfig, host: Pick<BlockHost, "taskUrl" | "resultUrl">, blockId: string): string[] {
  const args = managerArgs(config, host, blockId);
  const e = config.executor;
  if (e.launch_cmd === null) return selfArgv(args);
  const line = renderLaunchCmd(e.launch_cmd, {
    fx: selfArgv([]), args, task_url: host.taskUrl, result_url: host.resultUrl, block_id: blockId,
    max_workers: maxWorkersFlag(e.max_workers), cores_per_worker: String(e.cores_per_worker),
    nodes_per_block: String(config.provider.nodes_per_block), heartbeat_period: String(e.heartbeat_period),
    heartbeat_threshold: String(e.heartbeat_threshold), logdir: config.logging.logdir, debug: args.includes("--debug") ? "--debug" : "",
  });
  return ["/bin/sh", "-c", line];
}

/** Every argument of `fx manager` for one block (the launch_cmd's `{args}`). */
export function managerArgs(config: FxConfig, host: Pick<BlockHost, "taskUrl" | "resultUrl">, blockId: string): string[] {
  const e = config.executor;
  const args = [
    "manager", "--task-url", host.taskUrl, "--result-url", host.resultUrl, "--block-id", blockId,
    "--max-workers", maxWorkersFlag(e.max_workers),
    "--cores-per-worker", String(e.cores_per_worker),
    "--heartbeat-period", String(e.heartbeat_period),
    "--heartbeat-threshold", String(e.heartbeat_threshold),
    "--poll", String(e.poll_period),
    "--worker-mode", e.worker_mode,
    "--scheduler-mode", e.scheduler_mode,
    "--prefetch", String(e.prefetch),
    "--logdir", config.logging.logdir,
  ];
  if (config.provider.tasks_per_node > 1) args.push("--tasks-per-node", String(config.provider.tasks_per_node));
  // Walltime-aware managers: the block's walltime (counted from the manager's start), where the provider enforces one.
  const walltime = blockWalltimeSeconds(config);
  if (Number.isFinite(walltime)) {
    args.push("--walltime", String(walltime));
    if (config.provider.walltime_drain !== null) args.push("--walltime-drain", String(config.provider.walltime_drain));
  }
  if (e.address.length > 0) args.push("--address", localAddresses(e.address).join(",")); // "ib0" → this host's ib0 address
  if (e.container_image) args.push("--container-image", e.container_image);
  if (e.worker_mode !== "no_container") {
    // The manager starts the containers: it needs the idle time and the [containers] settings, as JSON values.
    const c = config.containers;
    args.push("--worker-max-idletime", String(e.worker_max_idletime));
    if (Object.keys(c.templates).length > 0) args.push("--set", `containers.templates=${JSON.stringify(c.templates)}`);
    if (c.extra_args.length > 0) args.push("--set", `containers.extra_args=${JSON.stringify(c.extra_args)}`);
    if (c.env_passthrough.length > 0) args.push("--set", `containers.env_passthrough=${JSON.stringify(c.env_passthrough)}`);
  }
  if (e.worker_debug || config.logging.level === "debug") args.push("--debug");
  return args;
}

const outputOf = (st: JobStatus) => `${readTail(st.stderrPath, 2000)}${readTail(st.stdoutPath, 1000)}`.trim();

export class Blocks {
  private readonly provider: Provider;
  private readonly cfg: ScalingConfig;
  private state: ScalingState = emptyScalingState();
  private seq = 0;
  /** Every step and command runs after the previous one (the provider calls are async). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: FxConfig,
    private readonly host: BlockHost,
    private readonly log: Logger,
    provider?: Provider,
  ) {
    this.provider = provider ?? createProvider(config.provider, { logdir: config.logging.logdir, log: log.child("provider") });
    this.cfg = scalingConfigFrom({ provider: config.provider, executor: config.executor, tasksPerNode: config.provider.tasks_per_node });
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.chain.then(f, f);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** One strategy step at `now`. Never throws. */
  poll(now: number): Promise<void> {
    return this.serial(async () => {
      try {
        await this.observe(now);
        await this.apply(planScaling(this.state, now, this.cfg), now);
      } catch (err) {
        this.log.error("block strategy step failed", { error: describeError(err) });
      }
    });
  }

  async scaleOut(n: number, now: number): Promise<string[]> {
    return this.serial(async () => {
      const actions = planScaleOut(this.state, n, this.cfg);
      if (actions.length === 0) this.log.warn("scale_out: already at provider.max_blocks", { max_blocks: this.cfg.maxBlocks });
      return this.apply(actions, now);
    });
  }

  /** Holds/cancels `n` blocks (idle first) or the named ones; returns the ids acted on. */
  async scaleIn(n: number | undefined, blockIds: readonly string[] | undefined, now: number): Promise<string[]> {
    return this.serial(async () => {
      await this.observe(now);
      let actions: ScalingAction[];
      if (blockIds && blockIds.length > 0) {
        actions = blockIds.filter((id) => this.state.blocks.has(id)).map((id) => {
          const b = this.state.blocks.get(id)!;
          return b.registeredAt === null ? { kind: "cancel", blockId: id, reason: "scale_in requested" } : { kind: "hold", blockId: id, reason: "scale_in requested" };
        });
      } else actions = planScaleIn(this.state, n ?? 1, now);
      await this.apply(actions, now);
      return actions.map((a) => (a.kind === "hold" || a.kind === "cancel" ? a.blockId : "")).filter(Boolean);
    });
  }

  private async observe(now: number): Promise<void> {
    const withJobs = [...this.state.blocks.values()].filter((b) => b.jobId !== null && !isTerminal(b.jobState));
    if (withJobs.length > 0) {
      const statuses = await this.provider.status(withJobs.map((b) => b.jobId!));
      this.state = applyJobStatuses(this.state, statuses, now, outputOf);
    }
    for (const b of this.state.blocks.values()) {
      const ms = this.host.managersOf(b.id);
      this.state = recordBlockObservation(this.state, b.id, {
        managers: ms.length,
        capacity: ms.reduce((s, m) => s + m.workers, 0),
        busy: ms.reduce((s, m) => s + m.inflight, 0),
      }, now);
    }
    this.state = recordOutstanding(this.state, this.host.outstanding());
  }

  /** Carries out the strategy's actions; returns the ids of blocks submitted. */
  private async apply(actions: readonly ScalingAction[], now: number): Promise<string[]> {
    const submitted: string[] = [];
    for (const a of actions) {
      switch (a.kind) {
        case "submit":
          for (let i = 0; i < a.count; i++) {
            const id = await this.submitOne(now, a.reason);
            if (id !== null) submitted.push(id);
          }
          break;
        case "hold":
          for (const m of this.host.managersOf(a.blockId)) {
            this.host.hold(m.id);
            this.host.drain(m.id, a.reason);
          }
          this.log.info("block held", { block: a.blockId, reason: a.reason });
          break;
        case "cancel": {
          const jobId = this.state.blocks.get(a.blockId)?.jobId;
          if (jobId) await this.provider.cancel([jobId]).catch((err) => this.log.error("cancel failed", { block: a.blockId, error: describeError(err) }));
          this.log.info("block cancelled", { block: a.blockId, job: jobId ?? "", reason: a.reason });
          break;
        }
        case "report-failed":
          this.log.error(a.message, { block: a.blockId, job: a.jobId ?? "", state: a.state, output: a.output || outputOf({ state: a.state, stdoutPath: a.stdoutPath ?? undefined, stderrPath: a.stderrPath ?? undefined }) });
          break;
        case "retire":
          break;
      }
    }
    this.state = recordActions(this.state, actions, now);
    return submitted;
  }

  private async submitOne(now: number, reason: string): Promise<string | null> {
    const p = this.config.provider;
    const blockId = String(this.seq++);
    this.state = recordSubmitted(this.state, blockId, now);
    try {
      const argv = launchCommand(p.launcher, managerArgv(this.config, this.host, blockId), p.tasks_per_node, p.nodes_per_block);
      const jobId = await this.provider.submit(argv, p.tasks_per_node, `fx-${this.config.executor.label}-${blockId}`);
      this.state = recordJobId(this.state, blockId, jobId);
      this.log.info("block submitted", { block: blockId, job: jobId, provider: this.provider.type, reason });
      return blockId;
    } catch (err) {
      this.state = recordSubmitFailed(this.state, blockId, now);
      this.log.error("block submit failed", { block: blockId, error: describeError(err) });
      return null;
    }
  }

  list(): BlockInfo[] {
    return [...this.state.blocks.values()].map((b) => ({
      block_id: b.id, job_id: b.jobId, state: b.jobState, managers: b.managers, capacity: b.capacity, busy: b.busy, held: b.heldAt !== null,
    }));
  }

  /** Ends every block (shutdown) and the provider. */
  close(): Promise<void> {
    return this.serial(async () => {
      try {
        const ids = [...this.state.blocks.values()].filter((b) => b.jobId !== null && !isTerminal(b.jobState)).map((b) => b.jobId!);
        if (ids.length > 0) await this.provider.cancel(ids);
      } catch (err) {
        this.log.error("cancelling blocks failed", { error: describeError(err) });
      }
      await this.provider.close();
    });
  }
}
