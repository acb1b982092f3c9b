// Semantic, per-object diff of two trees of rendered manifests.
//
// Both trees are maps from repo-relative path (forward slashes) to file text.
// Files are parsed (YAML, multi-document; JSON for *.json) and compared object
// by object rather than line by line, so that formatting, key order and moving
// an object to another file do not drown the changes that matter.
//
// Identity rules:
//   * A Kubernetes object (apiVersion + kind + metadata.name, and not a
//     kustomize.config.k8s.io build file) is identified by API group, kind,
//     namespace and name. The API version is not part of the identity, so a
//     version bump shows up as a change of the `apiVersion` field.
//   * Any other document (a kustomization.yaml, plain YAML without a kind, ...)
//     is identified by its file path and its position among the file's
//     non-empty documents.
//
// The same object legitimately appears in several places (dist/prod and
// dist/dev both render StatefulSet mimir/ingester-zone-a), so occurrences are
// paired up: first within the same file, then across files of the same "move
// scope" (the first two directory levels, e.g. `dist/prod`). A pair in
// different files is a move; anything left unpaired is added or removed.

import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { load, loadAll } from "js-yaml";

// ---------------------------------------------------------------------------
// Public types

/** Where one object (or non-Kubernetes document) lives, and what it is. */
export interface ObjectRef {
  /** Identity used for matching; see the module comment. */
  id: string;
  /** Repo-relative path of the file holding the document. */
  file: string;
  /** Position among the file's non-empty documents (0-based). */
  index: number;
  /** True for Kubernetes objects, false for other documents. */
  k8s: boolean;
  /** API group ("" for the core group); null for non-Kubernetes documents. */
  group: string | null;
  /** `kind`, when the document has a string kind. */
  kind: string | null;
  namespace: string | null;
  name: string | null;
}

/** One line of a line-based text diff. */
export interface TextLine {
  op: " " | "-" | "+";
  text: string;
}

/** A unified-diff style hunk; start lines are 1-based. */
export interface TextHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: TextLine[];
}

/** One difference inside an object. Paths look like `spec.template.spec.containers[name=ingester].args[3]`. */
export type FieldChange =
  | { op: "changed"; path: string; old: unknown; new: unknown }
  | { op: "added"; path: string; value: unknown }
  | { op: "removed"; path: string; value: unknown }
  /** A list matched by `name` keeps the same items in a different order. */
  | { op: "reordered"; path: string; old: string[]; new: string[] }
  /** A multi-line string (that is not a YAML/JSON document) diffed line by line. */
  | { op: "text"; path: string; hunks: TextHunk[] }
  /** An embedded YAML/JSON string whose text differs but which parses to the same value. */
  | { op: "reformatted"; path: string };

export interface ChangedObject {
  ref: ObjectRef;
  changes: FieldChange[];
}

export interface MovedObject {
  from: ObjectRef;
  to: ObjectRef;
  /** Field changes made along with the move; empty for a pure move. */
  changes: FieldChange[];
}

/** A file that could not be parsed on at least one side and whose text differs. */
export interface UnparsedFile {
  file: string;
  /** Which side(s) failed to parse. */
  side: "committed" | "fresh" | "both";
  error: string;
  hunks: TextHunk[];
}

/** A file present on one side only. */
export interface FileRef {
  file: string;
  /** Non-empty documents in the file; 0 for an empty or comment-only file, null when it does not parse. */
  documents: number | null;
}

export interface DiffReport {
  /** Files only present in the fresh tree (with or without objects). */
  filesAdded: FileRef[];
  /** Files only present in the committed tree (with or without objects). */
  filesRemoved: FileRef[];
  /** Objects/documents only present in the fresh tree. */
  added: ObjectRef[];
  /** Objects/documents only present in the committed tree. */
  removed: ObjectRef[];
  /** Objects found in a different file (possibly also changed). */
  moved: MovedObject[];
  /** Objects in the same file with at least one field change. */
  changed: ChangedObject[];
  /** Files that failed to parse; compared as plain text instead. */
  unparsed: UnparsedFile[];
}

// ---------------------------------------------------------------------------
// Small utilities

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Locale-independent string comparison, for deterministic ordering. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  // A trailing newline terminates the last line rather than starting a new one.
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

