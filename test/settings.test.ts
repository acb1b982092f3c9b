/**
 * Every setting config.yaml accepts must change the synthesized output or be rejected with a
 * problem at that field: nothing is silently ignored. The field list is walked from the zod schema
 * itself, so a new setting without a case here fails the completeness test.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dump, load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { ConfigError } from "../src/config/errors.js";
import { platformConfigSchema } from "../src/config/schema.js";
import { MIMIR_COMPONENTS } from "../src/mimir/components.js";
import { loadEnvironment } from "../src/config/load.js";
import { synthesizeAll } from "../src/synth/pipeline.js";
import { synthesizeEnvironment } from "../src/synth/synthesize.js";
import { formatProblem } from "../src/validate/problem.js";
import { SchemaResultCache } from "../src/validate/schema-cache.js";
import { REPO_ROOT, scratchRepo } from "./helpers/cli.js";
import { COLLECTION_CASES } from "./helpers/collection-setting-cases.js";
import { ALERTING_CASES } from "./helpers/alerting-setting-cases.js";
import { GRAFANA_CASES } from "./helpers/grafana-setting-cases.js";
import { SECURITY_CASES } from "./helpers/security-setting-cases.js";

/** Subtrees treated as one setting (their inner fields are validated shapes, not separate knobs). */
const WHOLE = new Set(["resources", "autoscaling", "limits", "rateLimits", "concurrency", "secretStore", "devOnlyTokens"]);

/** Dotted paths of every leaf setting, `[]` for list items. */
function settingPaths(schema: z.ZodType, prefix = ""): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  switch (def.type) {
    case "default":
    case "optional":
    case "prefault":
    case "nullable":
      return settingPaths(def.innerType, prefix);
    case "pipe":
      return settingPaths(def.in, prefix);
    case "object":
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, value]) => {
        const child = prefix ? `${prefix}.${key}` : key;
        return WHOLE.has(key) ? [child] : settingPaths(value, child);
      });
    case "array": {
      const element = (def.element as { _zod: { def: { type: string } } })._zod.def.type;
      return element === "object" ? settingPaths(def.element, `${prefix}[]`) : [prefix];
    }
    default:
      return [prefix];
  }
}

type Config = Record<string, any>;
interface Case {
  /** Environment whose config.yaml is edited. @default "prod" */
  readonly env?: string;
  readonly edit: (config: Config) => void;
}

const componentCases: Record<string, Case> = {};
for (const name of MIMIR_COMPONENTS) {
  const at = (config: Config) => (config.mimir.components[name] ??= {});
  componentCases[`mimir.components.${name}.replicas`] = { edit: (c) => (at(c).replicas = 6, delete at(c).autoscaling) };
  componentCases[`mimir.components.${name}.resources`] = { edit: (c) => (at(c).resources = { requests: { cpu: "3", memory: "3Gi" } }) };
  componentCases[`mimir.components.${name}.autoscaling`] = { edit: (c) => (at(c).autoscaling = { minReplicas: 4, maxReplicas: 9 }, delete at(c).replicas) };
  componentCases[`mimir.components.${name}.storage`] = { edit: (c) => (at(c).storage = "33Gi") };
}
const cacheCases: Record<string, Case> = {};
for (const name of ["results", "index", "chunks", "metadata"]) {
  const at = (config: Config) => (config.caches[name] ??= {});
  cacheCases[`caches.${name}.enabled`] = { edit: (c) => (c.caches[name] = { enabled: false }) };
  cacheCases[`caches.${name}.replicas`] = { edit: (c) => (at(c).replicas = 5) };
  cacheCases[`caches.${name}.memoryMb`] = { edit: (c) => (at(c).memoryMb = 300) };
  cacheCases[`caches.${name}.maxItemMb`] = { edit: (c) => (at(c).maxItemMb = 3) };
  cacheCases[`caches.${name}.connectionLimit`] = { edit: (c) => (at(c).connectionLimit = 2048) };
  cacheCases[`caches.${name}.hitRatioObjective`] = { edit: (c) => (at(c).hitRatioObjective = 0.42) };
}

