/**
 * Container worker modes end to end: the executor library ↔ compiled dist/fx (interchange → manager → workers
 * inside podman containers, the worker being the host's dist/fx bind-mounted read-only).
 * Proves: tasks run inside the image they name (two images at once, routed right); reuse keeps one container
 * across tasks, single use gives each task a fresh container and leaves none behind; a plain task runs in
 * container_image; hard routing sends a type only to managers of that type, soft routing lets one manager
 * serve any type; typed workers grow to the cap and switch types when the node is full.
 * Skips with a reason when podman or the test images are absent (scripts/setup-test-env.d/podman.sh).
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { HighThroughputExecutor, RemoteError, type StatusEvent } from "../../src/index.ts";
import { parseReadyLine, type ReadyInfo } from "../../src/interchange/ready.ts";
import { DIST, ensureBuilt, executorFor, killMarked, tempDir, waitFor } from "../helpers/pipeline.ts";
import { IMAGE_A, IMAGE_B, IMAGE_NOGLIBC, podmanSkipReason } from "../integration/containers/podman-env.ts";

const suite = podmanSkipReason ? describe.skip : describe;
/** Prints the image's marker, then the container's mount namespace + its worker's start time: a container's
 *  identity (a namespace inode alone can be reused by a later container). */
const WHO = ["/bin/sh", "-c", "cat /etc/fx-image; echo $(readlink /proc/self/ns/mnt)@$(cut -d' ' -f22 /proc/$PPID/stat)"];

let dir = "";
let ex: HighThroughputExecutor | null = null;
const procs: ReturnType<typeof Bun.spawn>[] = [];

beforeAll(() => ensureBuilt());
afterEach(async () => {
  await ex?.shutdown().catch(() => {});
  ex = null;
  for (const p of procs.splice(0)) p.kill("SIGTERM");
  if (dir) {
    // Managers stop their containers when they stop; give them the time, then make sure.
    await waitFor(() => workerContainers().length === 0, 30_000, 100);
    killMarked(dir);
    for (const c of workerContainers()) Bun.spawnSync(["podman", "rm", "--force", "--time", "0", c.name], { stdout: "ignore", stderr: "ignore" });
    fs.rmSync(dir, { recursive: true, force: true });
    dir = "";
  }
}, 90_000);

/** Containers (any state) whose name carries `mark` (the manager uid), with their image. */
function containers(mark: string): { name: string; image: string }[] {
  const r = Bun.spawnSync(["podman", "ps", "-a", "--format", "{{.Names}} {{.Image}}"], { stdout: "pipe", stderr: "ignore" });
  return r.stdout.toString().split("\n").filter((l) => l.includes(mark)).map((l) => {
    const [name = "", image = ""] = l.trim().split(" ");
    return { name, image };
  });
}

/** Containers of fx workers (named fx-<manager>.w<n> by the manager), any state. */
function workerContainers(): { name: string; image: string }[] {
  return containers("fx-").filter((c) => /^fx-.*\.w\d+$/.test(c.name));
}

function runningImages(mark: string): string[] {
  const r = Bun.spawnSync(["podman", "ps", "--format", "{{.Names}} {{.Image}}"], { stdout: "pipe", stderr: "ignore" });
  return r.stdout.toString().split("\n").filter((l) => l.includes(mark)).map((l) => l.trim().split(" ")[1] ?? "");
}

async function who(e: HighThroughputExecutor, image: string | null): Promise<{ marker: string; ns: string }> {
  const r = await (image === null ? e.submitShell(WHO) : e.with({ container: image }).submitShell(WHO));
  expect(r.returncode).toBe(0);
  const [marker = "", ns = ""] = r.stdout.trim().split("\n");
  return { marker, ns };
}

/** An interchange of dist/fx without blocks; managers are started by the test (`--uid` carries the mark). */
async function interchangeOnly(scheduler: "hard" | "soft"): Promise<{ taskUrl: string; resultUrl: string; client: { tasks: string; results: string; commands: string } }> {
  const cfg = path.join(dir, "ix.toml");
  fs.writeFileSync(cfg, [
    "[executor]", `scheduler_mode = "${scheduler}"`, 'worker_mode = "podman_reuse"', "heartbeat_period = 1", "heartbeat_threshold = 5",
    "[provider]", "init_blocks = 0", "min_blocks = 0", "max_blocks = 0",
    "[logging]", `logdir = "${path.join(dir, "logs")}"`, "",
  ].join("\n"));
  const p = Bun.spawn([DIST, "interchange", "-c", cfg], { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  procs.push(p);
  const reader = p.stdout.getReader();
  let text = "";
  let info: ReadyInfo | null = null;
  while (info === null) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`interchange exited before its ready line: ${text}`);
    text += new TextDecoder().decode(value);
    for (const line of text.split("\n")) info ??= parseReadyLine(line);
  }
  reader.releaseLock();
  return { taskUrl: info.task_url, resultUrl: info.result_url, client: info.client };
}