// ---------------------------------------------------------------------------
// Sequence diff (shared by text lines and scalar lists)

type EditOp = { op: " "; a: number; b: number } | { op: "-"; a: number } | { op: "+"; b: number };

/** Above this many cells the LCS table is skipped and the differing middle is replaced wholesale. */
const MAX_LCS_CELLS = 4_000_000;

/** Edit script turning `a` into `b` (longest common subsequence; removals before additions). */
function editScript(a: readonly string[], b: readonly string[]): EditOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const ops: EditOp[] = [];
  for (let i = 0; i < start; i++) ops.push({ op: " ", a: i, b: i });

  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_LCS_CELLS) {
    for (let i = start; i < endA; i++) ops.push({ op: "-", a: i });
    for (let j = start; j < endB; j++) ops.push({ op: "+", b: j });
  } else if (n > 0 || m > 0) {
    // lcs[i * (m + 1) + j] = LCS length of a[start+i..endA) and b[start+j..endB)
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          a[start + i] === b[start + j]
            ? lcs[(i + 1) * width + j + 1]! + 1
            : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        ops.push({ op: " ", a: start + i, b: start + j });
        i++;
        j++;
      } else if (j >= m || (i < n && lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
        ops.push({ op: "-", a: start + i });
        i++;
      } else {
        ops.push({ op: "+", b: start + j });
        j++;
      }
    }
  }

  for (let k = 0; k < a.length - endA; k++) ops.push({ op: " ", a: endA + k, b: endB + k });
  return ops;
}

const TEXT_CONTEXT = 2;

function textHunks(oldText: string, newText: string): TextHunk[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ops = editScript(a, b);

  // Old/new line positions before each op, to number the hunks.
  const posA: number[] = [];
  const posB: number[] = [];
  let pa = 0;
  let pb = 0;
  for (const op of ops) {
    posA.push(pa);
    posB.push(pb);
    if (op.op !== "+") pa++;
    if (op.op !== "-") pb++;
  }

  const hunks: TextHunk[] = [];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.op === " ") {
      k++;
      continue;
    }
    // Extend the hunk while the next change is close enough to share context.
    const begin = Math.max(0, k - TEXT_CONTEXT);
    let end = k;
    for (;;) {
      while (end < ops.length && ops[end]!.op !== " ") end++;
      let next = end;
      while (next < ops.length && ops[next]!.op === " ") next++;
      if (next < ops.length && next - end <= 2 * TEXT_CONTEXT) {
        end = next;
        continue;
      }
      end = Math.min(ops.length, end + TEXT_CONTEXT);
      break;
    }
    const lines: TextLine[] = [];
    let oldLines = 0;
    let newLines = 0;
    for (let x = begin; x < end; x++) {
      const op = ops[x]!;
      if (op.op === " ") {
        lines.push({ op: " ", text: a[op.a]! });
        oldLines++;
        newLines++;
      } else if (op.op === "-") {
        lines.push({ op: "-", text: a[op.a]! });
        oldLines++;
      } else {
        lines.push({ op: "+", text: b[op.b]! });
        newLines++;
      }
    }
    hunks.push({ oldStart: posA[begin]! + 1, oldLines, newStart: posB[begin]! + 1, newLines, lines });
    k = end;
  }
  return hunks;
}

// ---------------------------------------------------------------------------
// Field paths

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const BARE_NAME = /^[A-Za-z0-9_.:/-]+$/;

function keySegment(parent: string, key: string): string {
  if (BARE_KEY.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function indexSegment(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

function nameSegment(parent: string, name: string): string {
  return `${parent}[name=${BARE_NAME.test(name) ? name : JSON.stringify(name)}]`;
}

// ---------------------------------------------------------------------------
// Value diff

/** Names of the items when every item is a mapping with a unique string `name`; otherwise null. */
function uniqueNames(items: unknown[]): string[] | null {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (!isPlainObject(item) || typeof item.name !== "string" || seen.has(item.name)) return null;
    seen.add(item.name);
    names.push(item.name);
  }
  return names;
}

function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== "object" && typeof value !== "function");
}

