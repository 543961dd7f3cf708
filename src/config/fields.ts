/**
 * Every config key once: its kind (how it is checked and how an env var or flag string is read), a one-line
 * meaning, and which providers use it. The loader, `fx config init`, and docs/configuration.md all come
 * from this table, so they cannot drift apart. Defaults come from DEFAULTS in schema.ts.
 */
import {
  LAUNCHER_TYPES, LOG_LEVELS, PROVIDER_TYPES, SCHEDULER_MODES, WORKER_MODES,
  type ProviderType,
} from "./schema.ts";

export type FieldKind =
  | { readonly t: "string"; readonly nonEmpty?: boolean; readonly pattern?: RegExp; readonly patternHint?: string }
  | { readonly t: "nullable_string" }
  | { readonly t: "bool" }
  | { readonly t: "int"; readonly min: number; readonly max?: number }
  | { readonly t: "nullable_int"; readonly min: number }
  /** A number > `above` (or ≥ `min`), optionally ≤ `max`. */
  | { readonly t: "number"; readonly min?: number; readonly above?: number; readonly max?: number }
  /** A positive integer or inf (TOML `inf`, env/flag "inf"). */
  | { readonly t: "int_or_inf"; readonly min: number }
  | { readonly t: "enum"; readonly values: readonly string[] }
  /** [lo, hi] with 1 ≤ lo < hi ≤ 65535. */
  | { readonly t: "port_range" }
  /** [a, b], two distinct ports, or unset. */
  | { readonly t: "nullable_port_pair" }
  /** A list of non-empty strings; with `single`, one string stands for a one-element list. */
  | { readonly t: "string_list"; readonly nonEmpty?: boolean; readonly single?: boolean }
  /** A table of name → non-empty argv list containing "{image}". */
  | { readonly t: "argv_templates" }
  /** "HH:MM:SS" (hours may exceed 24). */
  | { readonly t: "walltime" };

export interface FieldSpec {
  /** Section path: "endpoint", "executor", "provider", "provider.launcher", "containers", "logging". */
  readonly section: string;
  readonly key: string;
  readonly kind: FieldKind;
  /** One line, shown in `fx config init` and docs. */
  readonly doc: string;
  /** An example value (TOML text) for keys whose default is unset. */
  readonly example?: string;
  /** Provider types that use this key; setting it for another type is a problem. Absent = all. */
  readonly providers?: readonly ProviderType[];
}

export const SECTIONS = ["endpoint", "executor", "provider", "provider.launcher", "containers", "logging"] as const;

const SECTION_DOCS: Record<(typeof SECTIONS)[number], string> = {
  endpoint: "The endpoint as a whole.",
  executor: "The HighThroughputExecutor: interchange ports, managers, workers, heartbeats (funcX names).",
  provider: "Where blocks of managers run and how many (Parsl/funcX provider).",
  "provider.launcher": "How the manager command is started inside a block.",
  containers: "Container worker modes: which images tasks may use and how runtimes are invoked.",
  logging: "Logs of every role.",
};
export function sectionDoc(section: string): string {
  return SECTION_DOCS[section as (typeof SECTIONS)[number]] ?? "";
}

const SCHED: readonly ProviderType[] = ["slurm", "pbs", "torque", "lsf", "condor", "gridengine"];
const port = { t: "port_range" } as const;
const nstr = { t: "nullable_string" } as const;
const seconds = { t: "number", min: 0 } as const;
const positive = { t: "number", above: 0 } as const;

