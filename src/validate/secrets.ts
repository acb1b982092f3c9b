/**
 * Secrets of ONE environment (issue #12):
 *
 * 1. Every ExternalSecret names a store this environment creates: a ClusterSecretStore (whose
 *    `conditions`, if any, admit the ExternalSecret's namespace) or a SecretStore in its own namespace.
 * 2. A Secret carrying values (data or stringData) is a local development value: it must carry the dev-only
 *    label (DEV_ONLY_LABEL: "true"), and an environment with a secret store (every cloud environment) has
 *    none at all: there every secret comes from the store through an ExternalSecret.
 */
import { DEV_ONLY_LABEL } from "../lib/labels.js";
import { indexEnvironment, isObject, type Entry, type InvariantFile } from "./invariants.js";
import type { Problem } from "./problem.js";

type Json = Record<string, any>;

const isStore = (e: Entry) => e.group === "external-secrets.io" && (e.kind === "ClusterSecretStore" || e.kind === "SecretStore");

function hasValues(obj: Json): boolean {
  const filled = (v: unknown) => isObject(v) && Object.keys(v).length > 0;
  return filled(obj.data) || filled(obj.stringData);
}

/** The namespaces a ClusterSecretStore admits (undefined: all). */
function admittedNamespaces(store: Entry): string[] | undefined {
  const conditions = (store.obj as Json).spec?.conditions;
  if (!Array.isArray(conditions) || conditions.length === 0) return undefined;
  const names = conditions.flatMap((c: Json) => (Array.isArray(c?.namespaces) ? c.namespaces : []));
  const selectors = conditions.some((c: Json) => c?.namespaceSelector !== undefined || c?.namespaceRegexes !== undefined);
  return selectors ? undefined : names;
}

export function checkSecrets(files: ReadonlyArray<InvariantFile>): Problem[] {
  const index = indexEnvironment(files);
  const problems: Problem[] = [];
  const stores = index.entries.filter(isStore);
  const clusterStores = new Map(stores.filter((s) => s.kind === "ClusterSecretStore").map((s) => [s.name, s]));
  const storeList = stores.map((s) => (s.kind === "SecretStore" ? `SecretStore ${s.namespace}/${s.name}` : `ClusterSecretStore ${s.name}`)).join(", ") || "none";

  for (const e of index.entries) {
    if (e.group !== "external-secrets.io" || e.kind !== "ExternalSecret") continue;
    const spec: Json = isObject(e.obj.spec) ? e.obj.spec : {};
    const ref: Json = isObject(spec.secretStoreRef) ? spec.secretStoreRef : {};
    const kind = ref.kind ?? "SecretStore";
    const at = { file: e.file, object: e.ref, path: "spec.secretStoreRef" };
    if (kind === "ClusterSecretStore") {
      const store = clusterStores.get(ref.name);
      if (!store) {
        problems.push({ ...at, message: `names ClusterSecretStore ${ref.name}, which this environment does not create (stores: ${storeList}): the Secret would never be created` });
        continue;
      }
      const admitted = admittedNamespaces(store);
      if (admitted && !admitted.includes(e.namespace)) {
        problems.push({ ...at, message: `names ClusterSecretStore ${ref.name}, whose conditions admit only namespaces ${admitted.join(", ")}, not ${e.namespace}` });
      }
    } else if (!stores.some((s) => s.kind === "SecretStore" && s.name === ref.name && s.namespace === e.namespace)) {
      problems.push({ ...at, message: `names SecretStore ${ref.name} in namespace ${e.namespace}, which this environment does not create (stores: ${storeList}); a SecretStore only serves its own namespace` });
    }
  }

  for (const e of index.entries) {
    if (e.group !== "" || e.kind !== "Secret" || !hasValues(e.obj)) continue;
    const labels: Json = (e.obj as Json).metadata?.labels ?? {};
    if (stores.length > 0) {
      problems.push({
        file: e.file,
        object: e.ref,
        message: `holds secret values in the manifests of an environment with a secret store (${storeList}): read them from the store with an ExternalSecret (src/lib/external-secret.ts)`,
      });
    } else if (labels[DEV_ONLY_LABEL] !== "true") {
      problems.push({
        file: e.file,
        object: e.ref,
        path: `metadata.labels["${DEV_ONLY_LABEL}"]`,
        message: `must be "true": a Secret with values in the manifests is only acceptable as a marked local development value`,
      });
    }
  }
  return problems;
}
