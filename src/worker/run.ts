/**
 * Entry of `fx worker`: connect a DEALER (routing id = worker id) to the manager's worker channel, say
 * hello, serve tasks until told to stop or until the manager is gone. The manager being gone is noticed two
 * ways: the worker channel disconnects (and does not come back within a grace period), or this process's
 * parent changes (the manager was SIGKILLed and we were re-parented) — so no worker outlives its manager.
 */
import os from "node:os";
import type { WorkerOptions } from "../config/roles.ts";
import { describeError } from "../util/errors.ts";
import { createLogger } from "../util/log.ts";
import { OrderedSender } from "../util/ordered-sender.ts";
import { Dealer } from "../zmtp/index.ts";
import { initParentDeath, setParentDeathSignal } from "./parent-death.ts";
import { killRunningShellTasks, onShellActivity } from "./shell-task.ts";
import { WorkerLoop } from "./worker.ts";

/** How long the worker waits for its manager to (re)appear before giving up, ms. The manager binds before
 *  it starts workers and never comes back on the same ipc path, so a refused connect is already telling. */
const MANAGER_GRACE_MS = 2_000;
const PARENT_POLL_MS = 500;

export async function runWorker(opts: WorkerOptions): Promise<number> {
  const log = createLogger({ name: `worker-${opts.workerId}`, level: opts.logLevel, logdir: opts.logdir ?? undefined });
  const sock = new Dealer({
    routingId: opts.workerId,
    sendHighWaterMark: 100_000,
    receiveHighWaterMark: 100_000,
    // One task of the largest payload plus a hand-off's worth of others (HANDOFF_MAX_BYTES) and framing.
    maxMessageSize: opts.maxPayloadBytes + 32 * 1024 * 1024,
    linger: 2000,
  });
  const out = new OrderedSender(sock);
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let finished = false;
  const loop = new WorkerLoop({
    workerId: opts.workerId,
    workerType: opts.workerType,
    host: os.hostname(),
    singleUse: opts.singleUse,
    maxResultBytes: opts.maxPayloadBytes,
    log,
    link: { send: (m) => out.send(m), close: () => sock.close() },
    onDone: (code) => {
      finished = true;
      resolveDone(code);
    },
  });

  let everConnected = false;
  let goneTimer: ReturnType<typeof setTimeout> | null = null;
  const managerGone = (why: string): void => {
    if (finished || loop.finishing) return;
    log.info(`leaving: ${why}`);
    loop.onManagerGone();
  };
  const armGone = (why: string): void => {
    if (goneTimer === null) goneTimer = setTimeout(() => managerGone(why), MANAGER_GRACE_MS);
  };
  sock.on("handshake", () => {
    everConnected = true;
    if (goneTimer !== null) clearTimeout(goneTimer);
    goneTimer = null;
  });
  // An orderly close by the manager means it is leaving; an error may be transient: give it the grace period.
  sock.on("disconnect", (ev) => (ev.error === null ? managerGone("the manager closed the channel") : armGone("the manager channel was lost")));
  sock.on("connect:retry", () => armGone(everConnected ? "the manager channel was lost" : "cannot reach the manager"));
  sock.onMessage = (frames) => loop.onMessage(frames);

  // The kernel's parent-death signal covers what the checks above cannot: a task hogging the event loop.
  if (await initParentDeath()) {
    setParentDeathSignal("SIGKILL");
    onShellActivity((active) => setParentDeathSignal(active ? "SIGTERM" : "SIGKILL"));
  }
  const ppid = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid !== ppid) managerGone("the parent process (manager) exited");
  }, PARENT_POLL_MS);
  parentWatch.unref?.();

  // A task's stray async failure (a rejected promise nobody awaits, a throwing timer) must not kill the worker —
  // the next task would be blamed with WorkerLost. Log it (with a count) and carry on.
  let strays = 0;
  const onStray = (kind: string) => (err: unknown): void => {
    strays++;
    log.warn(`a task left an ${kind} behind; the worker carries on`, { error: describeError(err), total: strays });
  };
  process.on("unhandledRejection", onStray("unhandled promise rejection"));
  process.on("uncaughtException", onStray("uncaught exception"));

  // SIGTERM (the manager stopping us, or a container runtime): leave like on shutdown, shell tasks included.
  const onTerm = (): void => managerGone("SIGTERM received");
  process.on("SIGTERM", onTerm);
  process.on("exit", killRunningShellTasks);

  sock.connect(opts.managerUrl);
  loop.start();
  armGone("cannot reach the manager");
  log.debug("worker started", { manager: opts.managerUrl, type: opts.workerType, single_use: opts.singleUse });

  const code = await done;
  clearInterval(parentWatch);
  process.off("SIGTERM", onTerm);
  if (goneTimer !== null) clearTimeout(goneTimer);
  log.debug("worker exiting", { served: loop.tasksServed, dropped: out.dropped });
  log.close();
  return code;
}
