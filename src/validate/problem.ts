/** One finding of the manifest validator. */
export interface Problem {
  /** File the object came from (as given by the caller, usually repo-relative). */
  file: string;
  /** "Kind/name" of the offending object, when known. */
  object?: string;
  /** Field path inside the object, e.g. spec.template.spec.containers[0].bogus or data["mimir.yaml"]. */
  path?: string;
  message: string;
}

/** `file: Kind/name: path: message`, leaving out whatever is missing. */
export function formatProblem(p: Problem): string {
  return [p.file, p.object, p.path, p.message].filter((part) => part !== undefined && part !== "").join(": ");
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Appends one segment to a field path: `.name` for plain keys, `["odd.key"]` otherwise, `[3]` for indexes. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (IDENT.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** "Kind/name" for an object, or undefined when it has neither. */
export function objectRef(obj: unknown): string | undefined {
  if (!obj || typeof obj !== "object") return undefined;
  const o = obj as { kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof o.kind === "string" ? o.kind : undefined;
  const name = o.metadata && typeof o.metadata === "object" && typeof o.metadata.name === "string" ? o.metadata.name : undefined;
  if (!kind && !name) return undefined;
  return `${kind ?? "?"}/${name ?? "?"}`;
}

/** Converts a JSON pointer (`/spec/containers/0/name`) into a field path (`spec.containers[0].name`). */
export function pointerToPath(pointer: string): string {
  if (!pointer) return "";
  let out = "";
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out = /^\d+$/.test(seg) ? joinPath(out, Number(seg)) : joinPath(out, seg);
  }
  return out;
}
