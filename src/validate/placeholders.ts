/**
 * Finds `${NAME}` placeholders left in rendered manifests. Mimir runs with -config.expand-env=true, so any
 * `${NAME}` in its config is replaced by the environment variable NAME (empty when unset); outside Mimir's
 * config a leftover placeholder is usually an unrendered template. Names on the allow-list are intended.
 * `${NAME:default}` (Mimir's default-value form) is matched on NAME. Plain `$NAME` is not checked.
 */
import { joinPath, type Problem } from "./problem.js";

/**
 * Environment variables the platform deliberately leaves for Mimir's -config.expand-env to fill in.
 * Empty for now: add names here (or pass a set to findPlaceholders/validateManifests) as they are introduced.
 */
export const MIMIR_EXPAND_ENV_ALLOWLIST: ReadonlySet<string> = new Set<string>();

export interface PlaceholderContext {
  file: string;
  object?: string;
  /** Path of `value` inside its object; the findings' paths are built from it. */
  path?: string;
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The placeholder names (before any `:default`) in one string, in order of appearance. */
export function placeholderNames(s: string): string[] {
  const names: string[] = [];
  if (!s.includes("${")) return names;
  for (const m of s.matchAll(PLACEHOLDER)) names.push(m[1]!.split(":")[0]!.trim());
  return names;
}

/** Problems for every `${NAME}` in any string inside `value` whose NAME is not in `allow`. */
export function findPlaceholders(value: unknown, allow: ReadonlySet<string>, ctx: PlaceholderContext = { file: "" }): Problem[] {
  const problems: Problem[] = [];
  const visit = (v: unknown, path: string): void => {
    if (typeof v === "string") {
      if (!v.includes("${")) return;
      const bad = [...new Set(placeholderNames(v).filter((n) => !allow.has(n)))];
      if (bad.length === 0) return;
      const p: Problem = {
        file: ctx.file,
        message: `unresolved placeholder${bad.length > 1 ? "s" : ""} ${bad.map((n) => `"\${${n}}"`).join(", ")} ` +
          `(not in the allow-list)`,
      };
      if (ctx.object !== undefined) p.object = ctx.object;
      if (path) p.path = path;
      problems.push(p);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, joinPath(path, i)));
      return;
    }
    if (v !== null && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) visit(item, joinPath(path, k));
    }
  };
  visit(value, ctx.path ?? "");
  return problems;
}
