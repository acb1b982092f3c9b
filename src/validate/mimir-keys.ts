/**
 * Checks Mimir configuration documents (mimir.yaml and the runtime/overrides file) against the key list
 * generated from Mimir's config descriptor (imports/mimir-config-keys.json, `npm run update-mimir-keys`).
 *
 * Every key must exist and carry a value of the declared type; null is always accepted (Mimir keeps the
 * default). Unknown keys get a did-you-mean suggestion when a close key exists.
 */
import keys from "../../imports/mimir-config-keys.json" with { type: "json" };
import { joinPath, type Problem } from "./problem.js";
import { describeValue } from "./schema-errors.js";

export interface MimirFieldInfo {
  type: string;
  flag?: string;
  category?: string;
  default?: unknown;
}

interface KeysFile {
  source: string;
  fields: Record<string, MimirFieldInfo>;
  blocks: string[];
}

/** Where the checked document lives: file, "Kind/name" and the path of the YAML text inside the object. */
export interface MimirCheckContext {
  file: string;
  object?: string;
  path?: string;
}

interface KeyIndex {
  fields: Map<string, MimirFieldInfo>;
  blocks: Set<string>;
  /** parent path ("" for top level) → names of its direct children */
  children: Map<string, string[]>;
  /** last path segment → full paths ending in it (for "right key, wrong block" suggestions) */
  byLeaf: Map<string, string[]>;
}

let index: KeyIndex | undefined;

function keyIndex(): KeyIndex {
  if (index) return index;
  const file = keys as unknown as KeysFile;
  const fields = new Map(Object.entries(file.fields));
  const blocks = new Set(file.blocks);
  const children = new Map<string, string[]>();
  const byLeaf = new Map<string, string[]>();
  for (const p of [...fields.keys(), ...blocks]) {
    const dot = p.lastIndexOf(".");
    const parent = dot < 0 ? "" : p.slice(0, dot);
    const leaf = dot < 0 ? p : p.slice(dot + 1);
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(leaf);
    let leaves = byLeaf.get(leaf);
    if (!leaves) byLeaf.set(leaf, (leaves = []));
    leaves.push(p);
  }
  for (const list of byLeaf.values()) list.sort();
  index = { fields, blocks, children, byLeaf };
  return index;
}

/** Descriptor information for a dotted key (e.g. "limits.ingestion_rate"), if it is a field. */
export function mimirField(path: string): MimirFieldInfo | undefined {
  return keyIndex().fields.get(path);
}

/** True when the dotted path names a config block (e.g. "blocks_storage.s3"). */
export function isMimirBlock(path: string): boolean {
  return keyIndex().blocks.has(path);
}

/** Levenshtein distance with an early exit once every cell of a row exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Closest candidate within a distance that scales with the key's length (or, failing that, the
 * shortest candidate the key is a prefix of), or undefined: the one did-you-mean rule for Mimir
 * keys, limits and flags.
 */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 4)));
  let best: string | undefined;
  let bestD = limit + 1;
  const lower = key.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c, bestD);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  if (bestD <= limit) return best;
  // A truncated name ("ingestion_burst" for "ingestion_burst_size").
  if (lower.length >= 4) return candidates.filter((c) => c.startsWith(lower)).sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0];
  return undefined;
}

const DURATION = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d|w|y))+$/;

