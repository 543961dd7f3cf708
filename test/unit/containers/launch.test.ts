/**
 * spawnContainerWorker's I/O shell without a container runtime: the runtime template is replaced by /bin/sh
 * scripts that behave like a runtime (print runc's error and exit, ignore SIGTERM, …), so the start-failure
 * classification, stderr forwarding and stop escalation are proven wherever the tests run.
 */
import { afterEach, expect, test } from "bun:test";
import { spawnContainerWorker, type ContainerWorkerProcess } from "../../../src/containers/launch.ts";

const FAKE_FX = "/usr/local/bin/fx-not-used";
const live: ContainerWorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((c) => c.stop(200)));
});

function fake(script: string, onStderrLine?: (l: string) => void): ContainerWorkerProcess {
  const cw = spawnContainerWorker({
    mode: "podman_reuse", image: "localhost/fake:1", workerArgv: ["worker"], fxBinaryPath: FAKE_FX, onStderrLine,
    templates: { podman: ["/bin/sh", "-c", script, "{image}", "{worker_args}"] },
  });
  live.push(cw);
  return cw;
}

test("an exit before registration is E_CONTAINER_START with the runtime's stderr tail", async () => {
  const exit = await fake("echo 'exec /opt/fx/fx: no such file or directory' >&2; exit 1").exited;
  expect(exit.exitCode).toBe(1);
  expect(exit.startError?.code).toBe("E_CONTAINER_START");
  expect(exit.startError?.details.image).toBe("localhost/fake:1");
  expect(exit.stderrTail).toBe("exec /opt/fx/fx: no such file or directory");
});

test("an exit after markRegistered is an ordinary exit", async () => {
  const cw = fake("read x < /dev/null; sleep 0.2; exit 3");
  cw.markRegistered();
  const exit = await cw.exited;
  expect(exit.exitCode).toBe(3);
  expect(exit.startError).toBeNull();
});

test("stderr lines reach onStderrLine; the argv puts image and worker args where the template says", async () => {
  const lines: string[] = [];
  const cw = spawnContainerWorker({
    mode: "podman_single_use", image: "img:2", workerArgv: ["worker", "--worker-id", "w1"], fxBinaryPath: FAKE_FX,
    templates: { podman: ["/bin/sh", "-c", 'for a in "$@"; do echo "arg:$a" >&2; done', "{image}", "{worker_args}"] },
    onStderrLine: (l) => lines.push(l),
  });
  live.push(cw);
  expect(cw.argv).toEqual(["/bin/sh", "-c", 'for a in "$@"; do echo "arg:$a" >&2; done', "img:2", "worker", "--worker-id", "w1", "--single-use"]);
  await cw.exited;
  // sh -c SCRIPT $0 $1…: "img:2" is $0, the rest are "$@"
  expect(lines).toEqual(["arg:worker", "arg:--worker-id", "arg:w1", "arg:--single-use"]);
});

test("stop() escalates to SIGKILL when the client ignores SIGTERM, and a stopped worker is not a start failure", async () => {
  const lines: string[] = [];
  const cw = fake("trap '' TERM; echo up >&2; while :; do sleep 0.1; done", (l) => lines.push(l));
  for (let i = 0; i < 400 && !lines.includes("up"); i++) await Bun.sleep(25);
  expect(lines).toContain("up"); // the trap is set
  const stopped = cw.stop(300);
  const exit = await stopped;
  expect(exit.signal).toBe("SIGKILL");
  expect(exit.startError).toBeNull();
  expect(await cw.stop()).toBe(exit); // idempotent: the same outcome
});

test("a runtime that is not installed is E_CONTAINER_RUNTIME at spawn", () => {
  let err: unknown = null;
  try {
    spawnContainerWorker({
      mode: "docker_reuse", image: "img", workerArgv: ["worker"], fxBinaryPath: FAKE_FX, name: "fx-x",
      templates: { docker: ["/nonexistent/docker-fx-test", "run", "{image}", "{worker_args}"] },
    });
  } catch (e) {
    err = e;
  }
  expect((err as { code?: string } | null)?.code).toBe("E_CONTAINER_RUNTIME");
  expect(String((err as Error).message)).toContain('"docker"');
});
