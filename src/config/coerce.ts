/**
 * Checking one value against its field kind: `checkValue` for values from TOML or a JS object,
 * `parseText` for strings from FX_* env vars and flags (then checked the same way). Pure functions.
 */
import type { FieldKind } from "./fields.ts";
import { closest } from "./suggest.ts";

export type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const ok = (value: unknown): Checked => ({ ok: true, value });
const bad = (message: string): Checked => ({ ok: false, message });

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a date";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a float";
  if (typeof v === "object") return "a table";
  return `a ${typeof v}`;
}

function isPort(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
}

function checkNumber(v: unknown, k: Extract<FieldKind, { t: "number" }>): Checked {
  if (typeof v !== "number" || Number.isNaN(v)) return bad(`expected a number, got ${typeName(v)}`);
  if (!Number.isFinite(v)) return bad(`must be finite, got ${v}`);
  if (k.above !== undefined && !(v > k.above)) return bad(`must be greater than ${k.above}, got ${v}`);
  if (k.min !== undefined && v < k.min) return bad(`must be at least ${k.min}, got ${v}`);
  if (k.max !== undefined && v > k.max) return bad(`must be at most ${k.max}, got ${v}`);
  return ok(v);
}

function checkInt(v: unknown, min: number, max?: number): Checked {
  if (typeof v !== "number" || !Number.isInteger(v)) return bad(`expected an integer, got ${typeName(v)}${typeof v === "number" ? ` (${v})` : ""}`);
  if (v < min) return bad(`must be at least ${min}, got ${v}`);
  if (max !== undefined && v > max) return bad(`must be at most ${max}, got ${v}`);
  return ok(v);
}

function checkStringList(v: unknown, nonEmpty: boolean): Checked {
  if (!Array.isArray(v)) return bad(`expected an array of strings, got ${typeName(v)}`);
  const i = v.findIndex((x) => typeof x !== "string" || x === "");
  if (i >= 0) return bad(`element ${i} must be a non-empty string, got ${typeName(v[i])}`);
  if (nonEmpty && v.length === 0) return bad("must not be empty");
  return ok([...v]);
}

export function checkValue(v: unknown, k: FieldKind): Checked {
  switch (k.t) {
    case "string":
      if (typeof v !== "string") return bad(`expected a string, got ${typeName(v)}`);
      if (k.nonEmpty && v.trim() === "") return bad("must not be empty");
      if (k.pattern && !k.pattern.test(v)) return bad(`${JSON.stringify(v)} may only contain ${k.patternHint ?? k.pattern.source}`);
      return ok(v);
    case "nullable_string":
      if (v === null) return ok(null);
      if (typeof v !== "string" || v === "") return bad(`expected a non-empty string, got ${typeName(v)}`);
      return ok(v);
    case "bool":
      return typeof v === "boolean" ? ok(v) : bad(`expected true or false, got ${typeName(v)}`);
    case "int":
      return checkInt(v, k.min, k.max);
    case "nullable_int":
      return v === null ? ok(null) : checkInt(v, k.min);
    case "number":
      return checkNumber(v, k);
    case "int_or_inf":
      if (v === Infinity) return ok(Infinity);
      return typeof v === "number" && !Number.isInteger(v)
        ? bad(`expected an integer or inf, got ${v}`)
        : checkInt(v, k.min);
    case "enum":
      if (typeof v !== "string") return bad(`expected one of ${k.values.join(", ")}; got ${typeName(v)}`);
      if (k.values.includes(v)) return ok(v);
      {
        const near = closest(v, k.values);
        return bad(`unknown value ${JSON.stringify(v)}${near ? ` (did you mean "${near}"?)` : ""}; expected one of ${k.values.join(", ")}`);
      }
    case "port_range": {
      if (!Array.isArray(v) || v.length !== 2) return bad(`expected [lo, hi], got ${typeName(v)}`);
      const [lo, hi] = v;
      if (!isPort(lo) || !isPort(hi)) return bad(`ports must be integers within 1..65535, got [${String(lo)}, ${String(hi)}]`);
      if (!(lo < hi)) return bad(`lo must be below hi, got [${lo}, ${hi}]`);
      return ok([lo, hi]);
    }
    case "nullable_port_pair": {
      if (v === null) return ok(null);
      if (!Array.isArray(v) || v.length !== 2) return bad(`expected [task_port, result_port], got ${typeName(v)}`);
      const [a, b] = v;
      if (!isPort(a) || !isPort(b)) return bad(`ports must be integers within 1..65535, got [${String(a)}, ${String(b)}]`);
      if (a === b) return bad(`the two ports must differ, got [${a}, ${b}]`);
      return ok([a, b]);
    }
    case "string_list":
      return checkStringList(k.single && typeof v === "string" ? [v] : v, k.nonEmpty ?? false);
    case "argv_templates": {
      if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Date) return bad(`expected a table of argv lists, got ${typeName(v)}`);
      const out: Record<string, string[]> = {};
      for (const [name, argv] of Object.entries(v)) {
        const c = checkStringList(argv, true);
        if (!c.ok) return bad(`${name}: ${c.message}`);
        const list = c.value as string[];
        if (!list.some((w) => w.includes("{image}"))) return bad(`${name}: must contain "{image}"`);
        out[name] = list;
      }
      return ok(out);
    }
    case "walltime": {
      if (typeof v !== "string") return bad(`expected "HH:MM:SS", got ${typeName(v)}`);
      const m = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(v);
      if (!m) return bad(`expected "HH:MM:SS", got ${JSON.stringify(v)}`);
      if (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) === 0) return bad("must be longer than 00:00:00");
      return ok(v);
    }
  }
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

