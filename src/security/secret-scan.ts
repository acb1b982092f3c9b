/**
 * Secret scanning of the generated outputs (dist/, argocd/, flux/), run by `npm test`
 * (test/secret-scan.test.ts): fails on
 *
 * 1. any value of a Terraform output marked `sensitive` (overlays/<env>/terraform-outputs.json), raw or
 *    base64-encoded, anywhere in any file: the loader drops them unread, this proves they stay dropped;
 * 2. secret-shaped strings: AWS access keys, private keys, literal bearer tokens, passwords and tokens in
 *    config keys or config texts, Slack, GitHub and PagerDuty keys.
 *
 * The only allow-list: objects marked as local development values (label DEV_ONLY_LABEL: "true"; the
 * validation chain keeps them out of every environment with a secret store) are exempt from rule 2, never
 * from rule 1. Findings name file, object and field, and never print the value.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { loadAll } from "js-yaml";
import { DEV_ONLY_LABEL } from "../lib/labels.js";

export interface SecretFinding {
  readonly file: string;
  /** `Kind/name` of the document holding it, when it is an object. */
  readonly object?: string;
  /** Field path inside the document. */
  readonly path: string;
  readonly message: string;
}

export function formatFinding(f: SecretFinding): string {
  return [f.file, f.object, f.path, f.message].filter((part) => part !== undefined && part !== "").join(": ");
}

/** A sensitive Terraform output value, with where it came from (for the message). */
export interface SensitiveValue {
  readonly value: string;
  readonly source: string;
}

/** Shortest sensitive value worth looking for (shorter ones would match by accident). */
const MIN_SENSITIVE_LENGTH = 6;

/** Every string of every output marked sensitive in overlays/<env>/terraform-outputs.json. */
export function sensitiveTerraformValues(root: string): SensitiveValue[] {
  const overlays = path.join(root, "overlays");
  const out: SensitiveValue[] = [];
  if (!existsSync(overlays)) return out;
  for (const env of readdirSync(overlays).sort()) {
    const file = path.join(overlays, env, "terraform-outputs.json");
    if (!existsSync(file)) continue;
    let outputs: Record<string, { sensitive?: boolean; value?: unknown }>;
    try {
      outputs = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      continue; // the loader reports malformed outputs
    }
    for (const [name, output] of Object.entries(outputs)) {
      if (output?.sensitive !== true) continue;
      for (const value of leafStrings(output.value)) {
        if (value.length >= MIN_SENSITIVE_LENGTH) out.push({ value, source: `overlays/${env}/terraform-outputs.json output ${name}` });
      }
    }
  }
  return out;
}

function leafStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "boolean") return [];
  if (Array.isArray(value)) return value.flatMap(leafStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(leafStrings);
  return [];
}

interface PatternRule {
  readonly name: string;
  readonly pattern: RegExp;
}

/** Secret-shaped strings in any text. */
const TEXT_RULES: readonly PatternRule[] = [
  { name: "an AWS access key ID", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  { name: "an AWS secret access key", pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/i },
  { name: "a private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { name: "a literal bearer token", pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*(?![A-Za-z0-9._~+/$({\\-])/ },
  { name: "a Slack token", pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}/ },
  { name: "a Slack webhook URL", pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/ },
  { name: "a GitHub token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { name: "a PagerDuty key", pattern: /(?:routing|service|integration)_key["']?\s*[:=]\s*["']?[A-Za-z0-9+]{20,}/i },
  {
    name: "a password or token in a config text",
    pattern: /(?:^|[\s;,{])["']?[A-Za-z_.-]*(?:password|passwd|secret|token)["']?\s*[:=]\s*["']?(?![$/{<]|file\b|true\b|false\b|null\b)[^\s"',;}]{8,}/im,
  },
];

/** Keys whose literal value is a secret (the `*_file`, `*Property`, `*Ref`, `remoteKey` forms are references). */
const SECRET_KEY = /(?:password|passwd|secret|token|apikey|api_key|routing_key|service_key)$/i;
const REFERENCE_VALUE = /^(?:\$\{[^}]+\}|\$__file\{[^}]+\}|\$__env\{[^}]+\}|\{\{.*\}\}|\/.*|)$/;

