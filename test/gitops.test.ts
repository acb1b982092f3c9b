import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatLayerSummary, unitOf } from "../src/diff/layers.js";
import { diffTrees } from "../src/diff/semantic-diff.js";
import { DR_FAILOVER_DOC, renderDrFailoverDoc } from "../src/gitops/dr-failover.js";
import { helmRelease, layerKustomization } from "../src/gitops/flux.js";
import { gitopsEnvironments, type GitopsInput } from "../src/gitops/gitops.js";
import { loadEnvironment } from "../src/config/load.js";
import { synthesizeEnvironment } from "../src/synth/synthesize.js";
import { ADDON_ROLE_KEYS, platformAddOns, type AddOnCluster } from "../src/gitops/addons.js";
import { LAYER_MODEL, layerDependsOn, layerWaves, presentDependencies, topologicalLayers, type LayerFacts } from "../src/gitops/layers.js";
import { FAMILIES } from "../src/synth/families.js";
import { LAYERS, type Layer } from "../src/synth/family.js";
import { synthesizeAll } from "../src/synth/pipeline.js";
import { validateManifests } from "../src/validate/manifests.js";
import { kustomizeBuild } from "../src/validate/kustomize.js";
import { REPO_ROOT } from "./helpers/cli.js";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };

const outcome = synthesizeAll({ root: REPO_ROOT, envs: [] });
const RECONCILED = ["dev", "prod", "dr"];
const docs = (file: string): Obj[] => {
  const text = outcome.files.get(file);
  if (text === undefined) throw new Error(`no ${file}`);
  return (loadAll(text) as Obj[]).filter(Boolean);
};
const under = (dir: string) => [...outcome.files.keys()].filter((file) => file.startsWith(`${dir}/`));
const objectsUnder = (dir: string) => under(dir).filter((file) => !file.endsWith("kustomization.yaml")).flatMap(docs);
const identity = (o: Obj) => `${o.apiVersion.split("/").length > 1 ? o.apiVersion.split("/")[0] : ""}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const argoApps = (env: string) => objectsUnder(`argocd/${env}`).filter((o) => o.kind === "Application");
const fluxKustomizations = (env: string) => objectsUnder(`flux/${env}`).filter((o) => o.kind === "Kustomization");
const layerOfApp = (app: Obj) => (app.metadata as any).labels["observability-platform/layer"] as Layer;

describe("the layer model", () => {
  it("is acyclic, and LAYERS lists every layer after the layers it depends on", () => {
    expect(topologicalLayers().sort()).toEqual([...LAYERS].sort());
    for (const [index, layer] of LAYERS.entries()) {
      for (const dependency of LAYER_MODEL[layer].dependsOn) expect(LAYERS.indexOf(dependency), `${layer} → ${dependency}`).toBeLessThan(index);
    }
  });

  it("rejects a cycle and an unknown layer, naming them", () => {
    const cyclic: Record<string, LayerFacts> = {
      a: { dependsOn: ["c" as Layer], purpose: "" },
      b: { dependsOn: ["a" as Layer], purpose: "" },
      c: { dependsOn: ["b" as Layer], purpose: "" },
    };
    expect(() => topologicalLayers(cyclic)).toThrow("layer model: cycle a → c → b → a");
    expect(() => topologicalLayers({ a: { dependsOn: ["nope" as Layer], purpose: "" } })).toThrow("layer model: a depends on unknown layer nope");
  });

  it("gives every layer a sync wave above the waves of its dependencies", () => {
    const waves = layerWaves();
    for (const layer of LAYERS) for (const dependency of LAYER_MODEL[layer].dependsOn) expect(waves[layer]).toBeGreaterThan(waves[dependency]);
    expect(waves.foundation).toBe(0);
  });

  it("keeps ordering across an absent layer: dependsOn skips to what the absent layer depends on", () => {
    // Without operators and security, mimir waits for storage, which (without security) waits for foundation.
    expect(presentDependencies("mimir", new Set<Layer>(["foundation", "addons", "storage", "mimir"]))).toEqual(["storage"]);
    // storage needs foundation and security; security is absent, so it waits for the add-ons (which follow foundation).
    expect(presentDependencies("storage", new Set<Layer>(["foundation", "addons", "storage"]))).toEqual(["addons"]);
    // Reduced: mimir already waits for security through storage.
    expect(presentDependencies("mimir", new Set<Layer>(LAYERS))).toEqual(["operators", "storage"]);
  });

  it("every family declares a layer of the model", () => {
    for (const family of FAMILIES) expect(LAYERS).toContain(family.layer);
  });
});

describe("dist/<env>/<layer>/ layout", () => {
  for (const env of ["local", ...RECONCILED]) {
    it(`${env}: every file sits in one layer directory, listed by that layer's kustomization; the env's kustomization lists the layers in order`, () => {
      const files = under(`dist/${env}`);
      const layers = new Set<string>();
      for (const file of files) {
        if (file === `dist/${env}/kustomization.yaml`) continue;
        const match = /^dist\/[^/]+\/([^/]+)\/([^/]+)\.yaml$/.exec(file);
        expect(match, file).not.toBeNull();
        expect(LAYERS as readonly string[]).toContain(match![1]);
        layers.add(match![1]!);
      }
      const ordered = LAYERS.filter((layer) => layers.has(layer));
      expect((loadAll(outcome.files.get(`dist/${env}/kustomization.yaml`)!)[0] as any).resources).toEqual(ordered);
      for (const layer of ordered) {
        const listed = (loadAll(outcome.files.get(`dist/${env}/${layer}/kustomization.yaml`)!)[0] as any).resources;
        const present = files.filter((f) => f.startsWith(`dist/${env}/${layer}/`) && !f.endsWith("/kustomization.yaml")).map((f) => path.basename(f));
        expect(listed).toEqual(present);
      }
    });
  }

  it("puts each family's files in the directory of the family's layer (rollout-operator CRDs in operators, before Mimir)", () => {
    const byName = (env: string, name: string) => under(`dist/${env}`).find((file) => file.endsWith(`/${name}.yaml`));
    expect(byName("prod", "cluster")).toBe("dist/prod/foundation/cluster.yaml");
    expect(byName("prod", "rollout-operator-webhooks")).toBe("dist/prod/operators/rollout-operator-webhooks.yaml");
    expect(byName("prod", "ingester")).toBe("dist/prod/mimir/ingester.yaml");
    expect(byName("prod", "gateway")).toBe("dist/prod/gateway/gateway.yaml");
    expect(byName("prod", "prometheus")).toBe("dist/prod/collection/prometheus.yaml");
  });
});

describe("argocd/ and flux/ against the model", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "gitops-test-"));
    for (const [file, text] of outcome.files) {
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      writeFileSync(path.join(scratch, file), text);
    }
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
  const built = new Map<string, Obj[]>();
  const build = (dir: string): Obj[] => {
    if (built.has(dir)) return built.get(dir)!;
    const result = kustomizeBuild(path.join(scratch, dir));
    expect(result.ok, `kubectl kustomize ${dir}: ${result.stderr}`).toBe(true);
    built.set(dir, (loadAll(result.stdout) as Obj[]).filter(Boolean));
    return built.get(dir)!;
  };

  it("no tree for local, and one bootstrap file per tree for each reconciled environment", () => {
    expect(outcome.files.has("argocd/local.yaml")).toBe(false);
    expect(outcome.files.has("flux/local.yaml")).toBe(false);
    for (const env of RECONCILED) {
      expect(docs(`argocd/${env}.yaml`).map((o) => o.kind)).toEqual(["AppProject", "Application"]);
      expect(docs(`flux/${env}.yaml`).map((o) => o.kind)).toEqual(["GitRepository", "Kustomization"]);
      const [root] = docs(`argocd/${env}.yaml`).filter((o) => o.kind === "Application");
      expect(root!.spec.source).toEqual({ repoURL: "https://git.acme.example/platform/observability.git", targetRevision: "main", path: `argocd/${env}` });
      const [source, rootKustomization] = docs(`flux/${env}.yaml`);
      expect(source!.spec).toMatchObject({ url: root!.spec.source.repoURL, ref: { branch: root!.spec.source.targetRevision } });
      expect(rootKustomization!.spec.path).toBe(`./flux/${env}`);
    }
  });

  it.skipIf(!kubectl)("every Application and Kustomization path exists and builds with kubectl kustomize, and applies each object of dist/<env> exactly once", () => {
    for (const env of RECONCILED) {
      const whole = build(`dist/${env}`).map(identity).sort();
      const applied: string[] = [];
      for (const app of argoApps(env)) {
        if (app.spec.source.chart) continue; // Helm add-ons
        expect(app.spec.source.path).toMatch(new RegExp(`^dist/${env}/[a-z]+$`));
        applied.push(...build(app.spec.source.path).map(identity));
      }
      expect(applied.sort()).toEqual(whole);
      const fluxApplied: string[] = [];
      for (const kustomization of fluxKustomizations(env)) {
        const dir = kustomization.spec.path.replace(/^\.\//, "");
        const objects = build(dir);
        if (dir.startsWith("dist/")) fluxApplied.push(...objects.map(identity));
      }
      expect(fluxApplied.sort()).toEqual(whole);
      for (const dir of [`argocd/${env}`, `flux/${env}`]) expect(build(dir).length).toBeGreaterThan(0);
    }
  });

  it("sync waves and dependsOn agree with the model", () => {
    const waves = layerWaves();
    for (const env of RECONCILED) {
      const apps = argoApps(env);
      const present = new Set(apps.map(layerOfApp));
      for (const app of apps) expect(Number(app.metadata.annotations!["argocd.argoproj.io/sync-wave"]), app.metadata.name).toBe(waves[layerOfApp(app)]);
      const kustomizations = new Map(fluxKustomizations(env).map((k) => [k.metadata.name, k]));
      const layerName = (layer: Layer) => `observability-${env}-${layer}`;
      for (const layer of present) {
        const k = kustomizations.get(layerName(layer));
        expect(k, layer).toBeDefined();
        const dependsOn = (k!.spec.dependsOn ?? []).map((d: { name: string }) => d.name);
        expect(dependsOn).toEqual(presentDependencies(layer, present).map(layerName));
        for (const name of dependsOn) expect(kustomizations.has(name), `${layer} dependsOn ${name}`).toBe(true);
        // Every model dependency that is present is waited for, directly or through another layer.
        const closure = (name: string): string[] => [name, ...((kustomizations.get(name)!.spec.dependsOn ?? []) as { name: string }[]).flatMap((d) => closure(d.name))];
        for (const dependency of LAYERS.filter((d) => present.has(d) && layerDependsOn(layer, d))) {
          expect(closure(layerName(layer)), `${layer} waits for ${dependency}`).toContain(layerName(dependency));
        }
      }
      for (const k of kustomizations.values()) {
        if (k.metadata.name === `observability-${env}`) continue;
        expect(k.spec).toMatchObject({ interval: "10m", prune: true, wait: true });
        expect(k.spec.timeout).toBeDefined();
        expect(k.spec.retryInterval).toBeDefined();
      }
    }
  });

  it("custom resources come after the CRDs that define them (synthesized, or installed by an add-on)", () => {
    for (const env of ["local", ...RECONCILED]) {
      const crdLayer = new Map<string, Layer>();
      for (const file of under(`dist/${env}`)) {
        for (const o of file.endsWith("kustomization.yaml") ? [] : docs(file)) {
          if (o.kind === "CustomResourceDefinition") crdLayer.set(`${o.spec.group}/${o.spec.names.kind}`, file.split("/")[2] as Layer);
        }
      }
      const addOnGroups = new Set(
        RECONCILED.includes(env)
          ? platformAddOns(cluster({ aws_load_balancer_controller: "arn:aws:iam::1:role/a", cluster_autoscaler: "arn:aws:iam::1:role/b" }), "x").addOns.flatMap((a) => a.providesApiGroups)
          : ["monitoring.coreos.com"], // local: the Prometheus Operator chart installed first (README, "Run locally")
      );
      for (const file of under(`dist/${env}`)) {
        const layer = file.split("/")[2] as Layer;
        for (const o of file.endsWith("kustomization.yaml") ? [] : docs(file)) {
          const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0]! : "";
          if (!group.includes(".") || group.endsWith(".k8s.io") || group === "apiextensions.k8s.io") continue;
          const defined = crdLayer.get(`${group}/${o.kind}`);
          if (defined) expect(defined === layer || layerDependsOn(layer, defined), `${env}: ${o.kind} in ${layer} needs its CRD (${defined}) first`).toBe(true);
          else {
            expect(addOnGroups.has(group), `${env}: no CRD for ${group}/${o.kind} (${file})`).toBe(true);
            if (RECONCILED.includes(env)) expect(layerDependsOn(layer, "addons"), `${env}: ${o.kind} in ${layer} must come after the add-ons`).toBe(true);
          }
        }
      }
    }
  });

  it("validates against the Argo CD and Flux CRD schemas, and the schemas reject a misspelt field", () => {
    const files = [...outcome.files].filter(([file]) => /^(argocd|flux)\//.test(file) && !file.endsWith("kustomization.yaml"));
    const manifests = files.map(([file]) => ({ file, objects: docs(file) as unknown[] }));
    const schemasDir = path.join(REPO_ROOT, "imports", "schemas");
    expect(validateManifests(manifests, { schemasDir })).toEqual([]);
    const [app] = argoApps("prod");
    const broken = { ...app!, spec: { ...app!.spec, syncPolicy: { ...app!.spec.syncPolicy, automatic: true } } };
    expect(validateManifests([{ file: "argocd/x.yaml", objects: [broken] }], { schemasDir }).map((p) => p.message).join("\n")).toMatch(/automatic/);
  });
});

describe("per-environment clusters", () => {
  it("every child of an environment targets that environment's cluster only, and no two environments share one", () => {
    const clusters = new Map<string, string>();
    for (const env of RECONCILED) {
      const project = objectsUnder(`argocd/${env}`).find((o) => o.kind === "AppProject")!;
      const names = new Set(project.spec.destinations.map((d: { name: string }) => d.name));
      expect(names.size).toBe(1);
      const [cluster] = names as Set<string>;
      for (const app of argoApps(env)) {
        expect(app.spec.destination.name).toBe(cluster);
        expect(app.spec.destination.server).toBeUndefined();
        expect(app.spec.project).toBe(project.metadata.name);
      }
      expect(clusters.has(cluster!), `${env} and ${clusters.get(cluster!)} share ${cluster}`).toBe(false);
      clusters.set(cluster!, env);
    }
    expect(clusters.get("acme-obs-prod-eks")).toBe("prod");
    expect(clusters.get("acme-obs-prod-dr-eks")).toBe("dr");
  });

  it("the AppProject allows this repo and the pinned chart repos only, and allow-lists the cluster-scoped kinds of the output", () => {
    const project = objectsUnder("argocd/prod").find((o) => o.kind === "AppProject")!;
    expect(project.spec.sourceRepos).toContain("https://git.acme.example/platform/observability.git");
    for (const repo of project.spec.sourceRepos) expect(repo).not.toContain("*");
    const allowed = new Set(project.spec.clusterResourceWhitelist.map((k: { group: string; kind: string }) => `${k.group}/${k.kind}`));
    for (const o of objectsUnder("dist/prod")) {
      if (o.metadata.namespace === undefined) expect(allowed, o.kind).toContain(`${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}/${o.kind}`);
    }
    const namespaces = new Set(project.spec.destinations.map((d: { namespace: string }) => d.namespace));
    for (const o of objectsUnder("dist/prod")) if (o.metadata.namespace) expect(namespaces).toContain(o.metadata.namespace);
  });

  it("ignores /spec/replicas of exactly the workloads an HPA scales, in the Application of their layer", () => {
    for (const env of RECONCILED) {
      const scaled = objectsUnder(`dist/${env}`)
        .filter((o) => o.kind === "HorizontalPodAutoscaler")
        .map((o) => `${o.spec.scaleTargetRef.kind}/${o.spec.scaleTargetRef.name}`)
        .sort();
      const ignored = argoApps(env)
        .flatMap((app) => (app.spec.ignoreDifferences ?? []).map((d: any) => {
          expect(d.jsonPointers).toEqual(["/spec/replicas"]);
          expect(app.spec.syncPolicy.syncOptions).toContain("RespectIgnoreDifferences=true");
          const target = objectsUnder(app.spec.source.path).find((o) => o.kind === d.kind && o.metadata.name === d.name);
          expect(target, `${d.kind}/${d.name} in ${app.spec.source.path}`).toBeDefined();
          return `${d.kind}/${d.name}`;
        }))
        .sort();
      expect(ignored).toEqual(scaled);
      expect(scaled.length).toBeGreaterThan(0);
    }
  });

  it("automated prune + selfHeal, retries with backoff, server-side apply for the layer with CRDs and the Prometheus Operator chart", () => {
    for (const app of argoApps("prod")) {
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.spec.syncPolicy.retry.backoff).toMatchObject({ duration: "10s", factor: 2 });
    }
    const options = (name: string) => argoApps("prod").find((a) => a.metadata.name === name)!.spec.syncPolicy.syncOptions;
    expect(options("observability-prod-operators")).toContain("ServerSideApply=true");
    expect(options("observability-prod-prometheus-operator")).toContain("ServerSideApply=true");
  });
});

const cluster = (roleArns: Record<string, string>): AddOnCluster => ({
  name: "c",
  region: "eu-west-1",
  roleOutput: "addon_irsa_role_arns",
  roleArns,
  externalSecretsRoleArn: undefined,
});

describe("add-ons", () => {
  it("are the same chart, version and values in both trees, with exact versions", () => {
    for (const env of RECONCILED) {
      const apps = argoApps(env).filter((a) => a.spec.source.chart);
      const releases = objectsUnder(`flux/${env}/addons`).filter((o) => o.kind === "HelmRelease");
      const repositories = new Map(objectsUnder(`flux/${env}/addons`).filter((o) => o.kind === "HelmRepository").map((r) => [r.metadata.name, r.spec.url]));
      expect(apps.map((a) => a.spec.source.helm.releaseName).sort()).toEqual(releases.map((r) => r.spec.releaseName).sort());
      for (const app of apps) {
        const release = releases.find((r) => r.spec.releaseName === app.spec.source.helm.releaseName)!;
        expect(release.spec.chart.spec.chart).toBe(app.spec.source.chart);
        expect(release.spec.chart.spec.version).toBe(app.spec.source.targetRevision);
        expect(app.spec.source.targetRevision).toMatch(/^v?\d+\.\d+\.\d+$/);
        expect(repositories.get(release.spec.chart.spec.sourceRef.name)).toBe(app.spec.source.repoURL);
        expect(release.spec.values).toEqual(app.spec.source.helm.valuesObject);
        expect(release.spec.targetNamespace).toBe(app.spec.destination.namespace);
      }
    }
  });

  it("pins metrics-server 3.12.0 (2 replicas), AWS Load Balancer Controller 1.7.1 and cluster-autoscaler 9.34.1 with their IRSA roles from Terraform", () => {
    const app = (name: string) => argoApps("prod").find((a) => a.metadata.name === `observability-prod-${name}`)!.spec.source;
    expect(app("metrics-server")).toMatchObject({ chart: "metrics-server", targetRevision: "3.12.0", helm: { valuesObject: { replicas: 2 } } });
    expect(app("aws-load-balancer-controller")).toMatchObject({
      targetRevision: "1.7.1",
      helm: { valuesObject: { clusterName: "acme-obs-prod-eks", serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/acme-obs-prod-aws-load-balancer-controller" } } } },
    });
    expect(app("cluster-autoscaler")).toMatchObject({
      targetRevision: "9.34.1",
      helm: { valuesObject: { autoDiscovery: { clusterName: "acme-obs-prod-eks" }, rbac: { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/acme-obs-prod-cluster-autoscaler" } } } } },
    });
    // DR: the DR cluster's name, region and roles.
    const dr = argoApps("dr").find((a) => a.metadata.name === "observability-dr-cluster-autoscaler")!.spec.source.helm.valuesObject;
    expect(dr).toMatchObject({ autoDiscovery: { clusterName: "acme-obs-prod-dr-eks" }, awsRegion: "eu-central-1" });
  });

  it("a missing IRSA role is an error naming the Terraform output", () => {
    const { problems } = platformAddOns(cluster({ aws_load_balancer_controller: "arn:aws:iam::1:role/a" }), "overlays/prod/terraform-outputs.json");
    expect(problems).toEqual([
      {
        file: "overlays/prod/terraform-outputs.json",
        path: `addon_irsa_role_arns.value.${ADDON_ROLE_KEYS["cluster-autoscaler"]}`,
        message: 'required output is missing: the IRSA role ARN of the cluster-autoscaler add-on\'s ServiceAccount (add "cluster_autoscaler" to the Terraform output addon_irsa_role_arns)',
      },
    ]);
  });
});

describe("docs/dr-failover.md", () => {
  it("is what `npm run docs` generates from the model (run it and commit the result if not)", () => {
    expect(readFileSync(path.join(REPO_ROOT, DR_FAILOVER_DOC), "utf8")).toBe(renderDrFailoverDoc(REPO_ROOT));
  });

  it("checks every layer of the DR environment in wave order, and names both clusters", () => {
    const doc = renderDrFailoverDoc(REPO_ROOT);
    const layers = argoApps("dr").map(layerOfApp);
    const positions = LAYERS.filter((layer) => layers.includes(layer)).map((layer) => doc.indexOf(`| \`${layer}\` |`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(doc).toContain("`acme-obs-prod-eks` (eu-west-1) | `acme-obs-prod-dr-eks` (eu-central-1)");
    for (const step of ["### 1. Check", "### 2. Switch", "### 3. Verify", "### 4. Fail back"]) expect(doc).toContain(step);
  });
});