function splitList(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter((x) => x !== "");
}

function toNumber(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === "inf" || t === "infinity" || t === "+inf") return Infinity;
  return t === "" ? NaN : Number(t);
}

/** Reads an env var or flag string as the kind's value type, then checks it. */
export function parseText(s: string, k: FieldKind): Checked {
  switch (k.t) {
    case "string":
    case "enum":
    case "walltime":
      return checkValue(s, k);
    case "nullable_string":
      return checkValue(s === "" ? null : s, k);
    case "bool": {
      const t = s.trim().toLowerCase();
      if (TRUE.has(t)) return ok(true);
      if (FALSE.has(t)) return ok(false);
      return bad(`expected true or false, got ${JSON.stringify(s)}`);
    }
    case "int":
    case "number":
    case "int_or_inf": {
      const n = toNumber(s);
      if (Number.isNaN(n)) return bad(`expected a number, got ${JSON.stringify(s)}`);
      return checkValue(n, k);
    }
    case "nullable_int": {
      if (s.trim() === "") return ok(null);
      const n = toNumber(s);
      if (Number.isNaN(n)) return bad(`expected an integer, got ${JSON.stringify(s)}`);
      return checkValue(n, k);
    }
    case "port_range":
    case "nullable_port_pair": {
      if (k.t === "nullable_port_pair" && s.trim() === "") return ok(null);
      const parts = s.split(/[,:-]/).map((x) => x.trim());
      if (parts.length !== 2 || parts.some((p) => !/^\d+$/.test(p))) return bad(`expected two ports "A,B", got ${JSON.stringify(s)}`);
      return checkValue(parts.map(Number), k);
    }
    case "string_list": {
      // A JSON array keeps items that contain commas (e.g. podman's --mount type=bind,src=…,dst=…).
      if (s.trim().startsWith("[")) {
        try {
          return checkValue(JSON.parse(s) as unknown, k);
        } catch {
          return bad(`expected a JSON array of strings or "a,b,c", got ${JSON.stringify(s)}`);
        }
      }
      return checkValue(splitList(s), k);
    }
    case "argv_templates": {
      let v: unknown;
      try {
        v = JSON.parse(s);
      } catch {
        return bad(`expected a JSON object of argv lists, got ${JSON.stringify(s)}`);
      }
      return checkValue(v, k);
    }
  }
}
