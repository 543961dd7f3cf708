/**
 * The typed options each role's entry receives. src/commands/* build them from flags, FX_* env vars and the
 * config file (precedence: flag > env > file > defaults), validate them, and hand them over; roles never read
 * argv or env themselves. Field names are camelCase renderings of funcX's keyword arguments / CLI flags.
 * Durations are seconds unless the name ends in `Ms`.
 */
import type { FxConfig, SchedulerMode, WorkerMode } from "./schema.ts";
import type { LogLevel } from "../util/log.ts";

/** The three client channels of one endpoint (interchange): tasks (DEALER→ROUTER), results, commands (REQ→REP). */
export interface ClientUrls {
  readonly tasks: string;
  readonly results: string;
  readonly commands: string;
}

/** What every role shares: where and how much to log. */
export interface RoleLogOptions {
  /** Directory for `<role>.log`; null = stderr only. */
  readonly logdir: string | null;
  /** "debug" when `--debug` was given, else the config's logging.level. */
  readonly logLevel: LogLevel;
  readonly debug: boolean;
}

/** `fx manager`: one per block/node, started by a provider (funcX's funcx_manager / process_worker_pool). */
export interface ManagerOptions extends RoleLogOptions {
  /** Interchange task channel, `tcp://host:port` (`--task-url`). */
  readonly taskUrl: string;
  /** Interchange result channel, `tcp://host:port` (`--result-url`). */
  readonly resultUrl: string;
  /**
   * Hosts to try in order instead of the URLs' host (`--address a,b,c`, from executor.address); the URLs'
   * ports are kept. Empty = use the URLs as given.
   */
  readonly addresses: readonly string[];
  /** Manager id sent in the registration (`--uid`); null = the manager makes one (host + pid + random). */
  readonly uid: string | null;
  /** Provider block this manager runs in (`--block-id`); null when started by hand. */
  readonly blockId: string | null;
  /** Cap on workers; Infinity = one per `coresPerWorker` of the node's cores (`--max-workers`, "inf"). */
  readonly maxWorkers: number;
  readonly coresPerWorker: number;
  /** Cores of this node to plan with (`--cores`); null = detect (see managerCores). */
  readonly cores: number | null;
  /** Managers the launcher started on this node (`--tasks-per-node`, provider.tasks_per_node). */
  readonly managersPerNode: number;
  readonly heartbeatPeriod: number;
  readonly heartbeatThreshold: number;
  /** Event-loop housekeeping period, milliseconds (`--poll`). */
  readonly pollPeriodMs: number;
  readonly workerMode: WorkerMode;
  readonly schedulerMode: SchedulerMode;
  readonly workerMaxIdletime: number;
  /** Extra tasks to ask for beyond idle workers (`--prefetch`). */
  readonly prefetch: number;
  /** Worker types (container images or "RAW") this manager serves; the first is started up front. */
  readonly workerTypes: readonly string[];
  /** Default image for container worker modes (`--container-image`). */
  readonly containerImage: string | null;
  readonly resultBatchSize: number;
  readonly resultBatchPeriodMs: number;
  readonly maxPayloadBytes: number;
  /** Container templates, allowed images, pass-through env (from the config's [containers]). */
  readonly containers: FxConfig["containers"];
  /** Pass `--debug` to workers. */
  readonly workerDebug: boolean;
  /** Seconds this manager's block runs (`--walltime`, seconds or HH:MM:SS); its end is counted from the
   *  manager's own start (conservative). null = unknown (started by hand): no walltime drain. */
  readonly walltime: number | null;
  /** Seconds before that end when it stops asking for tasks (`--walltime-drain`, provider.walltime_drain);
   *  null = a tenth of the walltime, 5 s … 2 min. */
  readonly walltimeDrain: number | null;
}

/** `fx worker`: one task at a time for its manager (funcX's funcx_worker). */
export interface WorkerOptions extends RoleLogOptions {
  /** The manager's worker channel, `tcp://host:port` or `ipc://path` (`--manager-url`). */
  readonly managerUrl: string;
  readonly workerId: string;
  /** "RAW" or a container image name (`--worker-type`). */
  readonly workerType: string;
  readonly maxPayloadBytes: number;
  /** Run exactly one task, then exit (`--single-use`; *_single_use container modes). */
  readonly singleUse: boolean;
}

/** `fx interchange`: the endpoint's broker. Started by the executor (config on stdin) or by hand (`-c`). */
export interface InterchangeOptions extends RoleLogOptions {
  /** The effective config (file/stdin + env + flags, validated). */
  readonly config: FxConfig;
  /** Where the config came from, for logs: a path, "<stdin>" or "<embedded default>". */
  readonly configSource: string;
  /** Address the client channels bind to (`--client-address`, default executor.client_address). */
  readonly clientAddress: string;
  /** Fixed [tasks, results, commands] client ports (`--client-ports`); null = pick free ones from
   *  executor.interchange_port_range. */
  readonly clientPorts: readonly [number, number, number] | null;
  /** Fixed [task, result] worker ports (`--worker-ports`, default executor.worker_ports); null = pick from
   *  workerPortRange. */
  readonly workerPorts: readonly [number, number] | null;
  readonly workerPortRange: readonly [number, number];
  /** Address the manager-facing channels bind to (`--worker-bind-address`). Default: 127.0.0.1 when every
   *  executor.address is loopback, else 0.0.0.0 (managers on other nodes must reach it). */
  readonly workerBindAddress: string;
}

/** `fx executor`: start a local endpoint from a config and keep it running; prints its client URLs. */
export interface ExecutorOptions extends RoleLogOptions {
  readonly config: FxConfig;
  readonly configSource: string;
  /** Also write the client URLs as JSON to this file (`--info-file`), for `fx run --endpoint FILE`. */
  readonly infoFile: string | null;
}

/** `fx run --fn MODULE:EXPORT`: call an exported function once per line of the args file (a JSON array). */
export interface FnSpec {
  /** Path of the module (e.g. tasks.ts), as given (resolved against the cwd by the runner). */
  readonly module: string;
  readonly exportName: string;
}

/** `fx run [-c config] FILE`: run every task in FILE and write one result line per task. */
export interface RunOptions extends RoleLogOptions {
  readonly config: FxConfig;
  readonly configSource: string;
  /** Shell-command file (one command per line) or, with `fn`, the args file (one JSON array per line);
   *  "-" = stdin. */
  readonly file: string;
  /** A running endpoint to use (`--endpoint`); null = start a local one from `config`. */
  readonly endpoint: ClientUrls | null;
  /** Results file (JSON lines, input order); null = stdout (`--out`). */
  readonly out: string | null;
  /** Container image every task runs in (`--container`); null = none. */
  readonly container: string | null;
  readonly fn: FnSpec | null;
  /** Show a progress line on stderr (`--progress` / `--no-progress`; default: stderr is a terminal). */
  readonly progress: boolean;
  /** Seconds a task may take from submission before it counts as failed (`--timeout`); null = no limit. */
  readonly timeout: number | null;
}
