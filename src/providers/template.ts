/**
 * Submit-script templates: `${name}` placeholders filled from a table of values. A template with any
 * value missing fails listing every missing name at once (never a script with holes in it).
 */
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type TemplateValues = Readonly<Record<string, string | number | null | undefined>>;

/** Names the template uses, in first-use order. */
export function templateVariables(template: string): string[] {
  const seen = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) seen.add(m[1]!);
  return [...seen];
}

/** Fills every placeholder; throws ProviderError(TEMPLATE) naming all missing variables. */
export function renderTemplate(template: string, values: TemplateValues, what = "submit script"): string {
  const missing = templateVariables(template).filter((n) => values[n] === undefined || values[n] === null);
  if (missing.length > 0) {
    throw new ProviderError(C.TEMPLATE, `${what} template is missing values for: ${missing.join(", ")}`);
  }
  return template.replace(PLACEHOLDER, (_m, name: string) => String(values[name]));
}
