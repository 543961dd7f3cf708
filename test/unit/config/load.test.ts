import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { configFromObject, loadConfig } from "../../../src/config/load.ts";
import { ConfigError, type ConfigProblem } from "../../../src/config/errors.ts";
import { DEFAULTS } from "../../../src/config/schema.ts";
import { renderConfigToml, renderTemplate } from "../../../src/config/render.ts";

const CONFIGS = path.resolve(import.meta.dir, "../../../configs");

/** The problems of a config that must fail, with the error's code. */
function problemsOf(fn: () => unknown): { code: string; problems: readonly ConfigProblem[] } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return { code: err.code, problems: err.problems };
    throw err;
  }
  throw new Error("expected a ConfigError, got a valid config");
}

function problemsOfText(text: string) {
  return problemsOf(() => loadConfig({ text })).problems;
}

function find(problems: readonly ConfigProblem[], p: string): ConfigProblem {
  const hit = problems.find((x) => x.path === p);
  if (!hit) throw new Error(`no problem at ${p}; got ${JSON.stringify(problems)}`);
  return hit;
}

describe("good configs", () => {
  test("with no path or text, the embedded configs/local.toml is used", () => {
    const c = loadConfig();
    expect(c.endpoint.name).toBe("local");
    expect(c.provider.type).toBe("local");
    expect(c.executor.max_workers).toBe(Infinity);
    expect(c.executor.address).toEqual(["127.0.0.1"]);
  });

  test("every configs/*.toml loads", () => {
    const files = fs.readdirSync(CONFIGS).filter((f) => f.endsWith(".toml"));
    expect(files).toContain("local.toml");
    for (const f of files) expect(() => loadConfig({ path: path.join(CONFIGS, f) })).not.toThrow();
  });

  test("an empty file gives DEFAULTS", () => {
    expect(loadConfig({ text: "" })).toEqual(DEFAULTS);
  });

  test("configs/example-full.toml is exactly what `fx config init` writes, and loads back to DEFAULTS", () => {
    expect(fs.readFileSync(path.join(CONFIGS, "example-full.toml"), "utf8")).toBe(renderTemplate());
    expect(loadConfig({ text: renderTemplate() })).toEqual(DEFAULTS);
  });

  test("the template names every key with a one-line meaning and its env var", () => {
    const t = renderTemplate();
    expect(t).toContain("# Seconds between heartbeats between interchange and managers. [env FX_EXECUTOR_HEARTBEAT_PERIOD]\nheartbeat_period = 30");
    expect(t).toContain("max_workers = inf");
    expect(t).toContain("[provider.launcher]");
  });

  test("max_workers = inf and an omitted max_workers both mean unlimited; an integer caps", () => {
    expect(loadConfig({ text: "[executor]\nmax_workers = inf\n" }).executor.max_workers).toBe(Infinity);
    expect(loadConfig({ text: "[executor]\n" }).executor.max_workers).toBe(Infinity);
    expect(loadConfig({ text: "[executor]\nmax_workers = 4\n" }).executor.max_workers).toBe(4);
  });

  test("a slurm config with scheduler keys renders to TOML that loads back equal", () => {
    const text = `[executor]
address = "10.1.2.3"
worker_ports = [50001, 50002]
[provider]
type = "slurm"
partition = "compute"
account = "proj"
exclusive = true
cores_per_node = 32
init_blocks = 2
min_blocks = 1
max_blocks = 4
[provider.launcher]
type = "srun"
overrides = ["--cpu-bind=none"]
[containers]
templates = { podman = ["podman", "run", "--rm", "{image}"] }
`;
    const c = loadConfig({ text });
    expect(c.executor.address).toEqual(["10.1.2.3"]);
    expect(c.provider.partition).toBe("compute");
    expect(c.provider.launcher.overrides).toEqual(["--cpu-bind=none"]);
    expect(loadConfig({ text: renderConfigToml(c) })).toEqual(c);
  });

  test("renderConfigToml round-trips every section, including awkward strings (the executor hands configs to `fx interchange --config-stdin` this way)", () => {
    const c = configFromObject({
      endpoint: { name: "ep-1" },
      executor: { max_workers: 3, container_image: "reg.io/a/b:1", worker_mode: "podman_reuse", worker_debug: true, poll_period: 2.5 },
      provider: { type: "pbs", queue: "q", worker_init: 'module load "x"\nexport A=$B\t# tab', init_blocks: 0, max_blocks: 3 },
      containers: { allowed_images: ["reg.io/a/b:1"], templates: { "my runtime": ["rt", "run", "{image}"] }, env_passthrough: ["HOME"] },
      logging: { level: "debug", logdir: "/var/log/fx logs" },
    });
    expect(loadConfig({ text: renderConfigToml(c) })).toEqual(c);
  });

  test("the result is frozen all the way down", () => {
    const c = loadConfig();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.executor.address)).toBe(true);
    expect(Object.isFrozen(c.provider.launcher)).toBe(true);
  });
});

