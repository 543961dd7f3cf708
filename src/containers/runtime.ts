/**
 * How a worker is started inside a container: pure argv builders, one template per runtime.
 *
 * Exported API (used by the manager's WorkerMap):
 *   parseWorkerMode(mode)                → { runtime: ContainerRuntime | null, singleUse: boolean }
 *   containerWorkerArgv(opts)            → string[]  the full argv (runtime first) that runs one worker
 *   containerStopArgv(runtime, name)     → string[] | null  force-removes a podman/docker container by name
 *   containerName(parts…)                → string    a runtime-safe container name
 *   validateTemplates(templates)         → void, throws ConfigError (E_CONFIG_INVALID) listing every problem
 *   templateProblems(key, words)         → ConfigProblem[] of one template ([] when valid), for the config loader
 *   FX_IN_CONTAINER                      = "/opt/fx/fx"  where the host's fx binary is bind-mounted (read-only)
 *   SINGLE_USE_WORKER_ARGS               = ["--single-use"]  appended to the worker's argv in *_single_use modes
 *
 * The worker inside the container is the same compiled `fx` binary, bind-mounted read-only, so images need
 * nothing but a glibc userland (see docs/containers.md). The manager↔worker channel stays reachable:
 * podman/docker run with `--network host` (127.0.0.1 is the host's), singularity/apptainer share the host
 * network and /tmp by default; an ipc socket directory can be passed in `bindMounts`.
 *
 * Reuse vs single use: the argv differs only in the worker's arguments. A *_reuse worker serves tasks until
 * its manager stops it; a *_single_use worker (SINGLE_USE_WORKER_ARGS) runs exactly one task and exits, and
 * the runtime removes the container (`--rm`; apptainer/singularity keep no container state).
 *
 * Templates (config `[containers] templates`) are argv word lists keyed by runtime ("podman") or by mode
 * ("podman_single_use", which wins). Placeholders:
 *   single-valued, usable inside a word: {image} {fx} {fx_in_container} {name} {runtime}
 *   multi-valued, must be a whole word:  {worker_args} {binds} {env} {extra_args}
 * A template must contain {image} and {worker_args}; anything else in braces is a ConfigError.
 */
import type { WorkerMode } from "../config/schema.ts";
import { WORKER_MODES } from "../config/schema.ts";
import { ConfigError, CONFIG_ERROR_CODES, type ConfigProblem } from "../config/errors.ts";
import { ContainerError, CONTAINER_ERROR_CODES } from "./errors.ts";

export const CONTAINER_RUNTIMES = ["podman", "docker", "singularity", "apptainer"] as const;
export type ContainerRuntime = (typeof CONTAINER_RUNTIMES)[number];

export const FX_IN_CONTAINER = "/opt/fx/fx";
export const SINGLE_USE_WORKER_ARGS: readonly string[] = ["--single-use"];

export interface ParsedWorkerMode {
  /** null for no_container. */
  readonly runtime: ContainerRuntime | null;
  readonly singleUse: boolean;
}

export function parseWorkerMode(mode: string): ParsedWorkerMode {
  if (!(WORKER_MODES as readonly string[]).includes(mode)) {
    throw new ContainerError(CONTAINER_ERROR_CODES.WORKER_MODE,
      `unknown worker_mode "${mode}" (expected one of: ${WORKER_MODES.join(", ")})`);
  }
  if (mode === "no_container") return { runtime: null, singleUse: false };
  const [runtime, use] = splitMode(mode as Exclude<WorkerMode, "no_container">);
  return { runtime, singleUse: use === "single_use" };
}

function splitMode(mode: Exclude<WorkerMode, "no_container">): [ContainerRuntime, "reuse" | "single_use"] {
  const i = mode.indexOf("_");
  return [mode.slice(0, i) as ContainerRuntime, mode.slice(i + 1) as "reuse" | "single_use"];
}

export interface BindMount {
  /** Absolute host path. */
  readonly source: string;
  /** Absolute path inside the container. */
  readonly target: string;
  readonly readOnly?: boolean;
}

export interface ContainerWorkerArgvOptions {
  readonly mode: WorkerMode;
  /** Image reference (podman/docker) or image path/URI (singularity/apptainer). */
  readonly image: string;
  /** Arguments after `fx`, e.g. ["worker", "--manager-url", "tcp://127.0.0.1:5000", …]. */
  readonly workerArgv: readonly string[];
  /** Absolute host path of the compiled fx binary (process.execPath when compiled). */
  readonly fxBinaryPath: string;
  /** Container name for podman/docker (see containerName); needed to stop it by name. */
  readonly name?: string;
  readonly bindMounts?: readonly BindMount[];
  /** Config `containers.extra_args`: inserted before the image. */
  readonly extraArgs?: readonly string[];
  /** Config `containers.env_passthrough`: names whose values are copied from `env` when set there. */
  readonly envPassthrough?: readonly string[];
  /** The environment the pass-through names are read from (normally process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Variables to set explicitly inside the container (after the pass-through ones). */
  readonly setEnv?: Readonly<Record<string, string>>;
  /** Config `containers.templates`. */
  readonly templates?: Readonly<Record<string, readonly string[]>>;
}

