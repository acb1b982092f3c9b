import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Remembers which objects passed the per-object schema checks (Kubernetes schemas, CRD schemas) so
 * that the next `npm run synth` skips re-checking objects that did not change: compiling and
 * running those validators is the largest part of a cold synth. Only those two checks are skipped;
 * every other check (names, duplicates, Mimir keys, invariants, security) runs every time.
 *
 * An object's key is a hash of its JSON. The whole file belongs to one build of the CLI (the
 * bundle's input hash, which covers src/, imports/ and the lockfile), so any change to code,
 * schemas or dependencies starts from an empty cache. Tests and `npm run validate` never use it.
 */
export class SchemaResultCache {
  private readonly valid: Set<string>;
  private added = false;

  constructor(
    private readonly file: string,
    private readonly version: string,
  ) {
    this.valid = new Set(readEntries(file, version));
  }

  key(object: unknown): string {
    return createHash("sha1").update(JSON.stringify(object)).digest("base64");
  }

  has(key: string): boolean {
    return this.valid.has(key);
  }

  add(key: string): void {
    if (this.valid.has(key)) return;
    this.valid.add(key);
    this.added = true;
  }

  /** Writes the cache (atomically) when anything was added; keys of objects that no longer exist are kept until the next build. */
  save(): void {
    if (!this.added) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: this.version, valid: [...this.valid] }));
    renameSync(temp, this.file);
    this.added = false;
  }
}

function readEntries(file: string, version: string): string[] {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { version?: unknown; valid?: unknown };
    return parsed.version === version && Array.isArray(parsed.valid) ? parsed.valid.filter((entry) => typeof entry === "string") : [];
  } catch {
    return []; // missing or unreadable: start afresh
  }
}
