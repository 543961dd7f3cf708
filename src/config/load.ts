/**
 * TOML / object / env / flags → one validated, frozen FxConfig. Precedence, highest first:
 * overrides (flags) > FX_* env vars > the config file (or object) > DEFAULTS. Every problem is collected
 * and reported at once in a ConfigError, each with its key path and, for files, its line.
 */
import fs from "node:fs";
import toml from "toml";
import { DEFAULTS, type FxConfig } from "./schema.ts";
import { FIELDS, SECTIONS, envName, fieldAt, fieldPath, type FieldSpec } from "./fields.ts";
import { checkValue, parseText, type Checked } from "./coerce.ts";
import { CONFIG_ERROR_CODES, ConfigError, type ConfigProblem } from "./errors.ts";
import { keyLines, lineOf } from "./locate.ts";
import { closest } from "./suggest.ts";
import { crossCheck, type SetValue } from "./validate.ts";
import { EMBEDDED_DEFAULT_TOML } from "./embedded.ts";

/** A value from a flag (`text`: a string read like an env var) or from code (checked as is). */
export interface ConfigOverride {
  /** Dotted key path, e.g. "executor.max_workers". */
  readonly path: string;
  readonly value: unknown;
  /** The value is command-line text ("inf", "a,b", "true") to be read per the key's kind. */
  readonly text?: boolean;
  /** For messages: "flag --max-workers". */
  readonly source: string;
}

export interface LoadConfigOptions {
  /** A TOML file. */
  readonly path?: string;
  /** TOML text (e.g. from stdin); `origin` names it in messages. */
  readonly text?: string;
  readonly origin?: string;
  /** Environment to read FX_* overrides from; none when absent (commands pass process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Highest precedence: a list (flags) or a partial object in TOML's shape, e.g. `{ executor: { max_workers: 2 } }`. */
  readonly overrides?: readonly ConfigOverride[] | Readonly<Record<string, unknown>>;
}

export const EMBEDDED_ORIGIN = "<embedded default>";
const ENV_SECTION_PREFIXES = SECTIONS.filter((s) => !s.includes(".")).map((s) => `FX_${s.toUpperCase()}_`);
const FIELD_BY_ENV = new Map(FIELDS.map((f) => [envName(f), f]));

interface Collector {
  readonly problems: ConfigProblem[];
  readonly set: Map<string, SetValue>;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);
}

function record(c: Collector, f: FieldSpec, r: Checked, where: Omit<SetValue, "value">): void {
  const path = fieldPath(f);
  if (r.ok) c.set.set(path, { value: r.value, ...where });
  else c.problems.push({ path, message: r.message, ...where });
}

/** Sections directly inside `prefix` ("" = the top level): ["provider.launcher"] for "provider". */
function childSectionsOf(prefix: string): string[] {
  const depth = prefix ? prefix.split(".").length + 1 : 1;
  return SECTIONS.filter((s) => s.split(".").length === depth && (!prefix || s.startsWith(`${prefix}.`)));
}

/** Walks a parsed TOML document (or a plain object) against the known sections and keys. */
function walkDocument(doc: Record<string, unknown>, lines: ReadonlyMap<string, number> | null, c: Collector): void {
  const where = (path: string) => {
    const line = lines ? lineOf(lines, path) : undefined;
    return line !== undefined ? { line } : {};
  };
  const walk = (table: Record<string, unknown>, prefix: string) => {
    const childSections = childSectionsOf(prefix);
    const keys = prefix ? FIELDS.filter((f) => f.section === prefix).map((f) => f.key) : [];
    for (const [k, v] of Object.entries(table)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (childSections.includes(path)) {
        if (isTable(v)) walk(v, path);
        else c.problems.push({ path, message: `expected a table [${path}], got a value`, ...where(path) });
        continue;
      }
      const f = prefix ? fieldAt(path) : undefined;
      if (f) {
        record(c, f, checkValue(v, f.kind), where(path));
        continue;
      }
      c.problems.push({ path, message: unknownKeyMessage(k, prefix, [...keys, ...childSections.map((s) => s.slice(prefix ? prefix.length + 1 : 0))]), ...where(path) });
    }
  };
  walk(doc, "");
}

function unknownKeyMessage(key: string, section: string, known: readonly string[]): string {
  const what = section ? `unknown key "${key}" in [${section}]` : `unknown section "${key}"`;
  const near = closest(key, known);
  if (near) return `${what}; did you mean "${near}"?`;
  const elsewhere = FIELDS.find((f) => f.key === key && f.section !== section);
  if (elsewhere) return `${what}; it belongs in [${elsewhere.section}]`;
  return section ? `${what}; known keys: ${known.join(", ")}` : `${what}; known sections: ${known.join(", ")}`;
}

function walkEnv(env: Readonly<Record<string, string | undefined>>, c: Collector): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !ENV_SECTION_PREFIXES.some((p) => name.startsWith(p))) continue;
    const f = FIELD_BY_ENV.get(name);
    const source = `env ${name}`;
    if (!f) {
      const prefix = ENV_SECTION_PREFIXES.find((p) => name.startsWith(p))!;
      const rest = [...FIELD_BY_ENV.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
      const key = closest(name.slice(prefix.length), rest);
      const near = key === null ? null : prefix + key;
      c.problems.push({ path: "", source, message: `unknown setting${near ? `; did you mean ${near}?` : ""}` });
      continue;
    }
    record(c, f, parseText(value, f.kind), { source });
  }
}