function startManager(ix: { taskUrl: string; resultUrl: string }, uid: string, args: string[]): void {
  procs.push(Bun.spawn([DIST, "manager", "--task-url", ix.taskUrl, "--result-url", ix.resultUrl, "--uid", uid,
    "--heartbeat-period", "1", "--heartbeat-threshold", "5", "--logdir", path.join(dir, "logs"), ...args],
  { stdout: "ignore", stderr: "inherit", stdin: "ignore" }));
}

suite("podman worker modes (executor ↔ dist/fx)", () => {
  test("podman_reuse: two images at once, each task runs in the image it names, containers are reused across tasks", async () => {
    dir = tempDir("ctr-reuse");
    ex = executorFor(dir, { executor: { worker_mode: "podman_reuse", scheduler_mode: "soft", max_workers: 2, worker_debug: true } });
    await ex.start();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => who(ex!, i % 2 === 0 ? IMAGE_A : IMAGE_B)));
    results.forEach((r, i) => expect(r.marker).toBe(i % 2 === 0 ? "a" : "b"));
    expect(results.some((r) => r.ns.startsWith(fs.readlinkSync("/proc/self/ns/mnt")))).toBe(false);
    // Reuse: tasks one after another land in one and the same container.
    const again: string[] = [];
    for (let i = 0; i < 3; i++) again.push((await who(ex, IMAGE_A)).ns);
    expect(new Set(again).size).toBe(1);
    // The containerised workers' logs land in the host's logdir (bind-mounted); "worker started … type=IMAGE".
    const logs = fs.readdirSync(path.join(dir, "logs")).filter((f) => f.startsWith("worker-"));
    const texts = logs.map((f) => fs.readFileSync(path.join(dir, "logs", f), "utf8"));
    expect(texts.some((t) => t.includes(IMAGE_A))).toBe(true);
  }, 180_000);

  test("podman_single_use: every task gets a fresh container, and none is left behind", async () => {
    dir = tempDir("ctr-single");
    ex = executorFor(dir, { executor: { worker_mode: "podman_single_use", scheduler_mode: "soft", max_workers: 2 } });
    await ex.start();
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await who(ex, IMAGE_A);
      expect(r.marker).toBe("a");
      seen.push(r.ns);
    }
    const parallel = await Promise.all([who(ex, IMAGE_B), who(ex, IMAGE_B)]);
    for (const r of parallel) {
      expect(r.marker).toBe("b");
      seen.push(r.ns);
    }
    expect(new Set(seen).size).toBe(seen.length);
    const host = fs.readlinkSync("/proc/self/ns/mnt");
    for (const id of seen) expect(id.startsWith(`${host}@`)).toBe(false);
    // Single-use containers are gone once their task is done (--rm), without waiting for any idle timeout.
    expect(await waitFor(() => workerContainers().filter((c) => c.image === IMAGE_A).length === 0, 30_000, 100)).toBe(true);
  }, 180_000);

  test("a plain task (no image named) runs in container_image", async () => {
    dir = tempDir("ctr-default");
    ex = executorFor(dir, { executor: { worker_mode: "podman_reuse", container_image: IMAGE_B, max_workers: 1 } });
    await ex.start();
    const r = await who(ex, null);
    expect(r.marker).toBe("b");
    expect(r.ns.startsWith(fs.readlinkSync("/proc/self/ns/mnt"))).toBe(false);
  }, 180_000);

  test("an image that cannot run the worker (no glibc) fails its tasks with E_CONTAINER_START; other images keep working", async () => {
    dir = tempDir("ctr-bad");
    ex = executorFor(dir, { executor: { worker_mode: "podman_reuse", scheduler_mode: "soft", max_workers: 2 } });
    await ex.start();
    const bad = await Promise.all([0, 1].map(() => ex!.with({ container: IMAGE_NOGLIBC }).submitShell(WHO).catch((e) => e)));
    for (const e of bad) {
      expect(e).toBeInstanceOf(RemoteError);
      expect(e.code).toBe("E_CONTAINER_START");
      expect(e.remoteMessage).toContain(IMAGE_NOGLIBC);
      expect(e.remoteMessage).toContain("glibc userland");
      expect(e.remoteMessage).toContain("no such file or directory");
    }
    // The same manager still serves a good image, and a later task of the bad one fails the same clear way.
    expect((await who(ex, IMAGE_A)).marker).toBe("a");
    const again = await ex.with({ container: IMAGE_NOGLIBC }).submitShell(WHO).catch((e) => e);
    expect(again.code).toBe("E_CONTAINER_START");
    expect((await ex.connectedManagers()).length).toBe(1);
  }, 180_000);

  test("allowed_images: a task naming an image outside the patterns fails at submit with E_IMAGE_NOT_ALLOWED", async () => {
    dir = tempDir("ctr-allow");
    ex = new HighThroughputExecutor({
      executor: { worker_mode: "podman_reuse", scheduler_mode: "soft", max_workers: 1, heartbeat_period: 1, heartbeat_threshold: 3 },
      provider: { init_blocks: 1, max_blocks: 1 },
      containers: { allowed_images: ["localhost/fx-test-a"] },
      logging: { logdir: path.join(dir, "logs"), level: "info" },
    }, { fxCommand: [DIST] });
    await ex.start();
    const refused = await ex.with({ container: IMAGE_B }).submitShell(WHO).catch((e) => e);
    expect(refused.code).toBe("E_IMAGE_NOT_ALLOWED");
    expect(String(refused.message)).toContain(IMAGE_B);
    expect((await who(ex, IMAGE_A)).marker).toBe("a"); // "localhost/fx-test-a" allows its ":latest" tag
    // A name a runtime would read as an option is refused too.
    const option = await ex.with({ container: "--privileged" }).submitShell(WHO).catch((e) => e);
    expect(option.code).toBe("E_IMAGE_NOT_ALLOWED");
  }, 180_000);

  test("fx run --container IMAGE runs every command of a file inside that image", async () => {
    dir = tempDir("ctr-run");
    const cfg = path.join(dir, "run.toml");
    fs.writeFileSync(cfg, ["[executor]", 'worker_mode = "podman_reuse"', 'scheduler_mode = "soft"', "max_workers = 2",
      "heartbeat_period = 1", "heartbeat_threshold = 5", "[logging]", `logdir = "${path.join(dir, "logs")}"`, ""].join("\n"));
    fs.writeFileSync(path.join(dir, "cmds.txt"), "cat /etc/fx-image\ngrep ^ID= /etc/os-release\n");
    const p = Bun.spawn([DIST, "run", "-c", cfg, "--container", IMAGE_B, "--no-progress", path.join(dir, "cmds.txt")], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    procs.push(p);
    const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    expect(code).toBe(0);
    const lines = out.trim().split("\n").map((l) => JSON.parse(l) as { index: number; returncode: number; stdout: string });
    expect(lines.map((l) => [l.index, l.returncode, l.stdout])).toEqual([[0, 0, "b\n"], [1, 0, "ID=fx-test-b\n"]]);
  }, 180_000);

  test("[containers] extra_args (with commas), env_passthrough and templates reach the containers of provider-started managers", async () => {
    dir = tempDir("ctr-cfg");
    process.env.FX_TEST_PASSED = "through";
    try {
      ex = new HighThroughputExecutor({
        executor: { worker_mode: "podman_reuse", scheduler_mode: "soft", max_workers: 1, heartbeat_period: 1, heartbeat_threshold: 5 },
        provider: { init_blocks: 1, max_blocks: 1 },
        containers: {
          extra_args: ["--env", "FX_PROBE=a,b c", "--label", "fx.test=cfg"],
          env_passthrough: ["FX_TEST_PASSED"],
          templates: { podman: ["podman", "run", "--rm", "--network", "host", "--name", "{name}", "--env", "FX_TEMPLATE=yes",
            "--volume", "{fx}:{fx_in_container}:ro", "{binds}", "{env}", "{extra_args}", "{image}", "{fx_in_container}", "{worker_args}"] },
        },
        logging: { logdir: path.join(dir, "logs"), level: "info" },
      }, { fxCommand: [DIST] });
      await ex.start();
      const r = await ex.with({ container: IMAGE_A }).submitShell(["/bin/sh", "-c", 'echo "$FX_PROBE|$FX_TEST_PASSED|$FX_TEMPLATE"; cat /etc/fx-image']);
      expect(r.stdout).toBe("a,b c|through|yes\na\n");
    } finally {
      delete process.env.FX_TEST_PASSED;
    }
  }, 180_000);

  test("a bad container template is refused when the endpoint starts, every problem named", async () => {
    dir = tempDir("ctr-badtpl");
    ex = new HighThroughputExecutor({
      executor: { worker_mode: "podman_reuse" },
      containers: { templates: { podman: ["podman", "run", "{imgae}", "--x={binds}", "{image}"] } },
      logging: { logdir: path.join(dir, "logs"), level: "info" },
    }, { fxCommand: [DIST] });
    const err = await ex.start().then(() => null, (e) => e as Error);
    ex = null;
    expect(err).not.toBeNull();
    expect(err!.message).toContain("unknown placeholder {imgae}");
    expect(err!.message).toContain("{binds} expands to several words");
    expect(err!.message).toContain("must contain {worker_args}");
  }, 120_000);

  test("hard routing: a type goes only to managers of that type; soft: one manager serves any type", async () => {
    dir = tempDir("ctr-hard");
    const mark = path.basename(dir);
    const ix = await interchangeOnly("hard");
    startManager(ix, `${mark}-a`, ["--worker-mode", "podman_reuse", "--scheduler-mode", "hard", "--max-workers", "1", "--worker-type", IMAGE_A]);
    startManager(ix, `${mark}-b`, ["--worker-mode", "podman_reuse", "--scheduler-mode", "hard", "--max-workers", "1", "--worker-type", IMAGE_B]);
    ex = new HighThroughputExecutor({ executor: { scheduler_mode: "hard" } }, { wantStatus: true });
    await ex.connect(ix.client);
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 2, 60_000, 200)).toBe(true);
    const managerOf = new Map<number, string>();
    ex.onStatus((e: StatusEvent) => {
      if (e.state === "dispatched") managerOf.set(e.taskId, e.managerId);
    });
    const tasks = Array.from({ length: 6 }, (_, i) => {
      const image = i % 2 === 0 ? IMAGE_A : IMAGE_B;
      const p = ex!.with({ container: image }).submitShell(WHO);
      return { image, p, id: p.taskId };
    });
    for (const t of tasks) {
      const r = await t.p;
      expect(r.stdout.split("\n")[0]).toBe(t.image === IMAGE_A ? "a" : "b");
    }
    expect(await waitFor(() => tasks.every((t) => managerOf.has(t.id)), 10_000)).toBe(true);
    for (const t of tasks) expect(managerOf.get(t.id)).toBe(`${mark}-${t.image === IMAGE_A ? "a" : "b"}`);
  }, 180_000);

  test("soft routing: one manager serves both types", async () => {
    dir = tempDir("ctr-soft");
    const mark = path.basename(dir);
    const ix = await interchangeOnly("soft");
    startManager(ix, `${mark}-any`, ["--worker-mode", "podman_reuse", "--scheduler-mode", "soft", "--max-workers", "2"]);
    ex = new HighThroughputExecutor({ executor: { scheduler_mode: "soft" } }, { wantStatus: true });
    await ex.connect(ix.client);
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 1, 60_000, 200)).toBe(true);
    const managers = new Set<string>();
    ex.onStatus((e) => {
      if (e.state === "dispatched") managers.add(e.managerId);
    });
    const [a, b] = await Promise.all([who(ex, IMAGE_A), who(ex, IMAGE_B)]);
    expect([a.marker, b.marker]).toEqual(["a", "b"]);
    expect(await waitFor(() => managers.size > 0, 10_000)).toBe(true);
    expect([...managers]).toEqual([`${mark}-any`]);
    expect(containers(mark).map((c) => c.image).sort()).toEqual([IMAGE_A, IMAGE_B]);
  }, 180_000);

  test("typed workers grow to max_workers for one image, then switch to another image when the node is full", async () => {
    dir = tempDir("ctr-grow");
    const mark = path.basename(dir);
    const ix = await interchangeOnly("soft");
    startManager(ix, `${mark}-m`, ["--worker-mode", "podman_reuse", "--scheduler-mode", "soft", "--max-workers", "2", "--worker-max-idletime", "1"]);
    ex = new HighThroughputExecutor({ executor: { scheduler_mode: "soft" } });
    await ex.connect(ix.client);
    // Grow: four 1.5 s tasks of A want two A containers at once (the cap).
    const slow = Array.from({ length: 4 }, () => ex!.with({ container: IMAGE_A }).submitShell(["/bin/sh", "-c", "sleep 1.5; cat /etc/fx-image"]));
    expect(await waitFor(() => runningImages(mark).filter((i) => i === IMAGE_A).length === 2, 60_000, 100)).toBe(true);
    for (const r of await Promise.all(slow)) expect(r.stdout).toBe("a\n");
    expect(runningImages(mark).filter((i) => i === IMAGE_A).length).toBeLessThanOrEqual(2);
    // Switch: B tasks on a node full of idle A workers: A containers make room, B containers start.
    const rb = await Promise.all([who(ex, IMAGE_B), who(ex, IMAGE_B)]);
    expect(rb.map((r) => r.marker)).toEqual(["b", "b"]);
    expect(await waitFor(() => runningImages(mark).includes(IMAGE_B), 30_000, 100)).toBe(true);
    // Shrink: idle A workers beyond what is needed go away (worker_max_idletime 1 s); the total stays within the cap.
    expect(await waitFor(() => runningImages(mark).filter((i) => i === IMAGE_A).length < 2, 60_000, 200)).toBe(true);
    expect(runningImages(mark).length).toBeLessThanOrEqual(2);
  }, 240_000);
});