describe("bad configs: each class of problem names its key and line", () => {
  test("an unknown key gets its line and a did-you-mean", () => {
    const p = find(problemsOfText("[executor]\nmax_workers = 2\nheartbeat_perod = 5\n"), "executor.heartbeat_perod");
    expect(p.line).toBe(3);
    expect(p.message).toContain('did you mean "heartbeat_period"');
  });

  test("a key in the wrong section is pointed to its section", () => {
    const p = find(problemsOfText("[provider]\nheartbeat_period = 5\n"), "provider.heartbeat_period");
    expect(p.message).toContain("belongs in [executor]");
  });

  test("an unknown section is reported with its line", () => {
    const p = find(problemsOfText("[endpoint]\nname = \"x\"\n\n[executr]\nlabel = \"a\"\n"), "executr");
    expect(p.line).toBe(4);
    expect(p.message).toContain('did you mean "executor"');
  });

  test("wrong types", () => {
    const ps = problemsOfText(`[executor]\nheartbeat_period = "30"\nsuppress_failure = 1\naddress = [1, 2]\n[provider]\nmax_blocks = 1.5\n`);
    expect(find(ps, "executor.heartbeat_period").message).toContain("expected a number");
    expect(find(ps, "executor.suppress_failure").message).toContain("expected true or false");
    expect(find(ps, "executor.address").message).toContain("non-empty string");
    expect(find(ps, "provider.max_blocks").message).toContain("expected an integer");
    expect(find(ps, "provider.max_blocks").line).toBe(6);
  });

  test("a section given as a value", () => {
    expect(find(problemsOfText("executor = 3\n"), "executor").message).toContain("expected a table");
  });

  test("out-of-range port ranges", () => {
    const ps = problemsOfText(`[executor]\nworker_port_range = [55000, 54000]\ninterchange_port_range = [0, 70000]\nworker_ports = [5000, 5000]\n`);
    expect(find(ps, "executor.worker_port_range").message).toContain("lo must be below hi");
    expect(find(ps, "executor.interchange_port_range").message).toContain("within 1..65535");
    expect(find(ps, "executor.worker_ports").message).toContain("must differ");
  });

  test("negative periods, zero cores_per_worker, max_workers 0", () => {
    const ps = problemsOfText(`[executor]\nheartbeat_period = -1\ncores_per_worker = 0\nmax_workers = 0\nworker_max_idletime = -5\n`);
    expect(find(ps, "executor.heartbeat_period").message).toContain("greater than 0");
    expect(find(ps, "executor.cores_per_worker").message).toContain("greater than 0");
    expect(find(ps, "executor.max_workers").message).toContain("at least 1");
    expect(find(ps, "executor.worker_max_idletime").message).toContain("at least 0");
  });

  test("min_blocks > max_blocks", () => {
    const p = find(problemsOfText("[provider]\nmin_blocks = 3\nmax_blocks = 2\ninit_blocks = 2\n"), "provider.min_blocks");
    expect(p.message).toContain("must not exceed max_blocks");
    expect(p.line).toBe(2);
  });

  test("init_blocks outside [min_blocks, max_blocks]", () => {
    const p = find(problemsOfText("[provider]\nmin_blocks = 1\nmax_blocks = 2\ninit_blocks = 5\n"), "provider.init_blocks");
    expect(p.message).toContain("[1, 2]");
  });

  test("heartbeat_threshold not above heartbeat_period", () => {
    expect(find(problemsOfText("[executor]\nheartbeat_threshold = 10\n"), "executor.heartbeat_threshold").message)
      .toContain("greater than heartbeat_period (30)");
  });

  test("unknown provider, launcher, worker_mode and scheduler_mode", () => {
    const ps = problemsOfText(`[executor]\nworker_mode = "docker"\nscheduler_mode = "firm"\n[provider]\ntype = "slurmm"\n[provider.launcher]\ntype = "ssh"\n`);
    expect(find(ps, "provider.type").message).toContain('did you mean "slurm"');
    expect(find(ps, "provider.launcher.type").message).toContain("expected one of single_node");
    expect(find(ps, "provider.launcher.type").line).toBe(7);
    expect(find(ps, "executor.worker_mode").message).toContain("no_container");
    expect(find(ps, "executor.scheduler_mode").message).toContain("hard, soft");
  });

  test("a scheduler key for a provider that does not use it", () => {
    expect(find(problemsOfText(`[provider]\npartition = "debug"\n`), "provider.partition").message).toContain('not used by provider type "local"');
  });

  test("bad walltime and container templates", () => {
    const ps = problemsOfText(`[provider]\nwalltime = "30 minutes"\n[containers]\ntemplates = { podman = ["podman", "run"] }\n`);
    expect(find(ps, "provider.walltime").message).toContain("HH:MM:SS");
    expect(find(ps, "containers.templates").message).toContain("{image}");
  });

  test("every problem is reported at once", () => {
    const { code, problems } = problemsOf(() => loadConfig({
      text: `[executor]\nheartbeat_perod = 5\ncores_per_worker = 0\n[provider]\ntype = "nope"\nmin_blocks = 3\n[bogus]\n`,
    }));
    expect(code).toBe("E_CONFIG_INVALID");
    expect(problems.map((p) => p.path).sort()).toEqual(
      ["bogus", "executor.cores_per_worker", "executor.heartbeat_perod", "provider.min_blocks", "provider.type"],
    );
  });

  test("the error message lists every problem with its line", () => {
    try {
      loadConfig({ text: "[executor]\nprefetch = -1\nretries = -2\n", origin: "x.toml" });
      throw new Error("should have failed");
    } catch (err) {
      expect((err as Error).message).toContain("config x.toml: 2 problems");
      expect((err as Error).message).toContain("line 2: executor.prefetch: must be at least 0");
      expect((err as Error).message).toContain("line 3: executor.retries");
    }
  });

  test("invalid TOML reports the parser's line and column", () => {
    const { code, problems } = problemsOf(() => loadConfig({ text: "[executor]\nmax_workers = 2\nlabel = \n" }));
    expect(code).toBe("E_CONFIG_PARSE");
    expect(problems[0]!.line).toBe(3);
    expect(problems[0]!.column).toBeGreaterThan(1);
    expect(problems[0]!.message).toContain("not valid TOML");
  });

  test("a missing file is E_CONFIG_READ naming the file", () => {
    const { code, problems } = problemsOf(() => loadConfig({ path: "/nonexistent/fx.toml" }));
    expect(code).toBe("E_CONFIG_READ");
    expect(problems[0]!.message).toContain("no such file");
  });
});

