import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fx } from "./harness.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fx-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const URLS = ["--task-url", "tcp://127.0.0.1:54001", "--result-url", "tcp://127.0.0.1:54002"];

describe("fx (top level)", () => {
  test("--version prints the fx and protocol versions", async () => {
    const r = await fx(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^fx \d+\.\d+\.\d+ \(protocol \d+\)\n$/);
  });

  test("--help lists every role and config", async () => {
    const r = await fx(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["executor", "interchange", "manager", "worker", "run", "config"]) expect(r.out).toContain(`  ${c} `);
  });

  test("an unknown command or flag is a usage error (exit 2), no role runs", async () => {
    const a = await fx(["frobnicate"]);
    expect(a.code).toBe(2);
    const b = await fx(["manager", ...URLS, "--max-wrkers", "2"]);
    expect(b.code).toBe(2);
    expect(b.err).toContain("--max-wrkers");
    expect(b.role).toBeNull();
  });

  test("the role's return value is the exit code", async () => {
    const r = await fx(["worker", "--manager-url", "tcp://127.0.0.1:5", "--worker-id", "w1"], {}, "", 3);
    expect(r.role).toBe("worker");
    expect(r.code).toBe(3);
  });
});

describe("fx manager", () => {
  test("every funcX flag lands in ManagerOptions", async () => {
    const r = await fx([
      "manager", ...URLS, "--address", "10.0.0.1,ib0", "--uid", "m-1", "--block-id", "7",
      "--max-workers", "8", "--cores-per-worker", "0.5", "--cores", "4", "--heartbeat-period", "5",
      "--heartbeat-threshold", "20", "--poll", "50", "--worker-mode", "podman_reuse", "--scheduler-mode", "soft",
      "--worker-max-idletime", "30", "--prefetch", "2", "--worker-type", "RAW", "--worker-types", "img/a,img/b",
      "--container-image", "img/a", "--logdir", path.join(tmp, "logs"), "--debug", "--tasks-per-node", "2",
    ]);
    expect(r.code).toBe(0);
    expect(r.role).toBe("manager");
    expect(r.opts).toMatchObject({
      taskUrl: "tcp://127.0.0.1:54001", resultUrl: "tcp://127.0.0.1:54002", addresses: ["10.0.0.1", "ib0"],
      uid: "m-1", blockId: "7", maxWorkers: 8, coresPerWorker: 0.5, cores: 4, heartbeatPeriod: 5,
      heartbeatThreshold: 20, pollPeriodMs: 50, workerMode: "podman_reuse", schedulerMode: "soft",
      workerMaxIdletime: 30, prefetch: 2, workerTypes: ["RAW", "img/a", "img/b"], containerImage: "img/a",
      logdir: path.join(tmp, "logs"), logLevel: "debug", debug: true, workerDebug: true, managersPerNode: 2,
    });
  });

  test("defaults come from the embedded config: unlimited workers, RAW, hard", async () => {
    const r = await fx(["manager", ...URLS]);
    expect(r.opts).toMatchObject({
      maxWorkers: Infinity, workerTypes: ["RAW"], schedulerMode: "hard", uid: null, blockId: null, cores: null,
      addresses: [], logLevel: "info", debug: false, heartbeatPeriod: 30, heartbeatThreshold: 120, managersPerNode: 1,
    });
  });

  test("--max-workers inf means unlimited", async () => {
    expect((await fx(["manager", ...URLS, "--max-workers", "inf"])).opts.maxWorkers).toBe(Infinity);
  });

  test("flag > env > file", async () => {
    const file = path.join(tmp, "m.toml");
    fs.writeFileSync(file, "[executor]\nheartbeat_period = 10\nprefetch = 1\nmax_workers = 3\n");
    const env = { FX_EXECUTOR_HEARTBEAT_PERIOD: "6", FX_EXECUTOR_PREFETCH: "4" };
    const r = await fx(["manager", ...URLS, "-c", file, "--heartbeat-period", "2"], env);
    expect(r.opts).toMatchObject({ heartbeatPeriod: 2, prefetch: 4, maxWorkers: 3 });
  });

  test("missing and malformed URLs, bad values: all reported at once, exit 2", async () => {
    const r = await fx(["manager", "--task-url", "http://x", "--max-workers", "0", "--scheduler-mode", "firm", "--cores", "-1"]);
    expect(r.code).toBe(2);
    expect(r.role).toBeNull();
    expect(r.err).toContain("--task-url");
    expect(r.err).toContain("expected tcp://host:port");
    expect(r.err).toContain("--result-url");
    expect(r.err).toContain("is required");
    expect(r.err).toContain("executor.max_workers: must be at least 1");
    expect(r.err).toContain("executor.scheduler_mode");
    expect(r.err).toContain("--cores");
  });
});

