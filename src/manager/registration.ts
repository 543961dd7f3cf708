/** The manager's registration: who it is, what it can run. Pure given its inputs (host facts are passed in). */
import os from "node:os";
import { MSG, type Register } from "../protocol/messages.ts";
import { FX_VERSION, PROTOCOL_VERSION } from "../version.ts";
import type { ManagerOptions } from "../config/roles.ts";

export interface HostFacts {
  readonly hostname: string;
  readonly os: string;
  readonly pid: number;
  readonly cores: number;
  readonly memoryBytes: number;
}

export function detectHost(): HostFacts {
  return {
    hostname: os.hostname(),
    os: `${os.platform()}-${os.arch()}`,
    pid: process.pid,
    cores: typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length,
    memoryBytes: os.totalmem(),
  };
}

/**
 * Cores one manager plans with: the CPUs it may run on when a launcher bound it to a subset of the node (srun
 * with task affinity), otherwise an equal share of the node among the `managersPerNode` managers started on it.
 */
export function managerCores(usable: number, nodeCpus: number, managersPerNode: number): number {
  if (managersPerNode <= 1 || usable < nodeCpus) return usable;
  return Math.max(1, Math.floor(nodeCpus / managersPerNode));
}

/** Workers this manager may run: one per `coresPerWorker` of the node's cores, capped by `maxWorkers`, ≥ 1. */
export function workerCount(cores: number, coresPerWorker: number, maxWorkers: number): number {
  const byCores = coresPerWorker > 0 ? Math.floor(cores / coresPerWorker) : cores;
  return Math.max(1, Math.min(maxWorkers, Math.max(1, byCores)));
}

/** A manager id unique per process: host, pid and a random suffix. */
export function makeManagerId(hostname: string, pid: number): string {
  return `${hostname}-${pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface RegistrationInput {
  readonly opts: ManagerOptions;
  readonly host: HostFacts;
  readonly managerId: string;
  readonly blockId: string;
  readonly workerCount: number;
  readonly workerTypes: readonly string[];
  readonly walltimeEndMs?: number;
}

export function buildRegistration(r: RegistrationInput): Register {
  const msg: Register = {
    type: MSG.register,
    protocol_version: PROTOCOL_VERSION,
    fx_version: FX_VERSION,
    manager_id: r.managerId,
    block_id: r.blockId,
    hostname: r.host.hostname,
    os: r.host.os,
    pid: r.host.pid,
    cores: r.host.cores,
    memory_bytes: r.host.memoryBytes,
    worker_count: r.workerCount,
    worker_types: [...r.workerTypes],
    worker_mode: r.opts.workerMode,
    scheduler_mode: r.opts.schedulerMode,
    prefetch: r.opts.prefetch,
  };
  return r.walltimeEndMs !== undefined ? { ...msg, walltime_end_ms: r.walltimeEndMs } : msg;
}