describe("precedence: flags > FX_* env > file > defaults", () => {
  const file = "[executor]\nheartbeat_period = 10\n[provider]\nmax_blocks = 2\n";

  test("the file beats defaults", () => {
    expect(loadConfig({ text: file }).executor.heartbeat_period).toBe(10);
  });

  test("env beats the file", () => {
    const c = loadConfig({ text: file, env: { FX_EXECUTOR_HEARTBEAT_PERIOD: "5", FX_PROVIDER_MAX_BLOCKS: "3", FX_LOGGING_LEVEL: "debug" } });
    expect(c.executor.heartbeat_period).toBe(5);
    expect(c.provider.max_blocks).toBe(3);
    expect(c.logging.level).toBe("debug");
  });

  test("flags beat env", () => {
    const c = loadConfig({
      text: file,
      env: { FX_EXECUTOR_HEARTBEAT_PERIOD: "5" },
      overrides: [{ path: "executor.heartbeat_period", value: "7", text: true, source: "flag --heartbeat-period" }],
    });
    expect(c.executor.heartbeat_period).toBe(7);
  });

  test("overrides may also be a partial object in TOML's shape, checked like the file", () => {
    const c = loadConfig({ text: file, overrides: { executor: { heartbeat_period: 4 }, provider: { launcher: { type: "srun" } } } });
    expect(c.executor.heartbeat_period).toBe(4);
    expect(c.provider.launcher.type).toBe("srun");
    const { problems } = problemsOf(() => loadConfig({ overrides: { executor: { heartbeat_period: "4", nope: 1 } } }));
    expect(find(problems, "executor.heartbeat_period").message).toContain("expected a number");
    expect(find(problems, "executor.nope").message).toBe("unknown setting");
  });

  test("env strings are read per kind: inf, lists, port pairs, booleans, unset", () => {
    const c = loadConfig({
      env: {
        FX_EXECUTOR_MAX_WORKERS: "inf", FX_EXECUTOR_ADDRESS: "10.0.0.1, ib0", FX_EXECUTOR_WORKER_PORTS: "50001,50002",
        FX_EXECUTOR_SUPPRESS_FAILURE: "yes", FX_EXECUTOR_CONTAINER_IMAGE: "", FX_PROVIDER_LAUNCHER_TYPE: "srun",
      },
    });
    expect(c.executor.max_workers).toBe(Infinity);
    expect(c.executor.address).toEqual(["10.0.0.1", "ib0"]);
    expect(c.executor.worker_ports).toEqual([50001, 50002]);
    expect(c.executor.suppress_failure).toBe(true);
    expect(c.executor.container_image).toBeNull();
    expect(c.provider.launcher.type).toBe("srun");
  });

  test("a bad env value and an unknown FX_ setting are problems naming the variable; other FX_ vars are ignored", () => {
    const { problems } = problemsOf(() => loadConfig({
      env: { FX_EXECUTOR_HEARTBEAT_PERIOD: "soon", FX_EXECUTOR_MAX_WORKRS: "2", FX_TEST_NO_SETUP: "1", HOME: "/x" },
    }));
    expect(problems).toHaveLength(2);
    expect(find(problems, "executor.heartbeat_period").source).toBe("env FX_EXECUTOR_HEARTBEAT_PERIOD");
    const unknown = problems.find((p) => p.source === "env FX_EXECUTOR_MAX_WORKRS")!;
    expect(unknown.message).toContain("did you mean FX_EXECUTOR_MAX_WORKERS");
  });

  test("a cross-key problem caused by env points at the env var", () => {
    const { problems } = problemsOf(() => loadConfig({ text: file, env: { FX_PROVIDER_MIN_BLOCKS: "3" } }));
    expect(find(problems, "provider.min_blocks").source).toBe("env FX_PROVIDER_MIN_BLOCKS");
  });
});

describe("configFromObject (the executor library's door)", () => {
  test("a partial object fills in defaults", () => {
    const c = configFromObject({ executor: { max_workers: 2 } });
    expect(c.executor.max_workers).toBe(2);
    expect(c.executor.heartbeat_period).toBe(DEFAULTS.executor.heartbeat_period);
    expect(c.provider).toEqual(DEFAULTS.provider);
  });

  test("validates exactly like a file", () => {
    const { problems } = problemsOf(() => configFromObject({ executor: { max_workers: 0, heartbeet_period: 1 }, provider: { launcher: { type: "x" } } }));
    expect(problems.map((p) => p.path).sort()).toEqual(["executor.heartbeet_period", "executor.max_workers", "provider.launcher.type"]);
    expect(problems.every((p) => p.line === undefined)).toBe(true);
  });

  test("Infinity is accepted for max_workers; a non-object is refused", () => {
    expect(configFromObject({ executor: { max_workers: Infinity } }).executor.max_workers).toBe(Infinity);
    expect(problemsOf(() => configFromObject(42)).problems[0]!.message).toContain("expected an object");
  });
});
