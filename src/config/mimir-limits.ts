import { z } from "zod";
import mimirKeys from "../../imports/mimir-config-keys.json" with { type: "json" };
import { closest } from "../validate/mimir-keys.js";
import { duration } from "./primitives.js";
import { byCodeUnit } from "../lib/order.js";

/** A Mimir per-tenant limit value as written in mimir.yaml `limits:` or runtime.yaml `overrides.<tenant>:`. */
export type MimirLimits = Record<string, unknown>;

interface KeyInfo {
  readonly type: string;
}

const fields = (mimirKeys as { fields: Record<string, KeyInfo> }).fields;

/** Maps a descriptor field type to the YAML value Mimir accepts for it. */
function schemaForType(type: string): z.ZodType {
  switch (type) {
    case "int":
      return z.number().int("must be a whole number");
    case "float":
      return z.number();
    case "boolean":
      return z.boolean();
    case "duration":
      return duration;
    case "string":
    case "url":
      return z.string();
    case "list of strings":
      return z.array(z.string());
    case "list of durations":
      return z.array(duration);
    default:
      if (type.startsWith("map of")) return z.record(z.string(), z.unknown());
      return z.unknown();
  }
}

interface Node {
  readonly children: Map<string, Node>;
  type?: string;
}

function buildTree(prefix: string): Node {
  const root: Node = { children: new Map() };
  for (const [path, info] of Object.entries(fields)) {
    if (!path.startsWith(prefix)) continue;
    let node = root;
    for (const part of path.slice(prefix.length).split(".")) {
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.type = info.type;
  }
  return root;
}

function schemaForNode(node: Node, what: string): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, child] of [...node.children].sort(([a], [b]) => byCodeUnit(a, b))) {
    shape[name] = (child.type !== undefined ? schemaForType(child.type) : schemaForNode(child, what)).optional();
  }
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const keys = (issue as { keys?: string[] }).keys ?? [];
      return keys
        .map((key) => {
          const hint = closest(key, known);
          return `unknown ${what} "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`;
        })
        .join("; ");
    },
  });
}

/**
 * Schema for a set of Mimir per-tenant limits, derived from Mimir's own config descriptor
 * (committed as imports/mimir-config-keys.json), so every key and type is upstream's.
 */
export const mimirLimitsSchema = schemaForNode(buildTree("limits."), "Mimir limit") as z.ZodType<MimirLimits>;

/** True when `limits.<name>` is a real Mimir limit. */
export function isMimirLimit(name: string): boolean {
  return `limits.${name}` in fields;
}