/** Go time.Duration or Prometheus model.Duration text ("30s", "1h30m", "15d", "0"). */
export function isDurationString(s: string): boolean {
  return s === "0" || DURATION.test(s);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class Checker {
  readonly problems: Problem[] = [];
  private readonly idx = keyIndex();

  constructor(private readonly ctx: MimirCheckContext, private readonly what: string) {}

  report(message: string): void {
    const p: Problem = { file: this.ctx.file, message };
    if (this.ctx.object !== undefined) p.object = this.ctx.object;
    if (this.ctx.path !== undefined) p.path = this.ctx.path;
    this.problems.push(p);
  }

  /**
   * Checks the keys of a mapping that corresponds to descriptor block `prefix` ("" = top level).
   * `shown` is the same location as written in the document (differs for runtime overrides).
   */
  block(value: unknown, prefix: string, shown: string): void {
    if (value === null || value === undefined) return;
    if (!isPlainObject(value)) {
      this.report(`${this.what} ${shown ? `"${shown}"` : "document"} must be a mapping, got ${describeValue(value)}`);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const full = prefix ? `${prefix}.${key}` : key;
      const shownKey = joinPath(shown, key);
      const info = this.idx.fields.get(full);
      if (info) this.value(info, child, full, shownKey);
      else if (this.idx.blocks.has(full)) this.block(child, full, shownKey);
      else this.unknown(key, prefix, shown, shownKey);
    }
  }

  private unknown(key: string, prefix: string, shown: string, shownKey: string): void {
    let hints: string[] = [];
    const sibling = closest(key, this.idx.children.get(prefix) ?? []);
    if (sibling !== undefined) {
      hints = [joinPath(shown, sibling)];
    } else {
      // Right name, wrong place? Only suggest within the same subtree (e.g. the tenant limits).
      const elsewhere = (this.idx.byLeaf.get(key) ?? []).filter((p) => prefix === "" || p.startsWith(`${prefix}.`));
      hints = elsewhere.slice(0, 3).map((p) =>
        prefix === "" ? p : p.slice(prefix.length + 1).split(".").reduce((acc, seg) => joinPath(acc, seg), shown),
      );
      if (elsewhere.length > 3) hints.push("…");
    }
    const hint = hints.length ? ` (did you mean ${hints.map((h) => (h === "…" ? h : `"${h}"`)).join(" or ")}?)` : "";
    this.report(`unknown ${this.what} key "${shownKey}"${hint}`);
  }

  private typeError(shownKey: string, expected: string, got: unknown): void {
    this.report(`${this.what} key "${shownKey}" expects ${expected}, got ${describeValue(got)}`);
  }

  value(info: MimirFieldInfo, v: unknown, full: string, shownKey: string): void {
    if (v === null || v === undefined) return;
    const t = info.type;
    switch (t) {
      case "int":
        if (typeof v !== "number" || !Number.isInteger(v)) this.typeError(shownKey, "an int", v);
        return;
      case "float":
        if (typeof v !== "number") this.typeError(shownKey, "a number", v);
        return;
      case "boolean":
        if (typeof v !== "boolean") this.typeError(shownKey, "a boolean", v);
        return;
      case "string":
      case "url":
        if (typeof v !== "string") this.typeError(shownKey, "a string", v);
        return;
      case "duration":
        if (!(typeof v === "string" && isDurationString(v)) && v !== 0) {
          this.typeError(shownKey, 'a duration (e.g. "30s", "1h30m", "15d")', v);
        }
        return;
      case "list of strings":
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) this.typeError(shownKey, "a list of strings", v);
        return;
      case "list of durations":
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || !isDurationString(x))) {
          this.typeError(shownKey, "a list of durations", v);
        }
        return;
      case "slice":
        if (!Array.isArray(v)) {
          this.typeError(shownKey, "a list", v);
          return;
        }
        v.forEach((item, i) => this.block(item, `${full}[]`, joinPath(shownKey, i)));
        return;
      case "relabel_config...":
        if (!Array.isArray(v) || v.some((x) => !isPlainObject(x))) this.typeError(shownKey, "a list of relabel configs", v);
        return;
      case "map of string to block":
        if (!isPlainObject(v)) {
          this.typeError(shownKey, "a mapping", v);
          return;
        }
        for (const [k, item] of Object.entries(v)) this.block(item, `${full}.*`, joinPath(shownKey, k));
        return;
      default:
        if (t.startsWith("map of ")) {
          if (!isPlainObject(v)) {
            this.typeError(shownKey, "a mapping", v);
            return;
          }
          const valueCheck = mapValueCheck(t);
          for (const [k, item] of Object.entries(v)) {
            if (item !== null && valueCheck && !valueCheck.ok(item)) this.typeError(joinPath(shownKey, k), valueCheck.expected, item);
          }
        }
      // Types the descriptor may add later are accepted as-is rather than guessed at.
    }
  }
}

function mapValueCheck(type: string): { ok: (v: unknown) => boolean; expected: string } | undefined {
  const valueType = type.slice(type.lastIndexOf(" to ") + 4).trim();
  if (valueType === "int") return { ok: (v) => typeof v === "number" && Number.isInteger(v), expected: "an int" };
  if (valueType === "float64" || valueType === "float") return { ok: (v) => typeof v === "number", expected: "a number" };
  if (valueType === "string" || valueType.endsWith("(string)")) return { ok: (v) => typeof v === "string", expected: "a string" };
  return undefined;
}

/** Checks a parsed mimir.yaml: every key must be a known config key with a value of the right type. */
export function checkMimirConfig(doc: unknown, ctx: MimirCheckContext): Problem[] {
  const c = new Checker(ctx, "Mimir config");
  c.block(doc, "", "");
  return c.problems;
}

const RUNTIME_SECTIONS: ReadonlyMap<string, string> = new Map([
  ["ingester_limits", "ingester.instance_limits"],
  ["distributor_limits", "distributor.instance_limits"],
]);

/**
 * Checks a parsed runtime config (the file named by runtime_config.file):
 *   overrides.<tenant>.<key>   → fields of the `limits` block
 *   ingester_limits.<key>      → fields of `ingester.instance_limits`
 *   distributor_limits.<key>   → fields of `distributor.instance_limits`
 */
export function checkRuntimeConfig(doc: unknown, ctx: MimirCheckContext): Problem[] {
  const c = new Checker(ctx, "Mimir runtime config");
  if (doc === null || doc === undefined) return c.problems;
  if (!isPlainObject(doc)) {
    c.report(`Mimir runtime config must be a mapping, got ${describeValue(doc)}`);
    return c.problems;
  }
  const topLevel = ["overrides", ...RUNTIME_SECTIONS.keys()];
  for (const [key, value] of Object.entries(doc)) {
    if (key === "overrides") {
      if (value === null) continue;
      if (!isPlainObject(value)) {
        c.report(`Mimir runtime config key "overrides" expects a mapping of tenant → limits, got ${describeValue(value)}`);
        continue;
      }
      for (const [tenant, limits] of Object.entries(value)) c.block(limits, "limits", joinPath("overrides", tenant));
    } else if (RUNTIME_SECTIONS.has(key)) {
      c.block(value, RUNTIME_SECTIONS.get(key)!, key);
    } else {
      const hint = closest(key, topLevel);
      c.report(`unknown Mimir runtime config key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`);
    }
  }
  return c.problems;
}
