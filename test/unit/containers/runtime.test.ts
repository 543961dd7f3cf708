/** The exact argv each runtime × mode starts a worker with, template overrides, and the refusals. */
import { describe, expect, test } from "bun:test";
import {
  containerName, containerStopArgv, containerWorkerArgv, parseWorkerMode, validateTemplates,
  FX_IN_CONTAINER, type ContainerWorkerArgvOptions,
} from "../../../src/containers/runtime.ts";
import { ContainerError } from "../../../src/containers/errors.ts";
import { ConfigError } from "../../../src/config/errors.ts";
import { WORKER_MODES, type WorkerMode } from "../../../src/config/schema.ts";

const WORKER = ["worker", "--manager-url", "tcp://127.0.0.1:5000", "--worker-id", "w1", "--worker-type", "img"];
const base = (mode: WorkerMode, extra: Partial<ContainerWorkerArgvOptions> = {}): ContainerWorkerArgvOptions => ({
  mode, image: "localhost/fx-test-a", workerArgv: WORKER, fxBinaryPath: "/usr/local/bin/fx", name: "fx-m1-w1", ...extra,
});

describe("parseWorkerMode", () => {
  test("every schema mode parses; runtime and single-use follow the name", () => {
    for (const m of WORKER_MODES) {
      const p = parseWorkerMode(m);
      expect(p.singleUse).toBe(m.endsWith("_single_use"));
      expect(p.runtime).toBe(m === "no_container" ? null : (m.split("_")[0] as never));
    }
  });
  test("an unknown mode is E_WORKER_MODE naming the valid ones", () => {
    try {
      parseWorkerMode("lxc_reuse");
      throw new Error("unreachable");
    } catch (e) {
      expect(e).toBeInstanceOf(ContainerError);
      expect((e as ContainerError).code).toBe("E_WORKER_MODE");
      expect((e as Error).message).toContain("podman_single_use");
    }
  });
});

describe("containerWorkerArgv: default templates", () => {
  test("no_container runs the binary directly", () => {
    expect(containerWorkerArgv(base("no_container"))).toEqual(["/usr/local/bin/fx", ...WORKER]);
  });
  test("podman_reuse", () => {
    expect(containerWorkerArgv(base("podman_reuse"))).toEqual([
      "podman", "run", "--rm", "--network", "host", "--name", "fx-m1-w1",
      "--volume", `/usr/local/bin/fx:${FX_IN_CONTAINER}:ro`, "localhost/fx-test-a", FX_IN_CONTAINER, ...WORKER,
    ]);
  });
  test("podman_single_use adds --single-use to the worker", () => {
    expect(containerWorkerArgv(base("podman_single_use"))).toEqual([
      "podman", "run", "--rm", "--network", "host", "--name", "fx-m1-w1",
      "--volume", `/usr/local/bin/fx:${FX_IN_CONTAINER}:ro`, "localhost/fx-test-a", FX_IN_CONTAINER, ...WORKER, "--single-use",
    ]);
  });
  test("docker_reuse and docker_single_use", () => {
    const reuse = containerWorkerArgv(base("docker_reuse"));
    expect(reuse).toEqual([
      "docker", "run", "--rm", "--network", "host", "--name", "fx-m1-w1",
      "--volume", `/usr/local/bin/fx:${FX_IN_CONTAINER}:ro`, "localhost/fx-test-a", FX_IN_CONTAINER, ...WORKER,
    ]);
    expect(containerWorkerArgv(base("docker_single_use"))).toEqual([...reuse, "--single-use"]);
  });
  for (const rt of ["singularity", "apptainer"] as const) {
    test(`${rt}_reuse and ${rt}_single_use (host network and /tmp shared by default)`, () => {
      const reuse = containerWorkerArgv(base(`${rt}_reuse`, { image: "/images/a.sif", name: undefined }));
      expect(reuse).toEqual([
        rt, "exec", "--bind", `/usr/local/bin/fx:${FX_IN_CONTAINER}:ro`, "/images/a.sif", FX_IN_CONTAINER, ...WORKER,
      ]);
      expect(containerWorkerArgv(base(`${rt}_single_use`, { image: "/images/a.sif" }))).toEqual([...reuse, "--single-use"]);
    });
  }
  test("bind mounts, pass-through env, explicit env and extra args land before the image, in that order", () => {
    const argv = containerWorkerArgv(base("podman_reuse", {
      bindMounts: [{ source: "/run/fx/m1", target: "/run/fx/m1" }, { source: "/data", target: "/data", readOnly: true }],
      envPassthrough: ["HOME_X", "UNSET_Y"], env: { HOME_X: "a b", OTHER: "no" },
      setEnv: { FX_WORKER: "1" }, extraArgs: ["--memory", "1g"],
    }));
    const i = argv.indexOf("localhost/fx-test-a");
    expect(argv.slice(9, i)).toEqual([
      "--volume", "/run/fx/m1:/run/fx/m1", "--volume", "/data:/data:ro",
      "--env", "HOME_X=a b", "--env", "FX_WORKER=1", "--memory", "1g",
    ]);
    const ap = containerWorkerArgv(base("apptainer_reuse", { bindMounts: [{ source: "/d", target: "/e", readOnly: true }] }));
    expect(ap.slice(4, 6)).toEqual(["--bind", "/d:/e:ro"]);
  });
});

