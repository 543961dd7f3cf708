/**
 * A worker's process exit and the end of its channel arrive as two events in either order. Its last results are
 * in the channel: reporting the exit first would blame a finished task with WorkerLost (a single-use worker exits
 * right after replying). So an exit is reported once the worker's channel is gone too — or after `graceMs` if the
 * channel lingers (a worker that never connected, or a wedged peer).
 */

export class ExitGate {
  private readonly waiting = new Map<string, { timer: ReturnType<typeof setTimeout>; fire: () => void }>();

  constructor(
    private readonly connected: (workerId: string) => boolean,
    private readonly graceMs = 1000,
  ) {}

  /** The process exited: `report` now if its channel is closed, else when it closes (or after the grace). */
  exited(workerId: string, report: () => void): void {
    if (!this.connected(workerId)) return report();
    const fire = (): void => {
      const w = this.waiting.get(workerId);
      if (w === undefined) return;
      clearTimeout(w.timer);
      this.waiting.delete(workerId);
      report();
    };
    this.waiting.set(workerId, { timer: setTimeout(fire, this.graceMs), fire });
  }

  /** The worker's channel closed (all it sent has been read). */
  disconnected(workerId: string): void {
    this.waiting.get(workerId)?.fire();
  }

  /** Report every exit still waiting (shutting down). */
  flush(): void {
    for (const w of [...this.waiting.values()]) w.fire();
  }
}
