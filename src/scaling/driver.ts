/**
 * BlockScaler: the thin I/O shell around the pure strategy (plan.ts) and bookkeeping (state.ts). Each
 * poll it asks the provider for job states (one call), reads what the interchange sees of each block,
 * plans, and carries the actions out: submit blocks (launcher + provider), hold/drain managers, cancel
 * jobs, report blocks that failed before registering (with their own output), retire ended ones.
 *
 *   const scaler = new BlockScaler(config, host, { log, clock, commandFor: (blockId) => managerArgv(…) });
 *   setInterval(() => void scaler.poll(), 2000);   // poll() never throws and never overlaps itself
 *   await scaler.scaleOut(2); scaler.scaleIn(1);    // explicit commands
 *   await scaler.close();                           // cancels every live block
 */
import type { FxConfig } from "../config/schema.ts";
import { launchCommand } from "../launchers/index.ts";
import { createProvider, readTail, type JobStatus, type Provider } from "../providers/index.ts";
import type { Clock } from "../util/clock.ts";
import { describeError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { scalingConfigFrom, type ScalingConfig } from "./config.ts";
import { planScaleIn, planScaleOut, planScaling, recordActions, type ScalingAction } from "./plan.ts";
import {
  applyJobStatuses, emptyScalingState, recordBlockObservation, recordJobId, recordOutstanding,
  recordSubmitFailed, recordSubmitted, type BlockRecord, type ScalingState,
} from "./state.ts";

/** What the scaler needs from the interchange (nothing more). */
export interface ScalingHost {
  /** Managers registered from this block: their worker slots and tasks running on them. */
  managersOf(blockId: string): ReadonlyArray<{ readonly id: string; readonly capacity: number; readonly inflight: number }>;
  /** Stop sending the manager tasks. */
  hold(managerId: string): void;
  /** Ask the manager to finish its tasks and exit. */
  drain(managerId: string, reason: string): void;
  /** Tasks waiting or running. */
  outstanding(): number;
  /** A block failed before any manager registered (default: logged). */
  blockFailed?(report: BlockFailure): void;
}

export interface BlockFailure {
  readonly blockId: string;
  readonly jobId: string | null;
  readonly state: string;
  readonly message: string;
  /** The tail of the job's stderr and stdout. */
  readonly output: string;
}

export interface BlockScalerDeps {
  readonly log: Logger;
  readonly clock: Clock;
  /** The manager argv for a block (before the launcher). */
  readonly commandFor: (blockId: string) => string[];
  readonly provider?: Provider;
  readonly tasksPerNode?: number;
  readonly scaling?: Partial<ScalingConfig>;
}

/** Tail of a job's stderr then stdout, for failure reports. */
export function jobOutputTail(st: Pick<JobStatus, "stderrPath" | "stdoutPath">, maxBytes = 2048): string {
  const err = readTail(st.stderrPath, maxBytes).trim();
  const out = st.stdoutPath !== st.stderrPath ? readTail(st.stdoutPath, maxBytes).trim() : "";
  return [err && `stderr: ${err}`, out && `stdout: ${out}`].filter(Boolean).join("\n");
}

export class BlockScaler {
  readonly provider: Provider;
  readonly cfg: ScalingConfig;
  private state: ScalingState = emptyScalingState();
  private seq = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly tasksPerNode: number;

  constructor(
    private readonly config: FxConfig,
    private readonly host: ScalingHost,
    private readonly deps: BlockScalerDeps,
  ) {
    this.tasksPerNode = deps.tasksPerNode ?? 1;
    this.provider = deps.provider ?? createProvider(config.provider, { logdir: config.logging.logdir, log: deps.log.child("provider") });
    this.cfg = scalingConfigFrom({ provider: config.provider, executor: config.executor, tasksPerNode: this.tasksPerNode }, deps.scaling);
  }

  /** The block book (read-only snapshot), e.g. for a `blocks` command. */
  blocks(): readonly BlockRecord[] {
    return [...this.state.blocks.values()];
  }

  /** One strategy step. Never throws; a poll already running is joined, not repeated. */
  poll(): Promise<void> {
    this.running ??= this.step().finally(() => { this.running = null; });
    return this.running;
  }

  private async step(): Promise<void> {
    if (this.closed) return;
    try {
      await this.refresh();
      this.observe();
      await this.execute(planScaling(this.state, this.deps.clock.now(), this.cfg));
    } catch (err) {
      this.deps.log.error("scaling step failed", { error: describeError(err) });
    }
  }

  async scaleOut(count: number): Promise<string[]> {
    const before = new Set(this.state.blocks.keys());
    await this.execute(planScaleOut(this.state, count, this.cfg));
    return [...this.state.blocks.keys()].filter((id) => !before.has(id));
  }

  /** Polite: held blocks are cancelled by later polls once idle (or after drain_timeout). */
  async scaleIn(count: number): Promise<string[]> {
    this.observe();
    const actions = planScaleIn(this.state, count, this.deps.clock.now());
    await this.execute(actions);
    return actions.map((a) => (a as { blockId: string }).blockId);
  }

  private async refresh(): Promise<void> {
    const ids = this.blocks().map((b) => b.jobId).filter((j): j is string => j !== null);
    if (ids.length === 0) return;
    const statuses = await this.provider.status(ids);
    this.state = applyJobStatuses(this.state, statuses, this.deps.clock.now(), (st) => jobOutputTail(st));
  }

  private observe(): void {
    const now = this.deps.clock.now();
    for (const b of this.blocks()) {
      const ms = this.host.managersOf(b.id);
      this.state = recordBlockObservation(this.state, b.id, {
        managers: ms.length,
        capacity: ms.reduce((s, m) => s + m.capacity, 0),
        busy: ms.reduce((s, m) => s + m.inflight, 0),
      }, now);
    }
    this.state = recordOutstanding(this.state, this.host.outstanding());
  }

  private async execute(actions: readonly ScalingAction[]): Promise<void> {
    for (const a of actions) {
      switch (a.kind) {
        case "submit":
          this.deps.log.info("scaling out", { blocks: a.count, reason: a.reason });
          for (let i = 0; i < a.count; i++) await this.submitOne();
          break;
        case "hold":
          this.deps.log.info("holding block", { block: a.blockId, reason: a.reason });
          for (const m of this.host.managersOf(a.blockId)) {
            this.host.hold(m.id);
            this.host.drain(m.id, a.reason);
          }
          break;
        case "cancel": {
          const jobId = this.state.blocks.get(a.blockId)?.jobId;
          this.deps.log.info("cancelling block", { block: a.blockId, job: jobId ?? "", reason: a.reason });
          if (jobId) await this.provider.cancel([jobId]).catch((err) => this.deps.log.error("cancel failed", { block: a.blockId, error: describeError(err) }));
          break;
        }
        case "report-failed": {
          const output = a.output || jobOutputTail({ stderrPath: a.stderrPath ?? undefined, stdoutPath: a.stdoutPath ?? undefined });
          this.deps.log.error("block failed before any manager registered", { block: a.blockId, job: a.jobId ?? "", state: a.state, message: a.message, output });
          this.host.blockFailed?.({ blockId: a.blockId, jobId: a.jobId, state: a.state, message: a.message, output });
          break;
        }
        case "retire":
          this.deps.log.debug("block retired", { block: a.blockId, reason: a.reason });
          break;
      }
    }
    this.state = recordActions(this.state, actions, this.deps.clock.now());
  }

  private async submitOne(): Promise<void> {
    const blockId = String(this.seq++);
    const now = this.deps.clock.now();
    this.state = recordSubmitted(this.state, blockId, now);
    try {
      const argv = launchCommand(this.config.provider.launcher, this.deps.commandFor(blockId), this.tasksPerNode, this.config.provider.nodes_per_block);
      const jobId = await this.provider.submit(argv, this.tasksPerNode, `fx-${this.config.executor.label}-${blockId}`);
      this.state = recordJobId(this.state, blockId, jobId);
      this.deps.log.info("block submitted", { block: blockId, job: jobId, provider: this.provider.type });
    } catch (err) {
      this.state = recordSubmitFailed(this.state, blockId, this.deps.clock.now());
      this.deps.log.error("block submit failed", { block: blockId, error: describeError(err) });
      this.host.blockFailed?.({ blockId, jobId: null, state: "SUBMIT_FAILED", message: describeError(err), output: "" });
    }
  }

  /** Cancels every live block and closes the provider. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.running;
    const ids = this.blocks().filter((b) => b.cancelRequestedAt === null).map((b) => b.jobId).filter((j): j is string => j !== null);
    if (ids.length > 0) await this.provider.cancel(ids).catch((err) => this.deps.log.error("cancelling blocks failed", { error: describeError(err) }));
    await this.provider.close();
  }
}
