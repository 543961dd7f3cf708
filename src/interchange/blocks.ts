/**
 * Blocks: the interchange drives the provider (as funcX does). init_blocks at start, a small strategy each
 * poll (scale out when tasks wait and no block serves them, up to max_blocks), explicit scale_out / scale_in,
 * and polite scale-in: the block's managers are held and drained, and the job is cancelled once idle
 * (or after provider.drain_timeout).
 */
import type { FxConfig } from "../config/schema.ts";
import { launchCommand } from "../launchers/index.ts";
import { createProvider, isTerminal, readTail, type Provider } from "../providers/index.ts";
import type { Logger } from "../util/log.ts";
import { selfArgv } from "../util/self-exec.ts";

export interface BlockInfo {
  readonly block_id: string;
  readonly job_id: string | null;
  state: string;
  readonly started_ms: number;
  /** Draining since (ms), or null. */
  draining_since: number | null;
}

/** What blocks need from the interchange: its URLs and its view of managers per block. */
export interface BlockHost {
  readonly taskUrl: string;
  readonly resultUrl: string;
  /** Managers (ids) registered from this block, and how many tasks they hold. */
  managersOf(blockId: string): { id: string; inflight: number }[];
  hold(managerId: string): void;
  drain(managerId: string, reason: string): void;
  /** Tasks waiting in queues. */
  queued(): number;
}

/** Pure: how many blocks to add now. */
export function planScaleOut(queued: number, liveBlocks: number, maxBlocks: number): number {
  if (queued > 0 && liveBlocks === 0 && maxBlocks > 0) return 1;
  return 0;
}

export function managerArgv(config: FxConfig, host: Pick<BlockHost, "taskUrl" | "resultUrl">, blockId: string): string[] {
  const e = config.executor;
  const args = [
    "manager", "--task-url", host.taskUrl, "--result-url", host.resultUrl, "--block-id", blockId,
    "--max-workers", e.max_workers === Infinity ? "inf" : String(e.max_workers),
    "--cores-per-worker", String(e.cores_per_worker),
    "--heartbeat-period", String(e.heartbeat_period),
    "--heartbeat-threshold", String(e.heartbeat_threshold),
    "--poll", String(e.poll_period),
    "--worker-mode", e.worker_mode,
    "--scheduler-mode", e.scheduler_mode,
    "--prefetch", String(e.prefetch),
    "--logdir", config.logging.logdir,
  ];
  if (e.address.length > 0) args.push("--address", e.address.join(","));
  if (e.container_image) args.push("--container-image", e.container_image);
  if (e.worker_debug || config.logging.level === "debug") args.push("--debug");
  return selfArgv(args);
}

export class Blocks {
  private readonly provider: Provider;
  readonly blocks = new Map<string, BlockInfo>();
  private seq = 0;
  private busy = false;

  constructor(
    private readonly config: FxConfig,
    private readonly host: BlockHost,
    private readonly log: Logger,
    provider?: Provider,
  ) {
    this.provider = provider ?? createProvider(config.provider, { logdir: config.logging.logdir, log: log.child("provider") });
  }

  private live(): BlockInfo[] {
    return [...this.blocks.values()].filter((b) => !isTerminal(b.state as never) && b.state !== "SUBMIT_FAILED");
  }

  async scaleOut(n: number): Promise<string[]> {
    const p = this.config.provider;
    const room = Math.max(0, p.max_blocks - this.live().length);
    const count = Math.min(n, room);
    if (count < n) this.log.warn("scale_out capped by provider.max_blocks", { asked: n, starting: count, max_blocks: p.max_blocks });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const blockId = String(this.seq++);
      const argv = launchCommand(p.launcher, managerArgv(this.config, this.host, blockId), 1, p.nodes_per_block);
      const b: BlockInfo = { block_id: blockId, job_id: null, state: "PENDING", started_ms: Date.now(), draining_since: null };
      this.blocks.set(blockId, b);
      try {
        const jobId = await this.provider.submit(argv, 1, `fx-${this.config.executor.label}-${blockId}`);
        this.blocks.set(blockId, { ...b, job_id: jobId });
        ids.push(blockId);
        this.log.info("block submitted", { block: blockId, job: jobId, provider: this.provider.type });
      } catch (err) {
        b.state = "SUBMIT_FAILED";
        this.log.error("block submit failed", { block: blockId, error: err as Error });
      }
    }
    return ids;
  }

  /** Holds and drains `n` blocks (idlest first) or the named ones; they are cancelled once idle. */
  scaleIn(n: number | undefined, blockIds: readonly string[] | undefined, now: number): string[] {
    let chosen: BlockInfo[];
    if (blockIds && blockIds.length > 0) chosen = blockIds.map((id) => this.blocks.get(id)).filter((b): b is BlockInfo => !!b && b.draining_since === null);
    else {
      const load = (b: BlockInfo) => this.host.managersOf(b.block_id).reduce((s, m) => s + m.inflight, 0);
      chosen = this.live().filter((b) => b.draining_since === null).sort((a, b) => load(a) - load(b)).slice(0, n ?? 1);
    }
    for (const b of chosen) {
      b.draining_since = now;
      for (const m of this.host.managersOf(b.block_id)) {
        this.host.hold(m.id);
        this.host.drain(m.id, "scale_in");
      }
    }
    return chosen.map((b) => b.block_id);
  }

  /** One strategy step: refresh states, cancel drained blocks, scale out if needed. Never throws. */
  async poll(now: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.refresh();
      const drainMs = this.config.provider.drain_timeout * 1000;
      for (const b of this.live()) {
        if (b.draining_since === null || b.job_id === null) continue;
        const inflight = this.host.managersOf(b.block_id).reduce((s, m) => s + m.inflight, 0);
        if (inflight === 0 || now - b.draining_since > drainMs) await this.cancel(b);
      }
      const add = planScaleOut(this.host.queued(), this.live().filter((b) => b.draining_since === null).length, this.config.provider.max_blocks);
      if (add > 0) await this.scaleOut(add);
    } catch (err) {
      this.log.error("block strategy step failed", { error: err as Error });
    } finally {
      this.busy = false;
    }
  }

  private async refresh(): Promise<void> {
    const withJobs = this.live().filter((b) => b.job_id !== null);
    if (withJobs.length === 0) return;
    const states = await this.provider.status(withJobs.map((b) => b.job_id!));
    for (const b of withJobs) {
      const st = states.get(b.job_id!);
      if (!st || st.state === b.state) continue;
      b.state = st.state;
      if (st.state === "FAILED") {
        const tail = st.stderrPath ? readTail(st.stderrPath, 2000) : "";
        this.log.error("block failed", { block: b.block_id, job: b.job_id, message: st.message ?? "", stderr: tail });
      } else this.log.info("block state", { block: b.block_id, state: st.state });
    }
  }

  private async cancel(b: BlockInfo): Promise<void> {
    if (b.job_id === null) return;
    await this.provider.cancel([b.job_id]);
    b.state = "CANCELLED";
    this.log.info("block cancelled", { block: b.block_id, job: b.job_id });
  }

  list(): BlockInfo[] {
    return [...this.blocks.values()];
  }

  /** Ends every block (shutdown). */
  async close(): Promise<void> {
    try {
      const ids = this.live().map((b) => b.job_id).filter((j): j is string => j !== null);
      if (ids.length > 0) await this.provider.cancel(ids);
    } catch (err) {
      this.log.error("cancelling blocks failed", { error: err as Error });
    }
    await this.provider.close();
  }
}