/** Strings worth trying to parse as an embedded YAML/JSON document. */
function looksStructured(text: string): boolean {
  if (text.includes("\n")) return true;
  const t = text.trim();
  return (t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"));
}

/** Parses an embedded document; only mappings and lists count. */
function parseEmbedded(text: string): { value: unknown } | null {
  try {
    const value = load(text);
    return isPlainObject(value) || Array.isArray(value) ? { value } : null;
  } catch {
    return null;
  }
}

function diffStrings(path: string, a: string, b: string, out: FieldChange[]): void {
  if (looksStructured(a) && looksStructured(b)) {
    const pa = parseEmbedded(a);
    const pb = parseEmbedded(b);
    if (pa && pb && Array.isArray(pa.value) === Array.isArray(pb.value)) {
      const before = out.length;
      diffValues(path, pa.value, pb.value, out);
      if (out.length === before) out.push({ op: "reformatted", path });
      return;
    }
  }
  if (a.includes("\n") || b.includes("\n")) {
    out.push({ op: "text", path, hunks: textHunks(a, b) });
    return;
  }
  out.push({ op: "changed", path, old: a, new: b });
}

function diffNamedLists(path: string, a: Plain[], b: Plain[], namesA: string[], namesB: string[], out: FieldChange[]): void {
  const byNameA = new Map(a.map((item, i) => [namesA[i]!, item]));
  const inB = new Set(namesB);
  b.forEach((item, i) => {
    const name = namesB[i]!;
    const old = byNameA.get(name);
    if (old === undefined) out.push({ op: "added", path: nameSegment(path, name), value: item });
    else diffValues(nameSegment(path, name), old, item, out);
  });
  a.forEach((item, i) => {
    if (!inB.has(namesA[i]!)) out.push({ op: "removed", path: nameSegment(path, namesA[i]!), value: item });
  });
  const commonA = namesA.filter((n) => inB.has(n));
  const commonB = namesB.filter((n) => byNameA.has(n));
  if (commonA.some((n, i) => n !== commonB[i])) out.push({ op: "reordered", path, old: commonA, new: commonB });
}

/** Lists of scalars: align with an LCS so an inserted argument does not shift every later index. */
function diffScalarLists(path: string, a: unknown[], b: unknown[], out: FieldChange[]): void {
  const ops = editScript(
    a.map((v) => JSON.stringify(v) ?? "undefined"),
    b.map((v) => JSON.stringify(v) ?? "undefined"),
  );
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.op === " ") {
      k++;
      continue;
    }
    const removed: number[] = [];
    const added: number[] = [];
    for (; k < ops.length && ops[k]!.op !== " "; k++) {
      const op = ops[k]!;
      if (op.op === "-") removed.push(op.a);
      else if (op.op === "+") added.push(op.b);
    }
    // Pair removals with additions in the same run: that is a replaced element.
    const paired = Math.min(removed.length, added.length);
    for (let x = 0; x < paired; x++) {
      out.push({ op: "changed", path: indexSegment(path, added[x]!), old: a[removed[x]!], new: b[added[x]!] });
    }
    for (let x = paired; x < removed.length; x++) {
      out.push({ op: "removed", path: indexSegment(path, removed[x]!), value: a[removed[x]!] });
    }
    for (let x = paired; x < added.length; x++) {
      out.push({ op: "added", path: indexSegment(path, added[x]!), value: b[added[x]!] });
    }
  }
}

function diffLists(path: string, a: unknown[], b: unknown[], out: FieldChange[]): void {
  const namesA = uniqueNames(a);
  const namesB = uniqueNames(b);
  if (namesA && namesB && (a.length > 0 || b.length > 0)) {
    diffNamedLists(path, a as Plain[], b as Plain[], namesA, namesB, out);
    return;
  }
  if (a.every(isScalar) && b.every(isScalar)) {
    diffScalarLists(path, a, b, out);
    return;
  }
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) diffValues(indexSegment(path, i), a[i], b[i], out);
  for (let i = common; i < a.length; i++) out.push({ op: "removed", path: indexSegment(path, i), value: a[i] });
  for (let i = common; i < b.length; i++) out.push({ op: "added", path: indexSegment(path, i), value: b[i] });
}

