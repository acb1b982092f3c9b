/**
 * Whole-environment manifest validation, shared by synth (in memory) and `npm run validate` (from dist/).
 *
 * Per object: built-in kinds are checked against kubernetes-models' schemas, custom resources against the
 * committed CRD schemas; metadata.name is required; Kind/namespace/name must be unique across the files of
 * one environment; Mimir config texts in ConfigMaps (mimir.yaml, runtime.yaml) are checked key by key; and
 * the flags of Mimir containers are checked against the descriptor; and every string is scanned for
 * `${NAME}` placeholders that are not on the allow-list. Finally the environment's behavioural invariants
 * (invariants.ts) check that objects fit together: headless Services, addresses, selectors, HPAs.
 */
import { load } from "js-yaml";
import { crdSchemas } from "./crd-schema.js";
import { checkGrafana } from "./grafana.js";
import { checkInvariants } from "./invariants.js";
import { checkMetricsCoverage } from "./metrics-coverage.js";
import { checkSecurity } from "./security.js";
import { checkRulesAndAlerting } from "./rules-alerting.js";
import { validateCoreObject } from "./k8s-schema.js";
import { checkMimirArgs, isMimirImage, podContainers } from "./mimir-flags.js";
import { checkMimirConfig, checkRuntimeConfig } from "./mimir-keys.js";
import { findPlaceholders, MIMIR_EXPAND_ENV_ALLOWLIST } from "./placeholders.js";
import { joinPath, type Problem } from "./problem.js";
import type { SchemaResultCache } from "./schema-cache.js";

export interface ManifestFile {
  /** Name used in problem reports (usually repo-relative, e.g. dist/prod/mimir.yaml). */
  file: string;
  objects: unknown[];
}

export interface ValidateManifestsOptions {
  /** Directory with the CRD schemas, normally `<repoRoot>/imports/schemas`. */
  schemasDir: string;
  /** `${NAME}` placeholders allowed to remain; defaults to MIMIR_EXPAND_ENV_ALLOWLIST. */
  placeholderAllow?: ReadonlySet<string>;
  /** Objects that passed the schema checks in an earlier run of the same build (the CLI only). */
  schemaCache?: SchemaResultCache;
}

interface ObjectLike {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown } | null;
  data?: unknown;
  stringData?: unknown;
}

/** Data keys whose text is a Mimir config file, and the check for each. */
const MIMIR_FILES: Record<string, (doc: unknown, ctx: { file: string; object?: string; path?: string }) => Problem[]> = {
  "mimir.yaml": checkMimirConfig,
  "runtime.yaml": checkRuntimeConfig,
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `parsed` collects text → document, so checkInvariants reuses the parse. */
function checkEmbeddedMimirConfig(obj: ObjectLike, field: "data" | "stringData", file: string, ref: string, parsed: Map<string, unknown>): Problem[] {
  const data = obj[field];
  if (!isPlainObject(data)) return [];
  const problems: Problem[] = [];
  for (const [key, check] of Object.entries(MIMIR_FILES)) {
    const text = data[key];
    if (typeof text !== "string") continue;
    const path = joinPath(field, key);
    let doc: unknown;
    try {
      doc = load(text);
    } catch (err) {
      problems.push({ file, object: ref, path, message: `invalid YAML: ${(err as Error).message.split("\n")[0]}` });
      continue;
    }
    parsed.set(text, doc);
    problems.push(...check(doc, { file, object: ref, path }));
  }
  return problems;
}

/** Validates the objects of one environment (all files together, for the duplicate check). */
export function validateManifests(files: ReadonlyArray<ManifestFile>, opts: ValidateManifestsOptions): Problem[] {
  const problems: Problem[] = [];
  const crds = crdSchemas(opts.schemasDir);
  const allow = opts.placeholderAllow ?? MIMIR_EXPAND_ENV_ALLOWLIST;
  const firstSeen = new Map<string, string>();
  const parsedYaml = new Map<string, unknown>();

  for (const { file, objects } of files) {
    objects.forEach((raw, index) => {
      if (!isPlainObject(raw)) {
        problems.push({ file, message: `document ${index + 1} is not an object (got ${raw === null ? "null" : Array.isArray(raw) ? "array" : typeof raw})` });
        return;
      }
      const obj = raw as ObjectLike;
      const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : undefined;
      const kind = typeof obj.kind === "string" ? obj.kind : undefined;
      const name = isPlainObject(obj.metadata) && typeof obj.metadata.name === "string" ? obj.metadata.name : undefined;
      const namespace = isPlainObject(obj.metadata) && typeof obj.metadata.namespace === "string" ? obj.metadata.namespace : undefined;
      const ref = `${kind ?? "?"}/${name ?? `#${index + 1}`}`;
      const add = (path: string | undefined, message: string): void => {
        const p: Problem = { file, object: ref, message };
        if (path) p.path = path;
        problems.push(p);
      };

      if (!apiVersion || !kind) {
        add(undefined, "apiVersion and kind are required");
        return;
      }
      if (!name) add("metadata.name", "metadata.name is required");

      const cacheKey = opts.schemaCache?.key(obj);
      const cached = cacheKey !== undefined && opts.schemaCache!.has(cacheKey);
      const findings = cached ? [] : (validateCoreObject(obj) ?? crds.validate(obj));
      if (cacheKey !== undefined && findings?.length === 0) opts.schemaCache!.add(cacheKey);
      if (findings === undefined) add(undefined, `no schema for ${apiVersion} ${kind}`);
      else for (const f of findings) add(f.path || undefined, f.message);

      if (name) {
        const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
        const key = `${group}|${kind}|${namespace ?? ""}|${name}`;
        const first = firstSeen.get(key);
        if (first !== undefined) {
          add(undefined, `duplicate object ${kind} ${namespace ? `${namespace}/` : ""}${name} (first defined in ${first})`);
        } else {
          firstSeen.set(key, file);
        }
      }

      if (apiVersion === "v1" && kind === "ConfigMap") problems.push(...checkEmbeddedMimirConfig(obj, "data", file, ref, parsedYaml));
      if (apiVersion === "v1" && kind === "Secret") problems.push(...checkEmbeddedMimirConfig(obj, "stringData", file, ref, parsedYaml));

      for (const { container, path } of podContainers(obj as Record<string, unknown>)) {
        if (isMimirImage(container.image) && Array.isArray(container.args)) {
          problems.push(...checkMimirArgs(container.args, { file, object: ref, path: `${path}.args` }));
        }
      }

      problems.push(...findPlaceholders(obj, allow, { file, object: ref }));
    });
  }
  // Cross-object behaviour (Services, selectors, addresses, HPAs) of the environment as a whole.
  problems.push(...checkInvariants(files, { parsedYaml }));
  problems.push(...checkGrafana(files));
  problems.push(...checkMetricsCoverage(files));
  problems.push(...checkSecurity(files));
  problems.push(...checkRulesAndAlerting(files));
  return problems;
}
