import type { Problem } from "../validate/problem.js";

/** Formats a zod/JS path array as `tenants[2].limits.ingestion_rate`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const key = String(part);
      out += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Invalid input: carries every problem found, each naming the file and field path. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((p) => [p.file, p.path, p.message].filter(Boolean).join(": ")).join("\n"));
    this.name = "ConfigError";
  }
}
