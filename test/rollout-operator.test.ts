import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Chart, Testing } from "cdk8s";
import { dump, loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ROLLOUT_OPERATOR_CRDS, ROLLOUT_OPERATOR_CRDS_SOURCE } from "../imports/crds/rollout-operator.grafana.com.js";
import { imageTag } from "../src/lib/labels.js";
import type { MimirContext } from "../src/mimir/context.js";
import { RolloutOperator, ROLLOUT_OPERATOR_API_GROUP, zoneAwarePodDisruptionBudget } from "../src/mimir/rollout-operator.js";
import { ZONE_MAX_UNAVAILABLE, ZoneAwareStatefulSet } from "../src/mimir/zone-aware.js";
import { crdSchemas } from "../src/validate/crd-schema.js";
import { validateCoreObject } from "../src/validate/k8s-schema.js";
import { REPO_ROOT } from "./helpers/cli.js";
import { isCi } from "./helpers/nginx.js";

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; rules?: any; webhooks?: any; [key: string]: any };

const NAMESPACE = "mimir";
const ZONES = [
  { name: "zone-a", awsZone: "eu-west-1a" },
  { name: "zone-b", awsZone: "eu-west-1b" },
  { name: "zone-c", awsZone: "eu-west-1c" },
];
const schemas = crdSchemas(path.join(REPO_ROOT, "imports", "schemas"));

/** The rollout-operator the way the platform deploys it: namespaced objects plus a cluster-scoped chart. */
function synthOperator(): { namespaced: Manifest[]; cluster: Manifest[] } {
  const app = Testing.app();
  const namespaced = new Chart(app, "rollout-operator", { namespace: NAMESPACE, disableResourceNameHashes: true });
  const cluster = new Chart(app, "rollout-operator-webhooks", { disableResourceNameHashes: true });
  new RolloutOperator(namespaced, "rollout-operator", { namespace: NAMESPACE, instance: "mimir", clusterScope: cluster });
  return { namespaced: Testing.synth(namespaced) as Manifest[], cluster: Testing.synth(cluster) as Manifest[] };
}

function context(zones: MimirContext["zones"]): MimirContext {
  return {
    namespace: NAMESPACE,
    instance: "mimir",
    image: "grafana/mimir:3.0.1",
    serviceAccountName: "mimir",
    configMapName: "mimir-config",
    runtimeConfigMapName: "mimir-runtime",
    configHash: () => "0123456789abcdef",
    storageClassName: "gp3",
    zones,
  };
}