describe("npm run diff per layer", () => {
  it("attributes each object to its GitOps unit", () => {
    expect(unitOf("dist/prod/mimir/ingester.yaml")).toBe("dist/prod/mimir");
    expect(unitOf("argocd/prod.yaml")).toBe("argocd/prod");
    expect(unitOf("argocd/prod/mimir.yaml")).toBe("argocd/prod");
    expect(unitOf("flux/dev/addons/cert-manager.yaml")).toBe("flux/dev");
    const committed = new Map([["dist/prod/mimir/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: mimir}\ndata: {x: '1'}\n"]]);
    const fresh = new Map([
      ["dist/prod/mimir/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: mimir}\ndata: {x: '2'}\n"],
      ["dist/prod/gateway/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: mimir}\n"],
    ]);
    expect(formatLayerSummary(diffTrees(committed, fresh))).toEqual(["per layer:", "  dist/prod/gateway: 1 added", "  dist/prod/mimir: 1 changed"]);
  });
});

describe("reconciled environments and their clusters (errors)", () => {
  const overlays = path.join(REPO_ROOT, "overlays");
  const input = (env: string, edit: (i: { config: any; infra: any }) => void = () => {}): GitopsInput => {
    const loaded = loadEnvironment(overlays, env, REPO_ROOT);
    const config = structuredClone(loaded.config) as any;
    const infra = loaded.infra ? (structuredClone(loaded.infra) as any) : undefined;
    edit({ config, infra });
    return { config, infra, synthesized: synthesizeEnvironment(loaded) };
  };

  it("rejects two environments on one cluster", () => {
    const { problems } = gitopsEnvironments([input("prod"), input("prod", ({ config }) => (config.envName = "prod2"))]);
    expect(problems).toEqual([
      {
        file: "overlays/prod2/terraform-outputs.json",
        path: "cluster_name",
        message: "cluster acme-obs-prod-eks is already the cluster of environment prod; each reconciled environment needs its own cluster",
      },
    ]);
  });

  it("the read-only environment needs the DR cluster's name", () => {
    const { problems } = gitopsEnvironments([input("dr", ({ infra }) => delete infra.drCluster)]);
    expect(problems.map((p) => `${p.file}: ${p.path}: ${p.message}`)).toEqual([
      "overlays/dr/terraform-outputs.json: dr_cluster_name: required output is missing: the read-only environment dr runs in the DR cluster (dr_cluster_name, with dr_region), not in acme-obs-prod-eks, which runs prod",
    ]);
  });

  it("a reconciled environment needs Terraform outputs", () => {
    const { problems } = gitopsEnvironments([input("local", ({ config }) => (config.gitops = { repoUrl: "https://git.example/x.git", revision: "main", argocdNamespace: "argocd", fluxNamespace: "flux-system" }))]);
    expect(problems.map((p) => `${p.file}: ${p.path}`)).toEqual(["overlays/local/config.yaml: gitops"]);
  });

  it("a central Flux reaches the environment's cluster through the kubeconfig Secret", () => {
    const { environments } = gitopsEnvironments([input("dev", ({ config }) => (config.gitops.fluxKubeConfigSecret = "dev-kubeconfig"))]);
    const layer = layerKustomization(environments[0]!, "mimir") as any;
    expect(layer.spec.kubeConfig).toEqual({ secretRef: { name: "dev-kubeconfig", key: "value" } });
    expect((layerKustomization(environments[0]!, "addons") as any).spec.kubeConfig).toBeUndefined();
    expect((helmRelease(environments[0]!, environments[0]!.addOns[0]!) as any).spec.kubeConfig).toEqual({ secretRef: { name: "dev-kubeconfig", key: "value" } });
  });
});