function diffValues(path: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (deepEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(cmp);
    for (const key of keys) {
      const has = Object.prototype.hasOwnProperty;
      const inA = has.call(a, key);
      const inB = has.call(b, key);
      const sub = keySegment(path, key);
      if (inA && inB) diffValues(sub, a[key], b[key], out);
      else if (inB) out.push({ op: "added", path: sub, value: b[key] });
      else out.push({ op: "removed", path: sub, value: a[key] });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    diffLists(path, a, b, out);
    return;
  }
  if (typeof a === "string" && typeof b === "string") {
    diffStrings(path, a, b, out);
    return;
  }
  out.push({ op: "changed", path, old: a, new: b });
}

/** Field-level differences between two parsed documents. */
export function diffDocuments(a: unknown, b: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues("", a, b, out);
  return out;
}

// ---------------------------------------------------------------------------
// Parsing files into documents

interface ParsedDoc {
  ref: ObjectRef;
  value: unknown;
}

type ParsedFile = { ok: true; docs: ParsedDoc[] } | { ok: false; error: string };

function identify(file: string, index: number, value: unknown): ObjectRef {
  const kind = isPlainObject(value) && typeof value.kind === "string" ? value.kind : null;
  if (isPlainObject(value) && typeof value.apiVersion === "string" && kind !== null) {
    const apiVersion = value.apiVersion;
    const slash = apiVersion.lastIndexOf("/");
    const group = slash === -1 ? "" : apiVersion.slice(0, slash);
    const meta = value.metadata;
    const name = isPlainObject(meta) && typeof meta.name === "string" && meta.name !== "" ? meta.name : null;
    // kustomize build inputs (Kustomization, Component) are not cluster objects.
    if (name !== null && group !== "kustomize.config.k8s.io") {
      const namespace = isPlainObject(meta) && typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : null;
      return {
        id: JSON.stringify(["k8s", group, kind, namespace ?? "", name]),
        file,
        index,
        k8s: true,
        group,
        kind,
        namespace,
        name,
      };
    }
  }
  return { id: JSON.stringify(["doc", file, index]), file, index, k8s: false, group: null, kind, namespace: null, name: null };
}

function parseFile(file: string, text: string): ParsedFile {
  let values: unknown[];
  try {
    if (/\.json$/i.test(file)) {
      const body = text.replace(/^\uFEFF/, "");
      values = body.trim() === "" ? [] : [JSON.parse(body)];
    } else {
      values = loadAll(text);
    }
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
  // Empty documents (a leading or trailing `---`, comment-only files) carry no content.
  const docs = values
    .filter((v) => v !== null && v !== undefined)
    .map((value, index) => ({ ref: identify(file, index, value), value }));
  return { ok: true, docs };
}

// ---------------------------------------------------------------------------
// Matching

/** Moves are only recognised inside the same scope: the first two directory levels of the path. */
function moveScope(file: string): string {
  const dirs = file.split("/").slice(0, -1);
  return dirs.slice(0, 2).join("/");
}

function sharedDirDepth(a: string, b: string): number {
  const da = a.split("/").slice(0, -1);
  const db = b.split("/").slice(0, -1);
  let n = 0;
  while (n < da.length && n < db.length && da[n] === db[n]) n++;
  return n;
}

function byLocation(a: ObjectRef, b: ObjectRef): number {
  return cmp(a.file, b.file) || a.index - b.index;
}

function byFileThenId(a: ObjectRef, b: ObjectRef): number {
  return cmp(a.file, b.file) || cmp(a.id, b.id) || a.index - b.index;
}

function groupById(docs: ParsedDoc[]): Map<string, ParsedDoc[]> {
  const groups = new Map<string, ParsedDoc[]>();
  for (const doc of docs) {
    const list = groups.get(doc.ref.id);
    if (list) list.push(doc);
    else groups.set(doc.ref.id, [doc]);
  }
  for (const list of groups.values()) list.sort((x, y) => byLocation(x.ref, y.ref));
  return groups;
}

/** Pairs committed and fresh occurrences of one identity; returns the pairs and the leftovers. */
function pairOccurrences(
  olds: ParsedDoc[],
  news: ParsedDoc[],
): { pairs: Array<[ParsedDoc, ParsedDoc]>; removed: ParsedDoc[]; added: ParsedDoc[] } {
  const pairs: Array<[ParsedDoc, ParsedDoc]> = [];
  const usedNew = new Set<number>();
  const unpairedOld: ParsedDoc[] = [];

  for (const old of olds) {
    const j = news.findIndex((n, idx) => !usedNew.has(idx) && n.ref.file === old.ref.file);
    if (j === -1) unpairedOld.push(old);
    else {
      usedNew.add(j);
      pairs.push([old, news[j]!]);
    }
  }

  // Cross-file candidates within the same scope, closest directories first.
  const candidates: Array<{ o: number; n: number; depth: number }> = [];
  unpairedOld.forEach((old, o) => {
    news.forEach((fresh, n) => {
      if (usedNew.has(n) || moveScope(old.ref.file) !== moveScope(fresh.ref.file)) return;
      candidates.push({ o, n, depth: sharedDirDepth(old.ref.file, fresh.ref.file) });
    });
  });
  candidates.sort((x, y) => y.depth - x.depth || x.o - y.o || x.n - y.n);
  const usedOld = new Set<number>();
  for (const c of candidates) {
    if (usedOld.has(c.o) || usedNew.has(c.n)) continue;
    usedOld.add(c.o);
    usedNew.add(c.n);
    pairs.push([unpairedOld[c.o]!, news[c.n]!]);
  }

  return {
    pairs,
    removed: unpairedOld.filter((_, o) => !usedOld.has(o)),
    added: news.filter((_, n) => !usedNew.has(n)),
  };
}

// ---------------------------------------------------------------------------
// Tree diff

/**
 * Compares two trees of manifests (repo-relative path → file text) object by
 * object. The result is deterministic: every list is sorted by file, then identity.
 */
export function diffTrees(committed: Map<string, string>, fresh: Map<string, string>): DiffReport {
  const report: DiffReport = { filesAdded: [], filesRemoved: [], added: [], removed: [], moved: [], changed: [], unparsed: [] };

  const oldDocs: ParsedDoc[] = [];
  const newDocs: ParsedDoc[] = [];
  const files = [...new Set([...committed.keys(), ...fresh.keys()])].sort(cmp);

  for (const file of files) {
    const oldText = committed.get(file);
    const newText = fresh.get(file);
    // An unchanged file contributes only unchanged objects, which pair with
    // themselves (same-file pairing comes first), so it needs no parsing.
    if (oldText !== undefined && oldText === newText) continue;
    const oldParsed = oldText === undefined ? null : parseFile(file, oldText);
    const newParsed = newText === undefined ? null : parseFile(file, newText);
    if (oldParsed === null && newParsed !== null) {
      report.filesAdded.push({ file, documents: newParsed.ok ? newParsed.docs.length : null });
    }
    if (newParsed === null && oldParsed !== null) {
      report.filesRemoved.push({ file, documents: oldParsed.ok ? oldParsed.docs.length : null });
    }
    const oldFailed = oldParsed !== null && !oldParsed.ok;
    const newFailed = newParsed !== null && !newParsed.ok;

    if (oldFailed || newFailed) {
      // Without a parse on both sides objects cannot be compared: fall back to text.
      if (oldText !== newText) {
        const errors: string[] = [];
        if (oldParsed && !oldParsed.ok) errors.push(`committed: ${oldParsed.error}`);
        if (newParsed && !newParsed.ok) errors.push(`fresh: ${newParsed.error}`);
        report.unparsed.push({
          file,
          side: oldFailed && newFailed ? "both" : oldFailed ? "committed" : "fresh",
          error: errors.join("; "),
          hunks: textHunks(oldText ?? "", newText ?? ""),
        });
      }
      continue;
    }
    if (oldParsed?.ok) oldDocs.push(...oldParsed.docs);
    if (newParsed?.ok) newDocs.push(...newParsed.docs);
  }

  const oldGroups = groupById(oldDocs);
  const newGroups = groupById(newDocs);
  const ids = [...new Set([...oldGroups.keys(), ...newGroups.keys()])].sort(cmp);
  for (const id of ids) {
    const { pairs, removed, added } = pairOccurrences(oldGroups.get(id) ?? [], newGroups.get(id) ?? []);
    for (const doc of removed) report.removed.push(doc.ref);
    for (const doc of added) report.added.push(doc.ref);
    for (const [old, next] of pairs) {
      const changes = diffDocuments(old.value, next.value);
      if (old.ref.file !== next.ref.file) report.moved.push({ from: old.ref, to: next.ref, changes });
      else if (changes.length > 0) report.changed.push({ ref: next.ref, changes });
    }
  }

  report.added.sort(byFileThenId);
  report.removed.sort(byFileThenId);
  report.changed.sort((x, y) => byFileThenId(x.ref, y.ref));
  report.moved.sort((x, y) => byFileThenId(x.to, y.to) || byFileThenId(x.from, y.from));
  report.unparsed.sort((x, y) => cmp(x.file, y.file));
  return report;
}

export function isEmpty(report: DiffReport): boolean {
  return (
    report.filesAdded.length === 0 &&
    report.filesRemoved.length === 0 &&
    report.added.length === 0 &&
    report.removed.length === 0 &&
    report.moved.length === 0 &&
    report.changed.length === 0 &&
    report.unparsed.length === 0
  );
}

// ---------------------------------------------------------------------------
// Formatting

/** Longest rendering of a single value before it is cut. */
const MAX_VALUE_CHARS = 100;
/** Characters kept on each side of the differing part of two long strings. */
const STRING_CONTEXT = 20;
/** Text-diff lines printed per field or file before the rest is summarised. */
const MAX_TEXT_LINES = 60;

function truncate(text: string, max = MAX_VALUE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  return truncate(JSON.stringify(value) ?? String(value));
}

/** Two strings; when long, only the neighbourhood of the first difference is shown. */
function showPair(a: unknown, b: unknown): [string, string] {
  if (typeof a !== "string" || typeof b !== "string") return [show(a), show(b)];
  if (JSON.stringify(a).length <= MAX_VALUE_CHARS && JSON.stringify(b).length <= MAX_VALUE_CHARS) return [show(a), show(b)];
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const cut = (s: string): string => {
    const from = Math.max(0, prefix - STRING_CONTEXT);
    const to = Math.min(s.length, s.length - suffix + STRING_CONTEXT);
    const body = truncate(JSON.stringify(s.slice(from, to)));
    return `${from > 0 ? "…" : ""}${body}${to < s.length ? "…" : ""}`;
  };
  return [cut(a), cut(b)];
}

function label(ref: ObjectRef, qualifyKinds: Set<string>): string {
  if (!ref.k8s) return `${ref.kind ?? "document"} #${ref.index}`;
  const kind = ref.kind!;
  const shownKind = qualifyKinds.has(kind) && ref.group ? `${kind}.${ref.group}` : kind;
  return `${shownKind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

function showPath(path: string): string {
  return path === "" ? "(document)" : path;
}

function formatHunks(hunks: TextHunk[], indent: string): string[] {
  const lines: string[] = [];
  let printed = 0;
  let total = 0;
  for (const hunk of hunks) total += hunk.lines.length + 1;
  for (const hunk of hunks) {
    if (printed >= MAX_TEXT_LINES) break;
    lines.push(`${indent}@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    printed++;
    for (const line of hunk.lines) {
      if (printed >= MAX_TEXT_LINES) break;
      lines.push(`${indent}${line.op}${line.text}`);
      printed++;
    }
  }
  if (total > printed) lines.push(`${indent}… ${total - printed} more diff lines`);
  return lines;
}

function formatChange(change: FieldChange): string[] {
  const path = showPath(change.path);
  switch (change.op) {
    case "changed": {
      const [a, b] = showPair(change.old, change.new);
      return [`  ${path}: ${a} → ${b}`];
    }
    case "added":
      return [`  + ${path}: ${show(change.value)}`];
    case "removed":
      return [`  - ${path}: ${show(change.value)}`];
    case "reordered":
      return [`  ${path}: order ${truncate(change.old.join(", "))} → ${truncate(change.new.join(", "))}`];
    case "text":
      return [`  ${path}:`, ...formatHunks(change.hunks, "    ")];
    case "reformatted":
      return [`  ${path}: text differs, parsed content identical (comments/formatting)`];
  }
}

interface Entry {
  file: string;
  /** 0 = file line, 1 = unparsed file, 2 = object */
  rank: number;
  sortKey: string;
  lines: string[];
}

/** Renders a report for humans: grouped by file, then by object; deterministic. */
export function formatDiff(report: DiffReport): string {
  if (isEmpty(report)) return "No differences.";

  // Show `Kind.group` only when a kind name is shared by several API groups.
  const groupsByKind = new Map<string, Set<string>>();
  const allRefs = [
    ...report.added,
    ...report.removed,
    ...report.changed.map((c) => c.ref),
    ...report.moved.flatMap((m) => [m.from, m.to]),
  ];
  for (const ref of allRefs) {
    if (!ref.k8s || ref.kind === null) continue;
    const set = groupsByKind.get(ref.kind) ?? new Set<string>();
    set.add(ref.group ?? "");
    groupsByKind.set(ref.kind, set);
  }
  const qualify = new Set([...groupsByKind].filter(([, groups]) => groups.size > 1).map(([kind]) => kind));

  const entries: Entry[] = [];
  const fileLine = (sign: string, f: FileRef): void => {
    const note = f.documents === 0 ? " (no objects)" : "";
    entries.push({ file: f.file, rank: 0, sortKey: "", lines: [`${sign} file ${f.file}${note}`] });
  };
  for (const f of report.filesAdded) fileLine("+", f);
  for (const f of report.filesRemoved) fileLine("-", f);
  for (const u of report.unparsed) {
    entries.push({
      file: u.file,
      rank: 1,
      sortKey: "",
      lines: [`! ${u.file}: not parseable (${u.error}); text diff:`, ...formatHunks(u.hunks, "    ")],
    });
  }
  const objectEntry = (sign: string, ref: ObjectRef, where: string, changes: FieldChange[], file: string): void => {
    const name = label(ref, qualify);
    entries.push({
      file,
      rank: 2,
      sortKey: `${name}\u0000${sign}`,
      lines: [`${sign} ${name} (${where})`, ...changes.flatMap(formatChange)],
    });
  };
  for (const ref of report.added) objectEntry("+", ref, ref.file, [], ref.file);
  for (const ref of report.removed) objectEntry("-", ref, ref.file, [], ref.file);
  for (const c of report.changed) objectEntry("~", c.ref, c.ref.file, c.changes, c.ref.file);
  for (const m of report.moved) objectEntry(">", m.to, `${m.from.file} → ${m.to.file}`, m.changes, m.to.file);

  entries.sort((x, y) => cmp(x.file, y.file) || x.rank - y.rank || cmp(x.sortKey, y.sortKey));

  const objects = report.added.length + report.removed.length + report.changed.length + report.moved.length;
  const summary =
    `${objects} object(s) differ: ${report.changed.length} changed, ${report.moved.length} moved, ` +
    `${report.added.length} added, ${report.removed.length} removed; ` +
    `files: ${report.filesAdded.length} added, ${report.filesRemoved.length} removed, ${report.unparsed.length} unparseable`;
  return [...entries.flatMap((e) => e.lines), summary].join("\n");
}

// ---------------------------------------------------------------------------
// Reading a tree from disk

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads every *.yaml, *.yml and *.json file below the given directories
 * (relative to `root`). Keys are root-relative paths with forward slashes, in
 * sorted order; a missing directory contributes nothing.
 */
export async function readTree(root: string, dirs: string[]): Promise<Map<string, string>> {
  const found: Array<[string, string]> = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code === "ENOTDIR") {
        // A file named directly in `dirs`.
        if (MANIFEST_FILE.test(rel)) found.push([rel, await readFile(join(root, rel), "utf8")]);
        return;
      }
      throw error;
    }
    for (const entry of entries) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) found.push([child, await readFile(join(root, child), "utf8")]);
    }
  };

  for (const dir of dirs) {
    const rel = dir.replace(/\\/g, "/").replace(/^\.\/+/, "").replace(/\/+$/, "");
    await walk(rel === "." ? "" : rel);
  }

  const tree = new Map<string, string>();
  for (const [path, text] of found.sort((x, y) => cmp(x[0], y[0]))) tree.set(path, text);
  return tree;
}