/** One zone-aware component (ingester or store-gateway), with or without zones. */
function synthZoneAware(component: "ingester" | "store-gateway", zones: MimirContext["zones"]): Manifest[] {
  const chart = new Chart(Testing.app(), component, { namespace: NAMESPACE, disableResourceNameHashes: true });
  new ZoneAwareStatefulSet(chart, component, {
    context: context(zones),
    component,
    settings: { replicas: 6, resources: { requests: { cpu: "1", memory: "4Gi" } }, storage: "10Gi" },
    zoneFlag: component === "ingester" ? "ingester.ring.instance-availability-zone" : "store-gateway.sharding-ring.instance-availability-zone",
    minTimeBetweenZonesDownscale: component === "ingester" ? "12h" : "30m",
    workload: { terminationGracePeriodSeconds: 120, readinessInitialDelaySeconds: 60 },
  });
  return Testing.synth(chart) as Manifest[];
}

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const find = (manifests: Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
  return found;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe("rollout-operator CRDs", () => {
  const { cluster } = synthOperator();
  const crds = ofKind(cluster, "CustomResourceDefinition");

  it("ships ZoneAwarePodDisruptionBudget and ReplicaTemplate, served and stored as v1, first in the cluster-scoped file", () => {
    expect(crds.map((c) => c.metadata.name)).toEqual([
      "replicatemplates.rollout-operator.grafana.com",
      "zoneawarepoddisruptionbudgets.rollout-operator.grafana.com",
    ]);
    for (const crd of crds) {
      expect(crd.apiVersion).toBe("apiextensions.k8s.io/v1");
      expect(crd.metadata.namespace).toBeUndefined();
      expect(crd.spec.group).toBe(ROLLOUT_OPERATOR_API_GROUP);
      expect(crd.spec.scope).toBe("Namespaced");
      expect(crd.spec.versions.map((v: any) => [v.name, v.served, v.storage])).toEqual([["v1", true, true]]);
    }
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(["ReplicaTemplate", "ZoneAwarePodDisruptionBudget"]);
    // `kubectl apply -f` applies a file in order: nothing may precede the definitions.
    expect(cluster.slice(0, 2).map((m) => m.kind)).toEqual(["CustomResourceDefinition", "CustomResourceDefinition"]);
  });

  it("are the committed upstream definitions, at the version of the deployed operator", () => {
    expect(ROLLOUT_OPERATOR_CRDS_SOURCE.repository).toBe("grafana/rollout-operator");
    expect(ROLLOUT_OPERATOR_CRDS_SOURCE.ref).toBe(imageTag(find(synthOperator().namespaced, "Deployment", "rollout-operator").spec.template.spec.containers[0].image));
    for (const upstream of ROLLOUT_OPERATOR_CRDS) {
      const emitted = find(crds, "CustomResourceDefinition", upstream.metadata.name);
      expect(emitted.spec).toEqual(JSON.parse(JSON.stringify(upstream.spec)));
    }
    const zpdb = find(crds, "CustomResourceDefinition", "zoneawarepoddisruptionbudgets.rollout-operator.grafana.com");
    const spec = zpdb.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    expect(spec.required).toEqual(["selector"]);
    expect(Object.keys(spec.properties).sort()).toEqual(
      ["maxUnavailable", "maxUnavailablePercentage", "podNamePartitionRegex", "podNameRegexGroup", "selector"].sort(),
    );
  });

  it("pass the Kubernetes schema of apiextensions.k8s.io/v1 CustomResourceDefinition", () => {
    for (const crd of crds) expect(validateCoreObject(crd), crd.metadata.name).toEqual([]);
    const broken = structuredClone(crds[1]!);
    broken.spec.scope = 1;
    broken.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.maxUnavailable.descripton = "typo";
    expect(validateCoreObject(broken)!.map((f) => f.path)).toEqual([
      "spec.scope",
      "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.maxUnavailable.descripton",
    ]);
  });

  it("are ordered before the operator and the budgets by kubectl kustomize", (ctx) => {
    if (spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status !== 0) {
      if (isCi()) throw new Error("kubectl is required in CI");
      console.warn("NOTICE: kubectl is not installed; skipping the kustomize ordering test");
      ctx.skip();
    }
    const { namespaced } = synthOperator();
    const ingester = synthZoneAware("ingester", ZONES);
    const dir = mkdtempSync(path.join(os.tmpdir(), "rollout-operator-test-"));
    try {
      // File names sort the namespaced objects first, so the order below is kustomize's doing.
      const files: Record<string, Manifest[]> = { "a-ingester.yaml": ingester, "b-rollout-operator.yaml": namespaced, "c-cluster.yaml": cluster };
      for (const [file, objects] of Object.entries(files)) writeFileSync(path.join(dir, file), objects.map((o) => dump(o)).join("---\n"));
      writeFileSync(path.join(dir, "kustomization.yaml"), dump({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: Object.keys(files) }));
      const result = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      const kinds = (loadAll(result.stdout) as Manifest[]).map((o) => o.kind);
      const lastCrd = kinds.lastIndexOf("CustomResourceDefinition");
      expect(lastCrd).toBe(1);
      expect(kinds.indexOf("Deployment")).toBeGreaterThan(lastCrd);
      expect(kinds.indexOf("ZoneAwarePodDisruptionBudget")).toBeGreaterThan(lastCrd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("rollout-operator webhooks and RBAC", () => {
  const { namespaced, cluster } = synthOperator();
  const webhookConfigs = cluster.filter((m) => m.kind.endsWith("WebhookConfiguration"));

  it("registers the four upstream webhooks, fail-closed, on the operator's Service in the platform namespace only", () => {
    expect(webhookConfigs.map((w) => `${w.kind}/${w.metadata.name}`)).toEqual([
      "ValidatingWebhookConfiguration/no-downscale-mimir",
      "MutatingWebhookConfiguration/prepare-downscale-mimir",
      "ValidatingWebhookConfiguration/pod-eviction-mimir",
      "ValidatingWebhookConfiguration/zpdb-validation-mimir",
    ]);
    for (const config of webhookConfigs) {
      expect(config.metadata.labels).toMatchObject({ "grafana.com/inject-rollout-operator-ca": "true", "grafana.com/namespace": NAMESPACE });
      expect(config.webhooks).toHaveLength(1);
      const [hook] = config.webhooks;
      expect(hook.name).toBe(`${config.metadata.name}.grafana.com`);
      expect(hook).toMatchObject({
        admissionReviewVersions: ["v1"],
        failurePolicy: "Fail",
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACE } },
        timeoutSeconds: 10,
      });
      expect(hook.clientConfig.service).toMatchObject({ name: "rollout-operator", namespace: NAMESPACE, port: 443 });
    }
    const service = find(namespaced, "Service", "rollout-operator");
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 443, targetPort: "https" })]);
  });

  it("sends each webhook to its handler with upstream's rules", () => {
    const hook = (name: string) => find(webhookConfigs, name.startsWith("prepare") ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration", `${name}-${NAMESPACE}`).webhooks[0];
    const downscale = [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["statefulsets", "statefulsets/scale"], scope: "Namespaced" }];
    expect(hook("no-downscale")).toMatchObject({ clientConfig: { service: { path: "/admission/no-downscale" } }, rules: downscale, sideEffects: "None" });
    expect(hook("prepare-downscale")).toMatchObject({
      clientConfig: { service: { path: "/admission/prepare-downscale" } },
      rules: downscale,
      sideEffects: "NoneOnDryRun",
      matchPolicy: "Equivalent",
    });
    expect(hook("pod-eviction")).toMatchObject({
      clientConfig: { service: { path: "/admission/pod-eviction" } },
      rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods/eviction"], scope: "Namespaced" }],
      sideEffects: "None",
    });
    expect(hook("zpdb-validation")).toMatchObject({
      clientConfig: { service: { path: "/admission/zpdb-validation" } },
      rules: [
        {
          apiGroups: ["rollout-operator.grafana.com"],
          apiVersions: ["v1"],
          operations: ["CREATE", "UPDATE"],
          resources: ["zoneawarepoddisruptionbudgets"],
          scope: "Namespaced",
        },
      ],
      sideEffects: "None",
    });
    for (const config of webhookConfigs) expect(validateCoreObject(config), config.metadata.name).toEqual([]);
  });

  it("serves the webhooks over TLS with no per-webhook flag (v0.34 serves all four when TLS is on)", () => {
    const container = find(namespaced, "Deployment", "rollout-operator").spec.template.spec.containers[0];
    expect(container.args).toEqual(expect.arrayContaining([`-kubernetes.namespace=${NAMESPACE}`, "-server-tls.enabled=true"]));
    expect(container.ports).toEqual(expect.arrayContaining([{ name: "https", containerPort: 8443, protocol: "TCP" }]));
  });

  it("lets the operator run its informers and answer the eviction and budget webhooks", () => {
    const rules = find(namespaced, "Role", "rollout-operator").rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }>;
    const allows = (group: string, resource: string, verb: string) =>
      rules.some((r) => !r.resourceNames && r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    // pkg/zpdb/config_observer.go: the ZoneAwarePodDisruptionBudget informer it waits for at startup.
    for (const verb of ["list", "watch", "get"]) expect(allows(ROLLOUT_OPERATOR_API_GROUP, "zoneawarepoddisruptionbudgets", verb), verb).toBe(true);
    // pkg/zpdb/pod_observer.go and pod_eviction_k8s_clients.go: pod informer, the evicted pod, its zone's pods.
    for (const verb of ["list", "watch", "get"]) expect(allows("", "pods", verb), `pods ${verb}`).toBe(true);
    // ...its owning StatefulSet and the StatefulSets of the other zones.
    for (const verb of ["get", "list"]) expect(allows("apps", "statefulsets", verb), `statefulsets ${verb}`).toBe(true);
    // Rollouts delete pods after checking them against the budget; the operator never creates evictions itself.
    expect(allows("", "pods", "delete")).toBe(true);
    expect(allows("", "pods/eviction", "create")).toBe(false);
    // CA injection into all four webhook configurations.
    const clusterRole = find(cluster, "ClusterRole", `rollout-operator-${NAMESPACE}-webhook`);
    expect(clusterRole.rules).toEqual([
      {
        apiGroups: ["admissionregistration.k8s.io"],
        resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"],
        verbs: ["list", "patch", "watch"],
      },
    ]);
    const binding = find(namespaced, "RoleBinding", "rollout-operator");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "rollout-operator", namespace: NAMESPACE }]);
  });
});