describe("fx worker", () => {
  test("flags land in WorkerOptions", async () => {
    const r = await fx(["worker", "--manager-url", "ipc:///tmp/fx-m.sock", "--worker-id", "7", "--worker-type", "img/a", "--logdir", "", "--debug"]);
    expect(r.code).toBe(0);
    expect(r.opts).toMatchObject({ managerUrl: "ipc:///tmp/fx-m.sock", workerId: "7", workerType: "img/a", logdir: null, debug: true, logLevel: "debug" });
  });
  test("worker type defaults to RAW; a missing id and URL are errors", async () => {
    expect((await fx(["worker", "--manager-url", "tcp://127.0.0.1:9", "--worker-id", "a"])).opts.workerType).toBe("RAW");
    const r = await fx(["worker"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--manager-url");
    expect(r.err).toContain("--worker-id");
  });
});

describe("fx interchange", () => {
  test("config on stdin with --config-stdin, plus port flags", async () => {
    const r = await fx(
      ["interchange", "--config-stdin", "--client-ports", "55001,55002,55003", "--worker-ports", "54001,54002", "--heartbeat-threshold", "60"],
      {}, "[executor]\nheartbeat_period = 3\n[endpoint]\nname = \"from-stdin\"\n",
    );
    expect(r.code).toBe(0);
    expect(r.opts.configSource).toBe("<stdin>");
    expect(r.opts.config.endpoint.name).toBe("from-stdin");
    expect(r.opts.config.executor.heartbeat_period).toBe(3);
    expect(r.opts.config.executor.heartbeat_threshold).toBe(60);
    expect(r.opts).toMatchObject({ clientPorts: [55001, 55002, 55003], workerPorts: [54001, 54002], clientAddress: "127.0.0.1", workerBindAddress: "127.0.0.1" });
  });

  test("-c FILE; managers on other hosts make the worker channels bind to all interfaces", async () => {
    const file = path.join(tmp, "i.toml");
    fs.writeFileSync(file, '[executor]\naddress = ["10.0.0.5"]\n');
    const r = await fx(["interchange", "-c", file, "--client-address", "127.0.0.2"]);
    expect(r.opts).toMatchObject({ configSource: file, clientAddress: "127.0.0.2", clientPorts: null, workerPorts: null, workerBindAddress: "0.0.0.0" });
  });

  test("bad stdin config, bad ports and -c with --config-stdin are reported together", async () => {
    const r = await fx(["interchange", "--config-stdin", "-c", "x.toml", "--client-ports", "1,1,2"], {}, "");
    expect(r.code).toBe(2);
    expect(r.err).toContain("cannot be combined");
    expect(r.err).toContain("must differ");
    const bad = await fx(["interchange", "--config-stdin"], {}, "[executor]\npoll_period = -1\n");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("config <stdin>");
    expect(bad.err).toContain("line 2: executor.poll_period");
  });
});

describe("fx executor", () => {
  test("config and info file land in ExecutorOptions; FX_LOGGING_LEVEL applies", async () => {
    const r = await fx(["executor", "--info-file", "ep.json", "--set", "provider.max_blocks=3"], { FX_LOGGING_LEVEL: "warn" });
    expect(r.code).toBe(0);
    expect(r.opts).toMatchObject({ infoFile: "ep.json", configSource: "<embedded default>", logLevel: "warn" });
    expect(r.opts.config.provider.max_blocks).toBe(3);
  });
  test("a --set naming no key is an error with did-you-mean-free message", async () => {
    const r = await fx(["executor", "--set", "executor.max_wrkers=2"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("executor.max_wrkers: unknown setting");
  });
});

describe("fx run", () => {
  test("FILE and every flag land in RunOptions", async () => {
    const r = await fx(["run", "tasks.txt", "--endpoint", "tcp://127.0.0.1:55001,55002,55003", "--out", "r.jsonl", "--container", "img/a", "--no-progress", "--timeout", "30"]);
    expect(r.code).toBe(0);
    expect(r.opts).toMatchObject({
      file: "tasks.txt", out: "r.jsonl", container: "img/a", progress: false, timeout: 30, fn: null,
      endpoint: { tasks: "tcp://127.0.0.1:55001", results: "tcp://127.0.0.1:55002", commands: "tcp://127.0.0.1:55003" },
    });
  });

  test("--fn MODULE:EXPORT with an args file; defaults: local endpoint, stdout, progress only on a terminal", async () => {
    const r = await fx(["run", "--fn", "lib/tasks.ts:square", "args.jsonl"]);
    expect(r.opts).toMatchObject({ file: "args.jsonl", fn: { module: "lib/tasks.ts", exportName: "square" }, endpoint: null, out: null, progress: false, timeout: null, container: null });
    expect((await fx(["run", "--progress", "f"])).opts.progress).toBe(true);
  });

  test("--endpoint reads the executor's info file", async () => {
    const info = path.join(tmp, "ep.json");
    fs.writeFileSync(info, JSON.stringify({ tasks: "tcp://127.0.0.1:1", results: "tcp://127.0.0.1:2", commands: "tcp://127.0.0.1:3" }));
    expect((await fx(["run", "-", "--endpoint", info])).opts.endpoint.commands).toBe("tcp://127.0.0.1:3");
  });

  test("a missing FILE, a bad --fn, --endpoint and --timeout are errors", async () => {
    expect((await fx(["run"])).code).toBe(2);
    const r = await fx(["run", "f", "--fn", "m.ts:not-ok", "--endpoint", path.join(tmp, "nope.json"), "--timeout", "0"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--fn");
    expect(r.err).toContain("cannot read endpoint file");
    expect(r.err).toContain("--timeout");
  });
});
