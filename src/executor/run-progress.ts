/**
 * fx run's progress: a live bar (cli-progress) on a terminal, plain lines every few seconds otherwise.
 * Reads counters; never one line per task.
 */
import { SingleBar } from "cli-progress";

export interface ProgressCounts {
  done: number;
  failed: number;
  readonly total: number;
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** One plain progress line: "fx run: 120/1000 done, 3 failed, 250.0 tasks/s, ETA 4s". */
export function progressLine(c: ProgressCounts, elapsedS: number): string {
  const finished = c.done + c.failed;
  const rate = elapsedS > 0 ? finished / elapsedS : 0;
  const eta = rate > 0 ? (c.total - finished) / rate : NaN;
  return `fx run: ${finished}/${c.total} done, ${c.failed} failed, ${rate.toFixed(1)} tasks/s, ETA ${formatEta(eta)}`;
}

export class RunProgress {
  private bar: SingleBar | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly t0 = performance.now();

  constructor(private readonly c: ProgressCounts, private readonly tty: boolean, private readonly enabled: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  start(): void {
    if (!this.enabled) return;
    if (this.tty) {
      this.bar = new SingleBar({
        format: "fx run |{bar}| {value}/{total} | failed {failed} | {rate}/s | ETA {eta_fx}",
        stream: this.stream, hideCursor: true, etaBuffer: 200, fps: 5,
      });
      this.bar.start(this.c.total, 0, { failed: 0, rate: "0", eta_fx: "?" });
      this.timer = setInterval(() => this.render(), 200);
    } else {
      this.timer = setInterval(() => this.stream.write(`${progressLine(this.c, this.elapsed())}\n`), 2000);
    }
  }

  private elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  private render(): void {
    const finished = this.c.done + this.c.failed;
    const el = this.elapsed();
    const rate = el > 0 ? finished / el : 0;
    this.bar?.update(finished, { failed: this.c.failed, rate: rate.toFixed(0), eta_fx: formatEta(rate > 0 ? (this.c.total - finished) / rate : NaN) });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.bar) {
      this.render();
      this.bar.stop();
      this.bar = null;
    }
    if (this.enabled) this.stream.write(`${progressLine(this.c, this.elapsed())}\n`);
  }
}