/** `{ executor: { max_workers: 2 } }` → [{ path: "executor.max_workers", value: 2, source: "overrides" }]. */
function flattenOverrides(obj: Readonly<Record<string, unknown>>, prefix = ""): ConfigOverride[] {
  return Object.entries(obj).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return isTable(v) && (SECTIONS as readonly string[]).includes(path)
      ? flattenOverrides(v, path)
      : [{ path, value: v, source: "overrides" }];
  });
}

function walkOverrides(given: readonly ConfigOverride[] | Readonly<Record<string, unknown>>, c: Collector): void {
  const overrides = Array.isArray(given) ? (given as readonly ConfigOverride[]) : flattenOverrides(given as Readonly<Record<string, unknown>>);
  for (const o of overrides) {
    const f = fieldAt(o.path);
    if (!f) {
      c.problems.push({ path: o.path, source: o.source, message: "unknown setting" });
      continue;
    }
    record(c, f, o.text && typeof o.value === "string" ? parseText(o.value, f.kind) : checkValue(o.value, f.kind), { source: o.source });
  }
}

function assemble(set: ReadonlyMap<string, SetValue>, base: FxConfig): FxConfig {
  const out = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
  for (const [path, { value }] of set) {
    const parts = path.split(".");
    let t: Record<string, unknown> = out;
    for (const p of parts.slice(0, -1)) t = t[p] as Record<string, unknown>;
    t[parts.at(-1)!] = value;
  }
  return deepFreeze(out as unknown as FxConfig);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function finish(origin: string, c: Collector, base: FxConfig): FxConfig {
  // Invalid values were not recorded, so cross-checks see their defaults; a key already reported is not
  // reported twice.
  const config = assemble(c.set, base);
  const reported = new Set(c.problems.map((p) => p.path));
  c.problems.push(...crossCheck(config, c.set).filter((p) => !reported.has(p.path)));
  if (c.problems.length > 0) throw new ConfigError(CONFIG_ERROR_CODES.INVALID, origin, c.problems);
  return config;
}

function parseToml(text: string, origin: string): Record<string, unknown> {
  try {
    return toml.parse(text) as Record<string, unknown>;
  } catch (err) {
    // peggy's `location` is the parse position; under Bun, plain `line`/`column` are the JS engine's own
    // (the throwing source line), so they are only a fallback.
    const e = err as { message?: string; line?: number; column?: number; location?: { start?: { line?: number; column?: number } } };
    const line = e.location?.start?.line ?? e.line;
    const column = e.location?.start?.column ?? e.column;
    const problem: ConfigProblem = {
      path: "",
      message: `not valid TOML: ${e.message ?? String(err)}`,
      ...(typeof line === "number" ? { line } : {}),
      ...(typeof column === "number" ? { column } : {}),
    };
    throw new ConfigError(CONFIG_ERROR_CODES.PARSE, origin, [problem], { cause: err });
  }
}

function readText(opts: LoadConfigOptions): { text: string; origin: string } {
  if (opts.text !== undefined) return { text: opts.text, origin: opts.origin ?? "<text>" };
  if (opts.path === undefined) return { text: EMBEDDED_DEFAULT_TOML, origin: EMBEDDED_ORIGIN };
  try {
    return { text: fs.readFileSync(opts.path, "utf8"), origin: opts.path };
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new ConfigError(CONFIG_ERROR_CODES.READ, opts.path, [{ path: "", message: `cannot read: ${why}` }], { cause: err });
  }
}

/** Reads, parses and validates a config; with neither `path` nor `text`, the embedded default. */
export function loadConfig(opts: LoadConfigOptions = {}): FxConfig {
  const { text, origin } = readText(opts);
  const doc = parseToml(text, origin);
  const c: Collector = { problems: [], set: new Map() };
  walkDocument(doc, keyLines(text), c);
  if (opts.env) walkEnv(opts.env, c);
  if (opts.overrides) walkOverrides(opts.overrides, c);
  return finish(origin, c, DEFAULTS);
}

/**
 * A config from a (partial) object in TOML's shape, e.g. `{ executor: { max_workers: 2 } }`, validated
 * exactly like a file; missing keys take DEFAULTS. For the executor library.
 */
export function configFromObject(obj: unknown, opts: { origin?: string; overrides?: LoadConfigOptions["overrides"] } = {}): FxConfig {
  const origin = opts.origin ?? "<object>";
  if (!isTable(obj)) throw new ConfigError(CONFIG_ERROR_CODES.INVALID, origin, [{ path: "", message: "expected an object of config sections" }]);
  const c: Collector = { problems: [], set: new Map() };
  walkDocument(obj, null, c);
  if (opts.overrides) walkOverrides(opts.overrides, c);
  return finish(origin, c, DEFAULTS);
}
