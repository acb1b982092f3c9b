/**
 * Regenerates imports/mimir-config-keys.json from Mimir's machine-readable config descriptor in
 * ../shared/mimir/config-descriptor.json (override the shared folder with SHARED_DIR).
 *
 *   npm run update-mimir-keys
 *
 * Output shape (one field per line so diffs stay readable, keys sorted so reruns are byte-identical):
 *   {
 *     "source": "...",
 *     "fields": { "<dotted.path>": { "type": "...", "flag"?: "...", "category"?: "...", "default"?: ... } },
 *     "blocks": [ "<dotted.path>", ... ]
 *   }
 *
 * Element fields of list-of-object settings are recorded under "<path>[].<name>" and those of
 * map-of-object settings under "<path>.*.<name>", so the checker can follow them without guessing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const sharedDir = process.env.SHARED_DIR ? path.resolve(process.env.SHARED_DIR) : path.resolve(repoRoot, "..", "shared");
const descriptorPath = path.join(sharedDir, "mimir", "config-descriptor.json");
const outPath = path.join(repoRoot, "imports", "mimir-config-keys.json");

interface Entry {
  kind: "block" | "field" | "map";
  name: string;
  blockEntries?: Entry[] | null;
  fieldType?: string;
  fieldFlag?: string;
  fieldCategory?: string;
  fieldDefaultValue?: unknown;
  fieldElement?: Entry;
}

interface FieldInfo {
  type: string;
  flag?: string;
  category?: string;
  default?: unknown;
}

function fail(message: string): never {
  console.error(`update-mimir-keys: ${message}`);
  process.exit(1);
}

/** Formats nanoseconds the way Go's time.Duration prints them, minus zero-valued trailing units ("10m", "1h30m"). */
function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let rest = Math.abs(ns);
  if (rest < 1e9) {
    if (rest % 1e6 === 0) return `${sign}${rest / 1e6}ms`;
    if (rest % 1e3 === 0) return `${sign}${rest / 1e3}us`;
    return `${sign}${rest}ns`;
  }
  const h = Math.floor(rest / 3.6e12);
  rest -= h * 3.6e12;
  const m = Math.floor(rest / 6e10);
  rest -= m * 6e10;
  const s = rest / 1e9;
  let out = sign;
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (s) out += `${Number(s.toFixed(9))}s`;
  return out;
}

/** Go's url.URL struct as it appears in the descriptor, turned back into a URL string. */
function formatUrl(u: Record<string, unknown>): string | undefined {
  const host = typeof u.Host === "string" ? u.Host : "";
  const scheme = typeof u.Scheme === "string" ? u.Scheme : "";
  const p = typeof u.Path === "string" ? u.Path : "";
  if (!host && !scheme && !p) return undefined;
  return `${scheme ? `${scheme}://` : ""}${host}${p}`;
}

function convertDefault(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (type === "duration" && typeof value === "number") return formatDuration(value);
  if (type === "list of durations" && Array.isArray(value)) {
    return value.map((v) => (typeof v === "number" ? formatDuration(v) : v));
  }
  if (type === "url") {
    if (typeof value === "string") return value || undefined;
    if (typeof value === "object") return formatUrl(value as Record<string, unknown>);
  }
  return value;
}

function main(): void {
  if (!existsSync(descriptorPath)) {
    fail(`Mimir config descriptor not found at ${descriptorPath}. It lives in the shared/ folder next to the repo ` +
      `(development and CI only); set SHARED_DIR to point at it.`);
  }
  const root = JSON.parse(readFileSync(descriptorPath, "utf8")) as Entry;
  if (root.kind !== "block" || !Array.isArray(root.blockEntries)) fail("descriptor root is not a block with blockEntries");

  const fields = new Map<string, FieldInfo>();
  const blocks = new Set<string>();

  const addField = (p: string, info: FieldInfo): void => {
    if (fields.has(p) || blocks.has(p)) fail(`duplicate config path ${p}`);
    fields.set(p, info);
  };

  const walkBlock = (block: Entry, prefix: string): void => {
    for (const entry of block.blockEntries ?? []) {
      const p = prefix ? `${prefix}.${entry.name}` : entry.name;
      if (entry.kind === "block") {
        if (!entry.blockEntries || entry.blockEntries.length === 0) {
          // The descriptor renders a couple of secret-valued settings (flagext.Secret) as empty blocks; in YAML
          // they are plain strings, exactly like their per-tenant counterparts.
          addField(p, { type: "string" });
          continue;
        }
        if (fields.has(p)) fail(`block ${p} clashes with a field`);
        blocks.add(p);
        walkBlock(entry, p);
        continue;
      }
      if (entry.kind === "map" && entry.fieldElement) {
        // Map from an arbitrary key to a structured value.
        addField(p, { type: "map of string to block" });
        walkBlock(entry.fieldElement, `${p}.*`);
        continue;
      }
      if (entry.kind !== "field") fail(`unexpected entry kind ${String(entry.kind)} at ${p}`);
      const type = entry.fieldType ?? "unknown";
      const info: FieldInfo = { type };
      if (entry.fieldFlag) info.flag = entry.fieldFlag;
      if (entry.fieldCategory) info.category = entry.fieldCategory;
      const def = convertDefault(type, entry.fieldDefaultValue);
      if (def !== undefined) info.default = def;
      addField(p, info);
      if (type === "slice" && entry.fieldElement) walkBlock(entry.fieldElement, `${p}[]`);
    }
  };
  walkBlock(root, "");

  const sortedKeys = [...fields.keys()].sort();
  const lines: string[] = [];
  lines.push("{");
  lines.push(`"source":${JSON.stringify("mimir config descriptor (3.0 line)")},`);
  lines.push(`"fields":{`);
  sortedKeys.forEach((k, i) => {
    const info = fields.get(k)!;
    const ordered: FieldInfo = { type: info.type };
    if (info.flag !== undefined) ordered.flag = info.flag;
    if (info.category !== undefined) ordered.category = info.category;
    if (info.default !== undefined) ordered.default = sortDeep(info.default);
    lines.push(`${JSON.stringify(k)}:${JSON.stringify(ordered)}${i < sortedKeys.length - 1 ? "," : ""}`);
  });
  lines.push("},");
  const sortedBlocks = [...blocks].sort();
  lines.push(`"blocks":[`);
  sortedBlocks.forEach((b, i) => lines.push(`${JSON.stringify(b)}${i < sortedBlocks.length - 1 ? "," : ""}`));
  lines.push("]");
  lines.push("}");
  const text = lines.join("\n") + "\n";
  JSON.parse(text); // sanity
  mkdirSync(path.dirname(outPath), { recursive: true });
  writeFileSync(outPath, text);
  const typeCounts = new Map<string, number>();
  for (const f of fields.values()) typeCounts.set(f.type, (typeCounts.get(f.type) ?? 0) + 1);
  console.log(`imports/mimir-config-keys.json: ${fields.size} fields, ${blocks.size} blocks, ${(text.length / 1024).toFixed(0)} KiB`);
  console.log(`  types: ${[...typeCounts].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t}=${n}`).join(", ")}`);
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

main();