const CASES: Record<string, Case> = {
  project: { edit: (c) => (c.project = "other") },
  environment: { edit: (c) => (c.environment = "staging") },
  clusterLabel: { edit: (c) => (c.clusterLabel = "secondary") },
  namespace: { edit: (c) => (c.namespace = "observability") },
  baseDomain: { edit: (c) => (c.baseDomain = "obs.other.example") },
  grafanaRootUrl: { edit: (c) => (c.grafanaRootUrl = "https://grafana.other.example") },
  runbookBaseUrl: { edit: (c) => (c.runbookBaseUrl = "https://wiki.example.com/runbooks") },
  onCallEmail: { edit: (c) => (c.onCallEmail = "pager@acme.example") },
  defaultTenant: { edit: (c) => (c.defaultTenant = "team-search") },
  secretStore: { edit: (c) => (c.secretStore = { kind: "SecretStore", name: "vault" }) },
  drSourceEnvironment: { env: "dr", edit: (c) => (c.drSourceEnvironment = "dev") },
  "storage.storageClassName": { edit: (c) => (c.storage = { storageClassName: "io2" }) },
  "storage.createStorageClass": { edit: (c) => (c.storage = { createStorageClass: false }) },
  "mimir.deploymentMode": { env: "dev", edit: (c) => (c.mimir.deploymentMode = "read-only", (c.drSourceEnvironment = "dev")) },
  "mimir.image": { edit: (c) => (c.mimir.image = "grafana/mimir:3.0.2") },
  "mimir.logLevel": { edit: (c) => (c.mimir.logLevel = "warn") },
  "mimir.zoneAwareReplication": { edit: (c) => (c.mimir.zoneAwareReplication = false) },
  "mimir.retention": { edit: (c) => (c.mimir.retention = "100d") },
  "mimir.limits": { edit: (c) => (c.mimir.limits.max_label_names_per_series = 50) },
  "mimir.ingesterMaxSeries": { edit: (c) => (c.mimir.ingesterMaxSeries = 900_000) },
  "mimir.monolithic.replicas": { env: "local", edit: (c) => (c.mimir.monolithic.replicas = 2) },
  "mimir.monolithic.resources": { env: "local", edit: (c) => (c.mimir.monolithic.resources = { requests: { cpu: "1", memory: "2Gi" } }) },
  "mimir.monolithic.autoscaling": { env: "local", edit: (c) => (c.mimir.monolithic.autoscaling = { minReplicas: 1, maxReplicas: 2 }) },
  "mimir.monolithic.storage": { env: "local", edit: (c) => (c.mimir.monolithic.storage = "9Gi") },
  ...componentCases,
  ...cacheCases,
  "tenants[].id": { edit: (c) => (c.tenants[2].id = "team-find", (c.gateway.tokens[2].tenant = "team-find")) },
  "tenants[].description": { edit: (c) => (c.tenants[2].description = "Search and discovery") }, // rejected: use a comment
  "tenants[].retention": { edit: (c) => (c.tenants[2].retention = "45d") },
  "tenants[].limits": { edit: (c) => (c.tenants[2].limits.max_fetched_series_per_query = 5) },
  "gitops.repoUrl": { edit: (c) => (c.gitops.repoUrl = "https://git.acme.example/other.git") },
  "gitops.revision": { edit: (c) => (c.gitops.revision = "release") },
  "gitops.argocdNamespace": { edit: (c) => (c.gitops.argocdNamespace = "argo") },
  "gitops.argocdProject": { edit: (c) => (c.gitops.argocdProject = "platform") },
  "gitops.fluxNamespace": { edit: (c) => (c.gitops.fluxNamespace = "flux") },
  "gitops.fluxKubeConfigSecret": { edit: (c) => (c.gitops.fluxKubeConfigSecret = "prod-kubeconfig") },
  "gateway.enabled": { edit: (c) => (c.gateway = { enabled: false }) },
  "gateway.image": { edit: (c) => (c.gateway.image = "nginxinc/nginx-unprivileged:1.29.2-alpine") },
  "gateway.replicas": { edit: (c) => (c.gateway.replicas = 4, delete c.gateway.autoscaling) },
  "gateway.resources": { edit: (c) => (c.gateway.resources = { requests: { cpu: "1", memory: "1Gi" } }) },
  "gateway.autoscaling": { edit: (c) => (c.gateway.autoscaling = { minReplicas: 3, maxReplicas: 12 }) },
  "gateway.workerProcesses": { edit: (c) => (c.gateway.workerProcesses = 4) },
  "gateway.rateLimits": { edit: (c) => (c.gateway.rateLimits.perTenant.rate = 99) },
  "gateway.concurrency": { edit: (c) => (c.gateway.concurrency.perTenant = 99) },
  "gateway.trustedProxyCidrs": { edit: (c) => (c.gateway.trustedProxyCidrs = ["10.0.0.0/8"]) },
  "gateway.clientMaxBodySize": { edit: (c) => (c.gateway.clientMaxBodySize = "32m") },
  "gateway.tokens[].tenant": { edit: (c) => (c.gateway.tokens[2].tenant = "team-payments") },
  "gateway.tokens[].remoteKey": { edit: (c) => (c.gateway.tokens[2].remoteKey = "observability/prod/search-token") },
  "gateway.tokens[].property": { edit: (c) => (c.gateway.tokens[2].property = "token") },
  "gateway.devOnlyTokens": { env: "local", edit: (c) => (c.gateway.devOnlyTokens["dev-token-extra-000000000001"] = "single") },
  ...COLLECTION_CASES,
  ...ALERTING_CASES,
  ...GRAFANA_CASES,
  ...SECURITY_CASES,
};