describe("containerWorkerArgv: templates from config", () => {
  test("a runtime template replaces the default; placeholders expand inside words", () => {
    const argv = containerWorkerArgv(base("podman_reuse", {
      templates: { podman: ["podman", "run", "--rm", "--name={name}", "-v", "{fx}:/x/fx:ro", "{env}", "{image}", "/x/fx", "{worker_args}"] },
      setEnv: { A: "1" },
    }));
    expect(argv).toEqual(["podman", "run", "--rm", "--name=fx-m1-w1", "-v", "/usr/local/bin/fx:/x/fx:ro", "--env", "A=1", "localhost/fx-test-a", "/x/fx", ...WORKER]);
  });
  test("a mode template wins over the runtime one", () => {
    const templates = { podman: ["podman", "run", "{image}", "{worker_args}"], podman_single_use: ["podman", "run", "--rm", "{image}", "{worker_args}"] };
    expect(containerWorkerArgv(base("podman_single_use", { templates }))).toEqual(["podman", "run", "--rm", "localhost/fx-test-a", ...WORKER, "--single-use"]);
    expect(containerWorkerArgv(base("podman_reuse", { templates }))).toEqual(["podman", "run", "localhost/fx-test-a", ...WORKER]);
  });
  test("unknown placeholders, embedded multi-word placeholders, missing {image}/{worker_args} and bad keys are one ConfigError", () => {
    try {
      validateTemplates({
        podman: ["podman", "run", "{imgae}", "--x={binds}", "{worker_args}"],
        lxc: ["lxc", "{image}", "{worker_args}"],
        docker: [],
      });
      throw new Error("unreachable");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const err = e as ConfigError;
      expect(err.code).toBe("E_CONFIG_INVALID");
      const text = err.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
      expect(text).toContain("containers.templates.podman[2]: unknown placeholder {imgae}");
      expect(text).toContain("{binds} expands to several words");
      expect(text).toContain("containers.templates.podman: the template must contain {image}");
      expect(text).toContain('unknown template key "lxc"');
      expect(text).toContain("containers.templates.docker: a template must be a non-empty array");
    }
  });
  test("a bad template is refused when building argv too", () => {
    expect(() => containerWorkerArgv(base("podman_reuse", { templates: { podman: ["podman", "{nope}", "{image}", "{worker_args}"] } })))
      .toThrow(/unknown placeholder \{nope\}/);
  });
  test("valid templates pass validation", () => {
    expect(() => validateTemplates({ apptainer: ["apptainer", "run", "--nv", "{image}", "{fx_in_container}", "{worker_args}"] })).not.toThrow();
  });
});

describe("containerWorkerArgv: refusals", () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as ContainerError).code;
    }
    return "none";
  };
  test("an image that would read as an option is refused", () => {
    expect(code(() => containerWorkerArgv(base("podman_reuse", { image: "--privileged" })))).toBe("E_CONTAINER_ARGS");
    expect(code(() => containerWorkerArgv(base("podman_reuse", { image: "" })))).toBe("E_CONTAINER_ARGS");
    expect(code(() => containerWorkerArgv(base("podman_reuse", { image: "a b" })))).toBe("E_CONTAINER_ARGS");
  });
  test("relative or ':'-containing paths are refused", () => {
    expect(code(() => containerWorkerArgv(base("podman_reuse", { fxBinaryPath: "dist/fx" })))).toBe("E_CONTAINER_ARGS");
    expect(code(() => containerWorkerArgv(base("podman_reuse", { bindMounts: [{ source: "/a:b", target: "/c" }] })))).toBe("E_CONTAINER_ARGS");
  });
  test("podman/docker need a valid container name; env names are checked", () => {
    expect(code(() => containerWorkerArgv(base("podman_reuse", { name: undefined })))).toBe("E_CONTAINER_ARGS");
    expect(code(() => containerWorkerArgv(base("docker_reuse", { name: "-x" })))).toBe("E_CONTAINER_ARGS");
    expect(code(() => containerWorkerArgv(base("podman_reuse", { envPassthrough: ["A=B"] })))).toBe("E_CONTAINER_ARGS");
  });
});

describe("containerName / containerStopArgv", () => {
  test("names are sanitised to the runtime's alphabet", () => {
    expect(containerName("fx", "host.a:1", "w/2")).toBe("fx-host.a_1-w_2");
    expect(containerName("--x")).toBe("x");
  });
  test("stop argv per runtime", () => {
    expect(containerStopArgv("podman", "fx-a")).toEqual(["podman", "rm", "--force", "--time", "2", "fx-a"]);
    expect(containerStopArgv("docker", "fx-a")).toEqual(["docker", "rm", "--force", "fx-a"]);
    expect(containerStopArgv("apptainer", "fx-a")).toBeNull();
  });
});