function redact(value: string): string {
  return `${value.slice(0, 4)}… (${value.length} characters)`;
}

function tryBase64(text: string): string | undefined {
  if (text.length < 12 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const decoded = Buffer.from(text, "base64").toString("utf8");
  return /^[\x09\x0a\x0d\x20-\x7e]*$/.test(decoded) ? decoded : undefined;
}

const joinPath = (base: string, key: string | number) =>
  typeof key === "number" ? `${base}[${key}]` : /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? (base ? `${base}.${key}` : key) : `${base}[${JSON.stringify(key)}]`;

/** Scans one string leaf. */
function scanString(text: string, at: string, key: string | undefined, sensitive: readonly SensitiveValue[], patterns: boolean, out: Omit<SecretFinding, "file" | "object">[]): void {
  const decoded = tryBase64(text);
  for (const { value, source } of sensitive) {
    if (text.includes(value)) out.push({ path: at, message: `contains the value of ${source}, which is marked sensitive` });
    else if (text.includes(Buffer.from(value).toString("base64")) || decoded?.includes(value)) {
      out.push({ path: at, message: `contains the base64-encoded value of ${source}, which is marked sensitive` });
    }
  }
  if (!patterns) return;
  const before = out.length;
  for (const candidate of decoded === undefined ? [text] : [text, decoded]) {
    const encoded = candidate !== text ? " (base64-encoded)" : "";
    for (const rule of TEXT_RULES) {
      const match = rule.pattern.exec(candidate);
      if (match) out.push({ path: at, message: `looks like ${rule.name}${encoded}: ${redact(match[0].trim())}` });
    }
  }
  // A value under a secret-named key is a secret even when its shape is unknown (reported once per value).
  if (out.length === before && key !== undefined && SECRET_KEY.test(key) && !REFERENCE_VALUE.test(text.trim())) {
    out.push({ path: at, message: `is a literal secret value (key ${key}): ${redact(text)}; reference the secret store instead` });
  }
}

/** Scans one parsed document (an object, or anything else YAML holds). */
export function scanDocument(doc: unknown, sensitive: readonly SensitiveValue[]): Omit<SecretFinding, "file">[] {
  const meta = doc && typeof doc === "object" ? (doc as { kind?: unknown; metadata?: { name?: unknown; labels?: Record<string, unknown> } }) : undefined;
  const object = meta && typeof meta.kind === "string" ? `${meta.kind}/${String(meta.metadata?.name ?? "?")}` : undefined;
  const devOnly = meta?.metadata?.labels?.[DEV_ONLY_LABEL] === "true";
  const found: Omit<SecretFinding, "file" | "object">[] = [];
  const walk = (value: unknown, at: string, key: string | undefined): void => {
    if (typeof value === "string") scanString(value, at, key, sensitive, !devOnly, found);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, joinPath(at, i), key));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, joinPath(at, k), k);
  };
  walk(doc, "", undefined);
  return found.map((f) => ({ ...f, object }));
}

/** Scans the text of one output file (multi-document YAML; unparsable text is scanned as one string). */
export function scanFile(file: string, text: string, sensitive: readonly SensitiveValue[]): SecretFinding[] {
  let docs: unknown[];
  try {
    docs = loadAll(text);
  } catch {
    docs = [text];
  }
  return docs.flatMap((doc) => scanDocument(doc, sensitive).map((f) => ({ file, ...f })));
}

/** Every file below the output directories of `root` (dist/, argocd/, flux/), repo-relative path → text. */
export function readOutputTrees(root: string, dirs: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    const full = path.join(root, relative);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) walk(path.posix.join(relative, entry));
    } else {
      files.set(relative, readFileSync(full, "utf8"));
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}

/** Scans every given file. */
export function scanOutputs(files: ReadonlyMap<string, string>, sensitive: readonly SensitiveValue[]): SecretFinding[] {
  return [...files].flatMap(([file, text]) => scanFile(file, text, sensitive));
}