describe("every setting changes the output or is rejected", () => {
  const scratch = scratchRepo();
  afterAll(() => scratch.cleanup());
  // Most objects are the same in every case: check each distinct object's schema once.
  const schemaCache = new SchemaResultCache(path.join(scratch.root, "schema-cache.json"), "settings-test");
  let baseline: Map<string, string>;
  const baselines = new Map<string, Map<string, string>>();
  beforeAll(() => {
    baseline = synthesizeAll({ root: scratch.root, envs: [] }).files;
    // Rendered before any edit: one unedited rendering per environment.
    for (const env of ["local", "dev", "prod", "dr"]) baselines.set(env, renderEnv(env));
  });
  const renderEnv = (env: string): Map<string, string> => {
    const inputs = loadEnvironment(path.join(scratch.root, "overlays"), env, scratch.root);
    return new Map(synthesizeEnvironment(inputs).files.map((file) => [file.path, file.text]));
  };
  const baselineOf = (env: string): Map<string, string> => baselines.get(env)!;

  it("has a case for every setting in the config schema", () => {
    const fields = settingPaths(platformConfigSchema as unknown as z.ZodType);
    expect(fields.filter((field) => !(field in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((field) => !fields.includes(field))).toEqual([]);
  });

  it.each(Object.entries(CASES))("%s", (field, { env = "prod", edit }) => {
    const file = path.join(scratch.root, "overlays", env, "config.yaml");
    const original = readFileSync(file, "utf8");
    const config = load(original) as Config;
    edit(config);
    writeFileSync(file, dump(config));
    try {
      // Only the edited environment is built and rendered, without the validation chain (a changed
      // output is all this test asks for; rejections come from loading), except for GitOps settings,
      // whose argocd/ and flux/ trees come from a full synth.
      const whole = field.startsWith("gitops.");
      const files = whole ? synthesizeAll({ root: scratch.root, envs: [], schemaCache }).files : renderEnv(env);
      const before = whole ? baseline : baselineOf(env);
      const changed = [...new Set([...files.keys(), ...before.keys()])].filter((name) => files.get(name) !== before.get(name));
      expect(changed, `${field} was accepted but changed nothing`).not.toEqual([]);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Rejected: the problem must name the setting, not something unrelated.
      const root = field.replace(/\[\].*$/, "");
      const messages = error.problems.map(formatProblem);
      expect(messages.some((message) => message.includes(`${root.split(".")[0]}`)), messages.join("\n")).toBe(true);
    } finally {
      writeFileSync(file, original);
    }
  });
});

// Keep REPO_ROOT referenced for editors that jump to the repository from here.
void REPO_ROOT;
