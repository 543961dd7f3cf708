/**
 * A config back to text: TOML (`fx config check`, `fx config init`'s commented template), JSON for machines,
 * and the Markdown key reference in docs/configuration.md. All from the FIELDS table.
 */
import { DEFAULTS, type FxConfig } from "./schema.ts";
import { FIELDS, SECTIONS, envName, fieldPath, sectionDoc, type FieldSpec } from "./fields.ts";

function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

export function tomlValue(v: unknown): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(", ")}]`;
  if (v && typeof v === "object") {
    const parts = Object.entries(v).map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`);
    return parts.length ? `{ ${parts.join(", ")} }` : "{}";
  }
  throw new Error(`cannot render ${String(v)} as TOML`);
}

function valueAt(config: FxConfig, f: FieldSpec): unknown {
  let t: unknown = config;
  for (const p of fieldPath(f).split(".")) t = (t as Record<string, unknown>)[p];
  return t;
}

export interface RenderOptions {
  /** A "# meaning" line above every key (the `fx config init` template). */
  readonly comments?: boolean;
  readonly header?: string;
}

/**
 * TOML text that loads back to `config`. Unset keys, and provider keys the provider type does not use,
 * are written commented out (with an example) so the file stays valid.
 */
export function renderConfigToml(config: FxConfig, opts: RenderOptions = {}): string {
  const out: string[] = [];
  if (opts.header) out.push(...opts.header.trimEnd().split("\n").map((l) => (l ? `# ${l}` : "#")), "");
  for (const section of SECTIONS) {
    if (opts.comments) out.push(`# ${sectionDoc(section)}`);
    out.push(`[${section}]`);
    for (const f of FIELDS.filter((x) => x.section === section)) {
      const v = valueAt(config, f);
      const unused = f.providers !== undefined && !f.providers.includes(config.provider.type);
      if (opts.comments) {
        const only = f.providers ? ` (${f.providers.join(", ")} only)` : "";
        out.push(`# ${f.doc}${only} [env ${envName(f)}]`);
      }
      if (v === null) out.push(`# ${f.key} = ${f.example ?? '""'}`);
      else out.push(`${unused ? "# " : ""}${f.key} = ${tomlValue(v)}`);
    }
    out.push("");
  }
  return out.join("\n");
}

export const TEMPLATE_HEADER = `fx configuration (TOML). Every key is shown with its default; delete what you do not change.
Precedence, highest first: command-line flags > FX_<SECTION>_<KEY> environment variables > this file > defaults.
Check it with: fx config check <this file>`;

/** The fully commented config `fx config init` writes: every key, its default and its meaning. */
export function renderTemplate(): string {
  return renderConfigToml(DEFAULTS, { comments: true, header: TEMPLATE_HEADER });
}

/** A JSON-safe copy: Infinity becomes "inf". */
export function configToJson(config: FxConfig): string {
  return JSON.stringify(config, (_k, v) => (v === Infinity ? "inf" : v), 2);
}

function markdownDefault(v: unknown): string {
  if (v === null) return "unset";
  const s = tomlValue(v);
  return `\`${s.replace(/\|/g, "\\|")}\``;
}

/** The key reference table of docs/configuration.md. */
export function renderMarkdownReference(): string {
  const out: string[] = [];
  for (const section of SECTIONS) {
    out.push(`### [${section}]`, "", sectionDoc(section), "", "| key | default | env var | meaning |", "|---|---|---|---|");
    for (const f of FIELDS.filter((x) => x.section === section)) {
      const only = f.providers ? ` (${f.providers.join(", ")} only)` : "";
      out.push(`| \`${f.key}\` | ${markdownDefault(valueAt(DEFAULTS, f))} | \`${envName(f)}\` | ${f.doc.replace(/\|/g, "\\|")}${only} |`);
    }
    out.push("");
  }
  return out.join("\n");
}