describe("ZoneAwarePodDisruptionBudget for zone-aware components", () => {
  for (const component of ["ingester", "store-gateway"] as const) {
    it(`${component}: one budget over the three zone StatefulSets and their pods, instead of a plain PDB`, () => {
      const manifests = synthZoneAware(component, ZONES);
      expect(ofKind(manifests, "PodDisruptionBudget")).toEqual([]);
      const budgets = ofKind(manifests, "ZoneAwarePodDisruptionBudget");
      expect(budgets.map((b) => b.metadata.name)).toEqual([`${component}-rollout`]);
      const [zpdb] = budgets;
      expect(zpdb!.apiVersion).toBe("rollout-operator.grafana.com/v1");
      expect(zpdb!.metadata.namespace).toBe(NAMESPACE);
      expect(zpdb!.spec).toEqual({ maxUnavailable: ZONE_MAX_UNAVAILABLE, selector: { matchLabels: { "rollout-group": component } } });

      const statefulSets = ofKind(manifests, "StatefulSet");
      expect(statefulSets.map((s) => s.metadata.name)).toEqual(ZONES.map((z) => `${component}-${z.name}`));
      for (const sts of statefulSets) {
        // The operator finds the zones' StatefulSets and the evicted pod's budget with the same selector.
        expect(matches(zpdb!.spec.selector.matchLabels, sts.metadata.labels), sts.metadata.name).toBe(true);
        expect(matches(zpdb!.spec.selector.matchLabels, sts.spec.template.metadata.labels), sts.metadata.name).toBe(true);
        // It lists a zone's pods by their `name` label.
        expect(sts.spec.template.metadata.labels.name).toBe(sts.metadata.name);
        // A per-zone budget below the rollout batch size would cap the operator's own rollouts.
        expect(zpdb!.spec.maxUnavailable).toBe(Number(sts.metadata.annotations?.["rollout-max-unavailable"]));
      }
    });

    it(`${component}: without zones keeps a plain PDB and no zone-aware budget`, () => {
      const manifests = synthZoneAware(component, []);
      expect(ofKind(manifests, "ZoneAwarePodDisruptionBudget")).toEqual([]);
      const pdb = find(manifests, "PodDisruptionBudget", component);
      expect(pdb.spec.maxUnavailable).toBe(1);
      const [sts] = ofKind(manifests, "StatefulSet");
      expect(matches(pdb.spec.selector.matchLabels, sts!.spec.template.metadata.labels)).toBe(true);
    });
  }

  it("validates against the committed CRD schema, which rejects what the operator would reject", () => {
    const zpdb = find(synthZoneAware("ingester", ZONES), "ZoneAwarePodDisruptionBudget", "ingester-rollout");
    expect(schemas.has("rollout-operator.grafana.com/v1", "ZoneAwarePodDisruptionBudget")).toBe(true);
    expect(schemas.validate(zpdb)).toEqual([]);

    const broken = structuredClone(zpdb);
    broken.spec.maxUnavailable = -1;
    broken.spec.maxUnavaliable = 1;
    delete broken.spec.selector.matchLabels;
    expect(schemas.validate(broken)!.map((f) => `${f.path}: ${f.message}`).sort()).toEqual([
      "spec.maxUnavailable: must be >= 0",
      'spec.maxUnavaliable: unknown field "maxUnavaliable"',
      'spec.selector: missing required field "matchLabels"',
    ]);
    expect(schemas.validate({ ...zpdb, spec: { maxUnavailable: 1 } })!.map((f) => f.message)).toEqual(['missing required field "selector"']);
  });

  it("takes explicit, typed spec fields and refuses both kinds of maxUnavailable at once", () => {
    const chart = new Chart(Testing.app(), "zpdb", { namespace: NAMESPACE, disableResourceNameHashes: true });
    zoneAwarePodDisruptionBudget(chart, {
      name: "partitioned",
      labels: {},
      spec: { maxUnavailable: 1, selector: { matchLabels: { "rollout-group": "ingester" } }, podNamePartitionRegex: "[a-z\\-]+-zone-[a-z]-([0-9]+)", podNameRegexGroup: 1 },
    });
    const [partitioned] = Testing.synth(chart) as Manifest[];
    expect(partitioned!.spec).toEqual({
      maxUnavailable: 1,
      podNamePartitionRegex: "[a-z\\-]+-zone-[a-z]-([0-9]+)",
      podNameRegexGroup: 1,
      selector: { matchLabels: { "rollout-group": "ingester" } },
    });
    expect(schemas.validate(partitioned!)).toEqual([]);
    expect(() =>
      zoneAwarePodDisruptionBudget(chart, { name: "both", labels: {}, spec: { maxUnavailable: 1, maxUnavailablePercentage: 50, selector: { matchLabels: {} } } }),
    ).toThrow(/not both/);
  });
});