export const FIELDS: readonly FieldSpec[] = [
  { section: "endpoint", key: "name", kind: { t: "string", nonEmpty: true, pattern: /^[A-Za-z0-9_.-]+$/, patternHint: "letters, digits, '_', '.', '-'" }, doc: "Name used in logs, scheduler job names and the run directory." },

  { section: "executor", key: "label", kind: { t: "string", nonEmpty: true }, doc: "Label of this executor in logs." },
  { section: "executor", key: "address", kind: { t: "string_list", nonEmpty: true, single: true }, doc: "Hosts, IPs or interface names managers try, in order, to reach the interchange." },
  { section: "executor", key: "client_address", kind: { t: "string", nonEmpty: true }, doc: "Address the client channels (tasks, results, commands) bind to." },
  { section: "executor", key: "worker_ports", kind: { t: "nullable_port_pair" }, doc: "Fixed [task_port, result_port] for managers; when set, worker_port_range is ignored.", example: "[54001, 54002]" },
  { section: "executor", key: "worker_port_range", kind: port, doc: "Ports the manager-facing channels are picked from: [lo, hi]." },
  { section: "executor", key: "interchange_port_range", kind: port, doc: "Ports the client channels are picked from: [lo, hi]." },
  { section: "executor", key: "heartbeat_period", kind: positive, doc: "Seconds between heartbeats between interchange and managers." },
  { section: "executor", key: "heartbeat_threshold", kind: positive, doc: "Seconds of silence after which the other side is considered lost." },
  { section: "executor", key: "poll_period", kind: positive, doc: "Lower bound, in milliseconds, on the manager's housekeeping period (heartbeats, idle workers, walltime drain), which is otherwise heartbeat_period / 4, at most 1 s. Tasks and results never wait for it." },
  { section: "executor", key: "max_workers", kind: { t: "int_or_inf", min: 1 }, doc: "Cap on workers per manager; inf = one per cores_per_worker cores." },
  { section: "executor", key: "cores_per_worker", kind: positive, doc: "Cores each worker gets; below 1 oversubscribes." },
  { section: "executor", key: "worker_mode", kind: { t: "enum", values: WORKER_MODES }, doc: "How workers run: no_container or <runtime>_reuse / <runtime>_single_use." },
  { section: "executor", key: "container_image", kind: nstr, doc: "Default image for container worker modes; unset = tasks must name one.", example: '"docker.io/library/alpine:3"' },
  { section: "executor", key: "scheduler_mode", kind: { t: "enum", values: SCHEDULER_MODES }, doc: "hard: tasks go only to managers with their worker type; soft: any manager, which starts that type." },
  { section: "executor", key: "worker_max_idletime", kind: seconds, doc: "Seconds an idle worker of an unneeded type lives before the manager stops it." },
  { section: "executor", key: "suppress_failure", kind: { t: "bool" }, doc: "Keep serving when a manager or block fails instead of failing every outstanding task." },
  { section: "executor", key: "prefetch", kind: { t: "int", min: 0 }, doc: "Extra tasks a manager asks for beyond its idle workers." },
  { section: "executor", key: "retries", kind: { t: "int", min: 0 }, doc: "Times a task lost with its manager or worker is re-run before it fails." },
  { section: "executor", key: "max_payload_bytes", kind: { t: "int", min: 1 }, doc: "Largest task or result payload in bytes." },
  { section: "executor", key: "result_batch_size", kind: { t: "int", min: 1 }, doc: "Results a manager batches before sending." },
  { section: "executor", key: "result_batch_period_ms", kind: seconds, doc: "Longest a manager holds a result before sending a partial batch (ms)." },
  { section: "executor", key: "worker_debug", kind: { t: "bool" }, doc: "Debug logging in managers and workers." },
  { section: "executor", key: "launch_cmd", kind: nstr, doc: "Shell line that starts a block's manager; {fx} is this fx, {args} its manager arguments (unset = \"{fx} {args}\"). Also {task_url}, {result_url}, {block_id}, {max_workers}, {cores_per_worker}, {nodes_per_block}, {heartbeat_period}, {heartbeat_threshold}, {logdir}, {debug}.", example: '"/shared/bin/fx {args}"' },

  { section: "provider", key: "type", kind: { t: "enum", values: PROVIDER_TYPES }, doc: "Resource provider: local runs blocks as child processes; the others submit scheduler jobs." },
  { section: "provider", key: "init_blocks", kind: { t: "int", min: 0 }, doc: "Blocks started at launch (between min_blocks and max_blocks)." },
  { section: "provider", key: "min_blocks", kind: { t: "int", min: 0 }, doc: "Blocks kept even when idle." },
  { section: "provider", key: "max_blocks", kind: { t: "int", min: 0 }, doc: "Most blocks at once." },
  { section: "provider", key: "nodes_per_block", kind: { t: "int", min: 1 }, doc: "Nodes in one block (one manager per node, or tasks_per_node)." },
  { section: "provider", key: "tasks_per_node", kind: { t: "int", min: 1 }, doc: "Managers the launcher starts on each node of a block (srun --ntasks-per-node, mpiexec …), each with its own workers sized from the cores it may use." },
  { section: "provider", key: "parallelism", kind: { t: "number", min: 0, max: 1 }, doc: "Ratio of capacity to outstanding tasks to aim for when scaling out (0..1; 1 = eager)." },
  { section: "provider", key: "walltime", kind: { t: "walltime" }, doc: "Wall time of one block, HH:MM:SS." },
  { section: "provider", key: "worker_init", kind: { t: "string" }, doc: "Shell lines run before the manager in each block (module load, …)." },
  { section: "provider", key: "cmd_timeout", kind: positive, doc: "Seconds a scheduler command (sbatch, squeue, …) may take." },
  { section: "provider", key: "max_idletime", kind: seconds, doc: "Seconds a block may sit idle before it is scaled in." },
  { section: "provider", key: "walltime_drain", kind: { t: "nullable_int", min: 0 }, doc: "Seconds before a block's walltime end when its managers stop taking tasks; unset = a tenth of walltime, 5 s to 2 min.", example: "60" },
  { section: "provider", key: "drain_timeout", kind: seconds, doc: "Seconds scale-in waits for running tasks on a held block before cancelling it." },
  { section: "provider", key: "partition", kind: nstr, doc: "Slurm partition.", example: '"compute"', providers: ["slurm"] },
  { section: "provider", key: "account", kind: nstr, doc: "Account/project charged.", example: '"my-project"', providers: ["slurm", "pbs", "torque", "lsf", "gridengine"] },
  { section: "provider", key: "qos", kind: nstr, doc: "Slurm quality of service.", example: '"normal"', providers: ["slurm"] },
  { section: "provider", key: "constraint", kind: nstr, doc: "Slurm node constraint.", example: '"haswell"', providers: ["slurm"] },
  { section: "provider", key: "exclusive", kind: { t: "bool" }, doc: "Request whole nodes (Slurm --exclusive, LSF -x).", providers: ["slurm", "lsf"] },
  { section: "provider", key: "mem_per_node", kind: { t: "nullable_int", min: 1 }, doc: "Memory per node in GB.", example: "64", providers: SCHED },
  { section: "provider", key: "cores_per_node", kind: { t: "nullable_int", min: 1 }, doc: "Cores per node to request.", example: "32", providers: SCHED },
  { section: "provider", key: "queue", kind: nstr, doc: "Batch queue (PBS, Torque, LSF, Grid Engine).", example: '"batch"', providers: ["pbs", "torque", "lsf", "gridengine"] },
  { section: "provider", key: "scheduler_options", kind: { t: "string" }, doc: "Extra lines for the submit script header.", providers: SCHED },

  { section: "provider.launcher", key: "type", kind: { t: "enum", values: LAUNCHER_TYPES }, doc: "single_node/simple: run the manager once per block; srun, mpiexec, …: once per node." },
  { section: "provider.launcher", key: "overrides", kind: { t: "string_list" }, doc: "Extra argv words placed before the manager command (e.g. srun flags)." },

  { section: "containers", key: "allowed_images", kind: { t: "string_list" }, doc: "Images tasks may name; empty = any image." },
  { section: "containers", key: "templates", kind: { t: "argv_templates" }, doc: "Per-runtime argv templates overriding the built-in ones; must contain \"{image}\".", example: '{ podman = ["podman", "run", "--rm", "-i", "{image}"] }' },
  { section: "containers", key: "extra_args", kind: { t: "string_list" }, doc: "Extra words after the runtime's run verb (bind mounts, --nv, …)." },
  { section: "containers", key: "env_passthrough", kind: { t: "string_list" }, doc: "Environment variable names passed into containers." },

  { section: "logging", key: "level", kind: { t: "enum", values: LOG_LEVELS }, doc: "Least severe level written: debug, info, warn or error." },
  { section: "logging", key: "logdir", kind: { t: "string", nonEmpty: true }, doc: "Directory for per-role log files and submit scripts." },
];

export function fieldPath(f: FieldSpec): string {
  return `${f.section}.${f.key}`;
}

const BY_PATH = new Map(FIELDS.map((f) => [fieldPath(f), f]));
export function fieldAt(path: string): FieldSpec | undefined {
  return BY_PATH.get(path);
}

/** FX_EXECUTOR_HEARTBEAT_PERIOD ← executor.heartbeat_period; FX_PROVIDER_LAUNCHER_TYPE ← provider.launcher.type. */
export function envName(f: FieldSpec): string {
  return `FX_${fieldPath(f).replace(/\./g, "_").toUpperCase()}`;
}
