/**
 * The validated, readonly shape of an fx configuration. TOML names are funcX/Parsl's snake_case; the TS
 * object keeps them as-is so a config key, its flag (`--heartbeat-period`) and its env var
 * (`FX_EXECUTOR_HEARTBEAT_PERIOD`) are mechanical renamings of one another.
 *
 * This file is the contract between the config loader (src/config/load.ts) and every role.
 * Durations are seconds unless the name ends in `_ms`.
 */

export const WORKER_MODES = [
  "no_container",
  "singularity_reuse", "singularity_single_use",
  "apptainer_reuse", "apptainer_single_use",
  "podman_reuse", "podman_single_use",
  "docker_reuse", "docker_single_use",
] as const;
export type WorkerMode = (typeof WORKER_MODES)[number];

export const SCHEDULER_MODES = ["hard", "soft"] as const;
export type SchedulerMode = (typeof SCHEDULER_MODES)[number];

export const PROVIDER_TYPES = ["local", "slurm", "pbs", "torque", "lsf", "condor", "gridengine"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const LAUNCHER_TYPES = ["single_node", "simple", "srun", "srun_mpi", "mpiexec", "aprun", "jsrun"] as const;
export type LauncherType = (typeof LAUNCHER_TYPES)[number];

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type ConfigLogLevel = (typeof LOG_LEVELS)[number];

export interface EndpointConfig {
  /** A name for logs, job names and the run directory. */
  readonly name: string;
}

export interface ExecutorConfig {
  readonly label: string;
  /**
   * Where managers reach the interchange: host names, IP addresses or interface names (e.g. "ib0"),
   * tried in order by each manager. Default ["127.0.0.1"].
   */
  readonly address: readonly string[];
  /** Address the client channels (tasks/results, commands) bind to. Keep on loopback unless needed. */
  readonly client_address: string;
  /** Fixed [task_port, result_port] for managers; when set, worker_port_range is ignored. */
  readonly worker_ports: readonly [number, number] | null;
  readonly worker_port_range: readonly [number, number];
  readonly interchange_port_range: readonly [number, number];
  readonly heartbeat_period: number;
  readonly heartbeat_threshold: number;
  /** Milliseconds: how often event loops with nothing to do wake up for housekeeping. */
  readonly poll_period: number;
  /** Cap on workers per manager; Infinity = one per `cores_per_worker` of the node's cores. */
  readonly max_workers: number;
  readonly cores_per_worker: number;
  readonly worker_mode: WorkerMode;
  /** Default image for container worker modes; a task may name its own (see containers.allowed_images). */
  readonly container_image: string | null;
  readonly scheduler_mode: SchedulerMode;
  readonly worker_max_idletime: number;
  /** Keep serving when a manager or block fails instead of failing every outstanding task. */
  readonly suppress_failure: boolean;
  /** Extra tasks a manager asks for beyond its idle workers, to hide the network round trip. */
  readonly prefetch: number;
  /** Times a task lost with its manager or worker is re-run before it fails (0 = fail at once). */
  readonly retries: number;
  /** Largest task or result payload in bytes; larger ones are refused at submit with a clear error. */
  readonly max_payload_bytes: number;
  /** Results a manager batches before sending, and the longest it holds one (ms). */
  readonly result_batch_size: number;
  readonly result_batch_period_ms: number;
  readonly worker_debug: boolean;
  /** Shell line that starts a block's manager, with {fx}, {args}, … placeholders (src/launchers/launch-cmd.ts); null = fx's own argv. */
  readonly launch_cmd: string | null;
}

export interface LauncherConfig {
  readonly type: LauncherType;
  /** Extra argv words the launcher puts before the manager command (e.g. srun flags). */
  readonly overrides: readonly string[];
}

export interface ProviderConfig {
  readonly type: ProviderType;
  readonly init_blocks: number;
  readonly min_blocks: number;
  readonly max_blocks: number;
  readonly nodes_per_block: number;
  /** Managers per node (the launcher's and the job's tasks per node). */
  readonly tasks_per_node: number;
  /** Ratio of outstanding tasks to capacity that triggers scale-out (Parsl's meaning); 1 = eager. */
  readonly parallelism: number;
  /** "HH:MM:SS" */
  readonly walltime: string;
  /** Shell lines run before the manager in each block (module load, conda activate, …). */
  readonly worker_init: string;
  readonly cmd_timeout: number;
  /** Seconds a block may sit idle before polite scale-in. */
  readonly max_idletime: number;
  /** Seconds scale-in waits for running tasks on a held block before cancelling it. */
  readonly drain_timeout: number;
  /** Seconds before the walltime end when a block's managers stop taking tasks (and the block is held);
   *  null = a tenth of the walltime, at least 5 s, at most 2 min. */
  readonly walltime_drain: number | null;
  readonly launcher: LauncherConfig;
  /** Scheduler-specific keys (slurm: partition, account, qos, constraint, exclusive, mem_per_node,
   *  cores_per_node, scheduler_options; pbs: queue, account, select_options; …), validated per type. */
  readonly partition: string | null;
  readonly account: string | null;
  readonly qos: string | null;
  readonly constraint: string | null;
  readonly exclusive: boolean;
  readonly mem_per_node: number | null;
  readonly cores_per_node: number | null;
  readonly queue: string | null;
  readonly scheduler_options: string;
}

export interface ContainersConfig {
  /** Images tasks may name; empty = any image. */
  readonly allowed_images: readonly string[];
  /** Per-runtime argv template overrides, e.g. podman = ["podman", "run", "--rm", "{image}", …]. */
  readonly templates: Readonly<Record<string, readonly string[]>>;
  /** Extra words inserted after the runtime's run verb (bind mounts, --nv, …). */
  readonly extra_args: readonly string[];
  /** Environment variable names passed through into containers. */
  readonly env_passthrough: readonly string[];
}

export interface LoggingConfig {
  readonly level: ConfigLogLevel;
  /** Directory for per-role log files and submit scripts. */
  readonly logdir: string;
}

export interface FxConfig {
  readonly endpoint: EndpointConfig;
  readonly executor: ExecutorConfig;
  readonly provider: ProviderConfig;
  readonly containers: ContainersConfig;
  readonly logging: LoggingConfig;
}

export const DEFAULTS: FxConfig = {
  endpoint: { name: "local" },
  executor: {
    label: "htex",
    address: ["127.0.0.1"],
    client_address: "127.0.0.1",
    worker_ports: null,
    worker_port_range: [54000, 55000],
    interchange_port_range: [55000, 56000],
    heartbeat_period: 30,
    heartbeat_threshold: 120,
    poll_period: 10,
    max_workers: Infinity,
    cores_per_worker: 1,
    worker_mode: "no_container",
    container_image: null,
    scheduler_mode: "hard",
    worker_max_idletime: 60,
    suppress_failure: false,
    prefetch: 0,
    retries: 0,
    max_payload_bytes: 64 * 1024 * 1024,
    result_batch_size: 1024,
    result_batch_period_ms: 2,
    worker_debug: false,
    launch_cmd: null,
  },
  provider: {
    type: "local",
    init_blocks: 1,
    min_blocks: 0,
    max_blocks: 1,
    nodes_per_block: 1,
    tasks_per_node: 1,
    parallelism: 1,
    walltime: "00:30:00",
    worker_init: "",
    cmd_timeout: 30,
    max_idletime: 120,
    drain_timeout: 300,
    walltime_drain: null,
    launcher: { type: "single_node", overrides: [] },
    partition: null,
    account: null,
    qos: null,
    constraint: null,
    exclusive: false,
    mem_per_node: null,
    cores_per_node: null,
    queue: null,
    scheduler_options: "",
  },
  containers: { allowed_images: [], templates: {}, extra_args: [], env_passthrough: [] },
  logging: { level: "info", logdir: "fx_logs" },
};
