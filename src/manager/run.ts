/**
 * Entry of `fx manager`: the I/O shell around ManagerCore. Opens the two DEALERs to the interchange (routing
 * id = manager id on both), binds the worker ROUTER on an ipc socket in a private temp dir (reachable through
 * a container bind mount), wires worker processes, timers and signals, and cleans everything up on the way
 * out: workers are asked to leave, then killed; sockets are closed after results are flushed.
 *
 * SIGTERM/SIGINT drain (stop asking for tasks, exit when empty); a second one stops at once.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ManagerOptions } from "../config/roles.ts";
import { parseWorkerMode } from "../containers/runtime.ts";
import { framesOf } from "../protocol/codec.ts";
import { RAW_TASK_TYPE } from "../protocol/messages.ts";
import { systemClock } from "../util/clock.ts";
import { describeError } from "../util/errors.ts";
import { createLogger, type Logger } from "../util/log.ts";
import { OrderedSender } from "../util/ordered-sender.ts";
import { Dealer, Router } from "../zmtp/index.ts";
import { containerPlan } from "./container-plan.ts";
import { ExitGate } from "./exit-gate.ts";
import { chooseWorkerEndpoint } from "./worker-endpoint.ts";
import { ManagerCore, type ManagerSettings } from "./manager.ts";
import { buildRegistration, detectHost, makeManagerId, managerCores, workerCount } from "./registration.ts";
import { managerWalltime } from "./walltime.ts";
import { ProcessLauncher } from "./worker-launcher.ts";
import { resolveInterchangeUrls } from "./urls.ts";

const WORKER_STOP_GRACE_MS = 2000;

export async function runManager(opts: ManagerOptions): Promise<number> {
  const log = createLogger({ name: "manager", level: opts.logLevel, logdir: opts.logdir ?? undefined });
  try {
    return await manage(opts, log);
  } catch (err) {
    log.error(`manager failed: ${describeError(err)}`);
    return 1;
  } finally {
    log.close();
  }
}

async function manage(opts: ManagerOptions, log: Logger): Promise<number> {
  // The end on our monotonic clock (drain decisions) and, for the registration, in ms since the epoch.
  const walltime = managerWalltime(systemClock.now(), opts.walltime, opts.walltimeDrain);
  const walltimeEndMs = opts.walltime !== null ? Date.now() + opts.walltime * 1000 : undefined;
  const host = detectHost();
  const cores = opts.cores ?? managerCores(host.cores, os.cpus().length, opts.managersPerNode);
  const count = workerCount(cores, opts.coresPerWorker, opts.maxWorkers);
  const managerId = opts.uid ?? makeManagerId(host.hostname, host.pid);
  const singleUse = parseWorkerMode(opts.workerMode).singleUse;
  const { taskUrl, resultUrl } = await resolveInterchangeUrls(opts, log);

  const maxMsg = Math.max(opts.maxPayloadBytes * 4, 64 * 1024 * 1024);
  const sockOpts = { routingId: managerId, sendHighWaterMark: 1_000_000, receiveHighWaterMark: 100_000, maxMessageSize: maxMsg, linger: 5000 };
  const taskSock = new Dealer(sockOpts);
  const resultSock = new Dealer(sockOpts);
  const workerSock = new Router({ sendHighWaterMark: 1_000_000, receiveHighWaterMark: 100_000, maxMessageSize: maxMsg, linger: 500 });
  const endpoint = chooseWorkerEndpoint();
  const ipcDir = endpoint.dir;
  await workerSock.bind(endpoint.bindUrl);
  const workerUrl = workerSock.lastEndpoint ?? endpoint.bindUrl;
  const taskOut = new OrderedSender(taskSock);
  const resultOut = new OrderedSender(resultSock);

  let resolveExit!: (v: { code: number; reason: string }) => void;
  const exited = new Promise<{ code: number; reason: string }>((r) => (resolveExit = r));
  const idBufs = new Map<string, Buffer>();
  // A worker's exit is handled after its channel closed, so the results it sent just before are read first.
  const exitGate = new ExitGate((id) => workerSock.hasPeer(id));
  workerSock.on("disconnect", (ev) => {
    if (ev.routingId !== null) exitGate.disconnected(ev.routingId.toString("latin1"));
  });
  const launcher = new ProcessLauncher({
    workerUrl, ipcDir, mode: opts.workerMode, containerImage: opts.containerImage,
    containers: opts.containers, logdir: opts.logdir, debug: opts.workerDebug, maxPayloadBytes: opts.maxPayloadBytes, log,
    onExit: (id, code, signal, startError) =>
      exitGate.exited(id, () => {
        idBufs.delete(id);
        core.onWorkerExit(id, code, signal, startError);
      }),
  });

  const workerTypes = opts.workerTypes.length > 0 ? opts.workerTypes : [RAW_TASK_TYPE];
  const settings: ManagerSettings = {
    managerId,
    hostname: host.hostname,
    registration: buildRegistration({ opts, host: { ...host, cores }, managerId, blockId: opts.blockId ?? "", workerCount: count, workerTypes, ...(walltimeEndMs !== undefined ? { walltimeEndMs } : {}) }),
    workerCount: count,
    workerTypes: opts.workerMode === "no_container" ? workerTypes : [],
    initialType: workerTypes[0]!,
    singleUse,
    prefetch: opts.prefetch,
    heartbeatPeriodS: opts.heartbeatPeriod,
    heartbeatThresholdS: opts.heartbeatThreshold,
    workerMaxIdleS: opts.workerMaxIdletime,
    minWorkers: 1,
    resultBatchSize: opts.resultBatchSize,
    resultBatchPeriodMs: opts.resultBatchPeriodMs,
    maxEarlyDeaths: 5,
    walltime,
  };
  const core: ManagerCore = new ManagerCore(settings, {
    interchange: { sendTask: (m) => taskOut.send(m), sendResult: (m) => resultOut.send(m) },
    workers: {
      sendTo: (id, msg) => {
        let idb = idBufs.get(id);
        if (idb === undefined) idBufs.set(id, (idb = Buffer.from(id)));
        if (!workerSock.hasPeer(idb)) return false;
        return workerSock.trySend(framesOf(msg, idb));
      },
    },
    launcher,
    clock: systemClock,
    log,
    planner: opts.workerMode === "no_container" ? undefined : containerPlan,
    onExit: (code, reason) => resolveExit({ code, reason }),
  });

  taskSock.onMessage = (frames) => core.onInterchangeMessage(frames);
  workerSock.onMessage = (frames) => core.onWorkerMessage(frames[0]!.toString("latin1"), frames.slice(1));
  taskSock.connect(taskUrl);
  resultSock.connect(resultUrl);
  log.info("manager starting", { manager: managerId, task_url: taskUrl, result_url: resultUrl, workers: count, mode: opts.workerMode, block: opts.blockId ?? "", walltime_end: walltimeEndMs !== undefined ? new Date(walltimeEndMs).toISOString() : "" });
  core.start();

  const tick = setInterval(() => core.tick(), housekeepingPeriodMs(opts.heartbeatPeriod, opts.pollPeriodMs));
  let signals = 0;
  const onSignal = (sig: string): void => {
    signals++;
    log.info(signals === 1 ? `${sig}: draining (again to stop at once)` : `${sig}: stopping`);
    if (signals === 1) core.drain();
    else core.stop(0, sig, { failHeld: true });
  };
  const onTerm = (): void => onSignal("SIGTERM");
  const onInt = (): void => onSignal("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);

  const { code, reason } = await exited;
  clearInterval(tick);
  process.off("SIGTERM", onTerm);
  process.off("SIGINT", onInt);
  await stopWorkers(launcher, log);
  exitGate.flush();
  await Promise.all([taskSock.close(), resultSock.close(), workerSock.close()]);
  if (ipcDir !== null) fs.rmSync(ipcDir, { recursive: true, force: true });
  const c = core.counters;
  log.info("manager exiting", {
    reason, code, tasks_in: c.tasksIn, results_out: c.resultsOut, workers_lost: c.workersLost, workers_started: c.workersStarted,
    handoffs: c.handoffs, worker_result_msgs: c.workerResultMsgs, requests: c.requests, dropped_to_interchange: taskOut.dropped + resultOut.dropped,
  });
  if (launcher.coldStarts.stats().size > 0) log.info("container cold starts (spawn → registered)", { per_image: launcher.coldStarts.summary() });
  return code;
}

/**
 * How often the manager's housekeeping runs (heartbeats both ways, idle workers, walltime drain). Everything it
 * does is on the scale of seconds, and tasks and results never wait for it, so it runs four times per heartbeat
 * period, never more often than poll_period and at least once a second. (Every 10 ms, its cost — a few objects
 * per pass — showed up in the round-trip p99 through garbage collection: docs/performance.md.)
 */
export function housekeepingPeriodMs(heartbeatPeriodS: number, pollPeriodMs: number): number {
  return Math.min(1000, Math.max(10, pollPeriodMs, (heartbeatPeriodS * 1000) / 4));
}

/** Workers were asked to leave (shutdown message); SIGTERM, then SIGKILL, whatever is still there. */
async function stopWorkers(launcher: ProcessLauncher, log: Logger): Promise<void> {
  const waitGone = async (ms: number): Promise<boolean> => {
    const end = Date.now() + ms;
    while (launcher.alive().length > 0 && Date.now() < end) await Bun.sleep(20);
    return launcher.alive().length === 0;
  };
  if (await waitGone(WORKER_STOP_GRACE_MS)) return;
  for (const id of launcher.alive()) launcher.signal(id, false);
  if (await waitGone(WORKER_STOP_GRACE_MS)) return;
  log.warn("killing workers that did not stop", { workers: launcher.alive().length });
  for (const id of launcher.alive()) launcher.signal(id, true);
  await waitGone(WORKER_STOP_GRACE_MS);
}