/** The built-in templates. The fx binary mount comes first so a user's {binds} can't shadow it. */
export const DEFAULT_TEMPLATES: Readonly<Record<ContainerRuntime, readonly string[]>> = {
  podman: ["podman", "run", "--rm", "--network", "host", "--name", "{name}",
    "--volume", "{fx}:{fx_in_container}:ro", "{binds}", "{env}", "{extra_args}", "{image}", "{fx_in_container}", "{worker_args}"],
  docker: ["docker", "run", "--rm", "--network", "host", "--name", "{name}",
    "--volume", "{fx}:{fx_in_container}:ro", "{binds}", "{env}", "{extra_args}", "{image}", "{fx_in_container}", "{worker_args}"],
  singularity: ["singularity", "exec", "--bind", "{fx}:{fx_in_container}:ro", "{binds}", "{env}", "{extra_args}",
    "{image}", "{fx_in_container}", "{worker_args}"],
  apptainer: ["apptainer", "exec", "--bind", "{fx}:{fx_in_container}:ro", "{binds}", "{env}", "{extra_args}",
    "{image}", "{fx_in_container}", "{worker_args}"],
};

const SINGLE_PLACEHOLDERS = ["image", "fx", "fx_in_container", "name", "runtime"] as const;
const MULTI_PLACEHOLDERS = ["worker_args", "binds", "env", "extra_args"] as const;
const TEMPLATE_KEYS: readonly string[] = [...CONTAINER_RUNTIMES, ...WORKER_MODES.filter((m) => m !== "no_container")];
const PLACEHOLDER = /\{([^{}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every problem of a `[containers] templates` table, at once. Throws ConfigError; returns when all is well. */
export function validateTemplates(templates: Readonly<Record<string, readonly string[]>>): void {
  const problems: ConfigProblem[] = [];
  for (const [key, words] of Object.entries(templates)) {
    problems.push(...templateProblems(key, words));
  }
  if (problems.length > 0) throw new ConfigError(CONFIG_ERROR_CODES.INVALID, "<containers.templates>", problems);
}

/** The problems of one template as ConfigProblems (path `containers.templates.<key>[<i>]`); [] when valid.
 *  For the config loader, which reports them with the file's line numbers. */
export function templateProblems(key: string, words: readonly string[]): ConfigProblem[] {
  const path = `containers.templates.${key}`;
  const out: ConfigProblem[] = [];
  if (!TEMPLATE_KEYS.includes(key)) {
    out.push({ path, message: `unknown template key "${key}" (expected a runtime: ${CONTAINER_RUNTIMES.join(", ")}, or a worker mode such as podman_single_use)` });
  }
  if (!Array.isArray(words) || words.length === 0 || words.some((w) => typeof w !== "string")) {
    out.push({ path, message: "a template must be a non-empty array of strings (argv words)" });
    return out;
  }
  const seen = new Set<string>();
  words.forEach((word, i) => {
    for (const m of word.matchAll(PLACEHOLDER)) {
      const name = m[1] ?? "";
      seen.add(name);
      if ((MULTI_PLACEHOLDERS as readonly string[]).includes(name)) {
        if (word !== `{${name}}`) out.push({ path: `${path}[${i}]`, message: `{${name}} expands to several words and must be a word on its own, not part of "${word}"` });
      } else if (!(SINGLE_PLACEHOLDERS as readonly string[]).includes(name)) {
        out.push({ path: `${path}[${i}]`, message: `unknown placeholder {${name}} in "${word}" (known: ${[...SINGLE_PLACEHOLDERS, ...MULTI_PLACEHOLDERS].map((p) => `{${p}}`).join(" ")})` });
      }
    }
  });
  for (const required of ["image", "worker_args"]) {
    if (!seen.has(required)) out.push({ path, message: `the template must contain {${required}}` });
  }
  return out;
}

/** The argv that starts one worker of `opts.image` under `opts.mode`'s runtime. Pure. */
export function containerWorkerArgv(opts: ContainerWorkerArgvOptions): string[] {
  const { runtime, singleUse } = parseWorkerMode(opts.mode);
  const workerArgs = singleUse ? [...opts.workerArgv, ...SINGLE_USE_WORKER_ARGS] : [...opts.workerArgv];
  if (runtime === null) return [opts.fxBinaryPath, ...workerArgs];
  checkImageArg(opts.image, runtime);
  const template = pickTemplate(opts.mode, runtime, opts.templates ?? {});
  const name = opts.name ?? "";
  if ((runtime === "podman" || runtime === "docker") && template.some((w) => w.includes("{name}")) && !isValidName(name)) {
    throw new ContainerError(CONTAINER_ERROR_CODES.ARGS, `a ${runtime} worker needs a container name matching [A-Za-z0-9][A-Za-z0-9_.-]* (got "${name}")`, { runtime, image: opts.image });
  }
  const single: Record<(typeof SINGLE_PLACEHOLDERS)[number], string> = {
    image: opts.image, fx: absolute(opts.fxBinaryPath, "fxBinaryPath"), fx_in_container: FX_IN_CONTAINER, name, runtime,
  };
  const multi: Record<(typeof MULTI_PLACEHOLDERS)[number], string[]> = {
    worker_args: workerArgs,
    binds: bindArgs(runtime, opts.bindMounts ?? []),
    env: envArgs(opts.envPassthrough ?? [], opts.env ?? {}, opts.setEnv ?? {}),
    extra_args: [...(opts.extraArgs ?? [])],
  };
  return expand(template, single, multi);
}

function pickTemplate(mode: WorkerMode, runtime: ContainerRuntime, templates: Readonly<Record<string, readonly string[]>>): readonly string[] {
  const own = templates[mode] ?? templates[runtime];
  if (own === undefined) return DEFAULT_TEMPLATES[runtime];
  validateTemplates({ [templates[mode] !== undefined ? mode : runtime]: own });
  return own;
}

function expand(template: readonly string[], single: Record<string, string>, multi: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const word of template) {
    const whole = /^\{([a-z_]+)\}$/.exec(word);
    const list = whole ? multi[whole[1] ?? ""] : undefined;
    if (list !== undefined) {
      out.push(...list);
      continue;
    }
    out.push(word.replace(PLACEHOLDER, (_m, key: string) => single[key] ?? ""));
  }
  return out;
}

function bindArgs(runtime: ContainerRuntime, mounts: readonly BindMount[]): string[] {
  const flag = runtime === "podman" || runtime === "docker" ? "--volume" : "--bind";
  const out: string[] = [];
  for (const m of mounts) {
    const source = absolute(m.source, "bind mount source");
    const target = absolute(m.target, "bind mount target");
    out.push(flag, `${source}:${target}${m.readOnly ? ":ro" : ""}`);
  }
  return out;
}

function envArgs(passthrough: readonly string[], env: Readonly<Record<string, string | undefined>>, setEnv: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const add = (k: string, v: string): void => {
    if (!ENV_NAME.test(k)) {
      throw new ContainerError(CONTAINER_ERROR_CODES.ARGS, `invalid environment variable name "${k}" for a container (containers.env_passthrough)`);
    }
    out.push("--env", `${k}=${v}`);
  };
  for (const k of passthrough) {
    const v = env[k];
    if (v !== undefined) add(k, v);
    else if (!ENV_NAME.test(k)) add(k, ""); // throws: a bad name is an error even when unset
  }
  for (const [k, v] of Object.entries(setEnv)) add(k, v);
  return out;
}

function absolute(p: string, what: string): string {
  if (!p.startsWith("/") || /[:,\n]/.test(p)) {
    throw new ContainerError(CONTAINER_ERROR_CODES.ARGS, `${what} must be an absolute path without ":" or "," (got "${p}")`);
  }
  return p;
}

/** An image word the runtime would read as an option (or as nothing) would change what runs: refuse it. */
function checkImageArg(image: string, runtime: ContainerRuntime): void {
  if (image === "" || image.startsWith("-") || /\s/.test(image)) {
    throw new ContainerError(CONTAINER_ERROR_CODES.ARGS, `invalid container image "${image}": must be non-empty, without spaces, and not start with "-"`, { image, runtime });
  }
}

function isValidName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) && name.length <= 200;
}

/** A podman/docker-safe container name from parts (e.g. "fx", managerId, workerId). */
export function containerName(...parts: string[]): string {
  const joined = parts.join("-").replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[^A-Za-z0-9]+/, "");
  return (joined || "fx").slice(0, 200);
}

/** argv that force-removes a named podman/docker container (when its `run` process died without --rm
 *  finishing); null for singularity/apptainer, whose container is just the process. */
export function containerStopArgv(runtime: ContainerRuntime, name: string): string[] | null {
  if (runtime === "singularity" || runtime === "apptainer") return null;
  if (!isValidName(name)) throw new ContainerError(CONTAINER_ERROR_CODES.ARGS, `invalid container name "${name}"`, { runtime });
  return runtime === "podman" ? ["podman", "rm", "--force", "--time", "2", name] : ["docker", "rm", "--force", name];
}
