/**
 * Shared helpers for turning ajv-style validation errors into readable findings, and for spotting fields a
 * compiled validator never looked at (kubernetes-models' validators ignore unknown properties).
 */
import { joinPath, pointerToPath } from "./problem.js";

/** The subset of ajv's ErrorObject the validators (ajv itself and kubernetes-models' precompiled ones) produce. */
export interface SchemaError {
  instancePath: string;
  schemaPath?: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A finding without file/object context: the caller adds those. */
export interface Finding {
  path: string;
  message: string;
}

export type ValidateFn = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    if (cur === null || typeof cur !== "object") return undefined;
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number") return `${Number.isInteger(v) ? "integer" : "number"} ${v}`;
  return `${typeof v} ${String(v)}`;
}

/** Converts validator errors into findings; `root` is the validated value (used to show what was found). */
export function findingsFromErrors(errors: readonly SchemaError[] | null | undefined, root: unknown, basePath = ""): Finding[] {
  if (!errors || errors.length === 0) return [];
  const prefix = (p: string): string => (basePath ? (p ? (p.startsWith("[") ? basePath + p : `${basePath}.${p}`) : basePath) : p);
  // Paths where a oneOf/anyOf failed: their branch errors are folded into one "expected A or B" message.
  const unionPaths = new Set(errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf").map((e) => e.instancePath));
  const out: Finding[] = [];
  const seen = new Set<string>();
  const push = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, message });
  };
  for (const path of unionPaths) {
    const types = errors
      .filter((e) => e.instancePath === path && e.keyword === "type")
      .flatMap((e) => (Array.isArray(e.params.type) ? (e.params.type as string[]) : [String(e.params.type)]));
    const uniq = [...new Set(types)];
    const got = describeValue(valueAt(root, path));
    push(prefix(pointerToPath(path)), uniq.length ? `expected ${uniq.join(" or ")}, got ${got}` : `does not match any allowed schema (got ${got})`);
  }
  for (const e of errors) {
    if (unionPaths.has(e.instancePath)) continue;
    const path = pointerToPath(e.instancePath);
    switch (e.keyword) {
      case "additionalProperties": {
        const prop = String(e.params.additionalProperty);
        push(prefix(joinPath(path, prop)), `unknown field ${JSON.stringify(prop)}`);
        break;
      }
      case "required":
        push(prefix(path), `missing required field ${JSON.stringify(String(e.params.missingProperty))}`);
        break;
      case "type": {
        const t = Array.isArray(e.params.type) ? (e.params.type as string[]).join(" or ") : String(e.params.type);
        push(prefix(path), `expected ${t}, got ${describeValue(valueAt(root, e.instancePath))}`);
        break;
      }
      case "enum": {
        const allowed = (e.params.allowedValues as unknown[] | undefined) ?? [];
        push(prefix(path), `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}; got ${describeValue(valueAt(root, e.instancePath))}`);
        break;
      }
      case "format":
        push(prefix(path), `must be a valid ${String(e.params.format)}; got ${describeValue(valueAt(root, e.instancePath))}`);
        break;
      case "pattern":
        push(prefix(path), `must match pattern ${String(e.params.pattern)}; got ${describeValue(valueAt(root, e.instancePath))}`);
        break;
      case "if":
      case "not":
        break;
      default:
        push(prefix(path), e.message ?? `fails "${e.keyword}" ${JSON.stringify(e.params)}`);
    }
  }
  return out;
}

/**
 * Runs a precompiled validator on a proxied view of `data` and reports, besides the validator's own errors,
 * every property the validator never read. Generated validators read each declared property by name
 * (`data.foo !== undefined`), and enumerate keys only for map-like schemas (additionalProperties), so:
 *   - keys read by name          → declared properties;
 *   - object enumerated          → map / additionalProperties: any key is fine;
 *   - nothing read at all        → free-form object (no declared properties), anything goes below it;
 *   - object never reached       → lives under a free-form value, not checked.
 * Whatever remains is an unknown field.
 */
export function validateTracked(fn: ValidateFn, data: unknown, basePath = ""): Finding[] {
  const accessed = new Map<object, Set<string>>();
  const enumerated = new Set<object>();
  const proxies = new WeakMap<object, object>();

  const handler: ProxyHandler<object> = {
    get(target, key, receiver) {
      if (typeof key === "string") accessed.get(target)!.add(key);
      return wrap(Reflect.get(target, key, receiver));
    },
    has(target, key) {
      if (typeof key === "string") accessed.get(target)!.add(key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === "string") accessed.get(target)!.add(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      enumerated.add(target);
      return Reflect.ownKeys(target);
    },
  };

  function wrap(v: unknown): unknown {
    if (v === null || typeof v !== "object") return v;
    let p = proxies.get(v);
    if (!p) {
      if (!accessed.has(v)) accessed.set(v, new Set());
      p = new Proxy(v, handler);
      proxies.set(v, p);
    }
    return p;
  }

  const ok = fn(wrap(data));
  const findings = ok ? [] : findingsFromErrors(fn.errors, data, basePath);

  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, joinPath(path, i)));
      return;
    }
    const seen = accessed.get(v);
    if (!seen || seen.size === 0) return; // not reached, or free-form
    const isMap = enumerated.has(v);
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key];
      if (!isMap && !seen.has(key)) {
        if (child === undefined) continue;
        findings.push({ path: joinPath(path, key), message: `unknown field ${JSON.stringify(key)}` });
        continue;
      }
      walk(child, joinPath(path, key));
    }
  };
  walk(data, basePath);
  return findings;
}
