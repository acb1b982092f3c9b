/**
 * argocd/: per environment an app-of-apps, rendered from the layer model.
 *
 *   argocd/<env>.yaml        bootstrap: the AppProject of the root, and the root Application (applied once)
 *   argocd/<env>/            what the root reconciles: the environment's AppProject and one child Application
 *                            per layer directory dist/<env>/<layer>/ and per add-on (Helm source), each in the
 *                            sync wave of its layer
 *
 * Argo CD runs in one management cluster; every child's destination is the environment's own cluster, by the
 * name Terraform gives it (`cluster_name`, registered with `argocd cluster add <context> --name <cluster_name>`),
 * and its AppProject allows no other destination.
 */
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IComGithubArgoprojArgoCdV3PkgApisApplicationV1alpha1SyncPolicy as SyncPolicy } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/SyncPolicy";
import { layerWaves } from "./layers.js";
import { gitopsLabels, layerObjectName, type GitopsEnvironment } from "./environment.js";
import type { AddOn } from "./addons.js";
import type { Layer } from "../synth/family.js";

/** Where Argo CD itself runs: the root Applications create their children there. */
export const IN_CLUSTER = "https://kubernetes.default.svc";
export const SYNC_WAVE = "argocd.argoproj.io/sync-wave";

/** Retries with exponential backoff: 10s, 20s, 40s, … capped at 5m, 10 attempts. */
const RETRY = { limit: 10, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } };

function syncPolicy(options: readonly string[]): SyncPolicy {
  return { automated: { prune: true, selfHeal: true }, syncOptions: options.length > 0 ? [...options] : undefined, retry: RETRY };
}

/** Name of the AppProject that holds an environment's root Application (Applications and AppProjects only). */
export const rootProject = (environment: GitopsEnvironment) => `${environment.project}-root`;

/** argocd/<env>.yaml: what an operator applies once to the Argo CD cluster. */
export function argocdBootstrap(environment: GitopsEnvironment): Record<string, unknown>[] {
  const { env, gitops } = environment;
  const labels = gitopsLabels(env);
  const project = new AppProject({
    metadata: { name: rootProject(environment), namespace: gitops.argocdNamespace, labels },
    spec: {
      description: `Root of ${env}: may only create the Applications and the AppProject in argocd/${env}/`,
      sourceRepos: [gitops.repoUrl],
      destinations: [{ server: IN_CLUSTER, namespace: gitops.argocdNamespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: "argoproj.io", kind: "Application" },
        { group: "argoproj.io", kind: "AppProject" },
      ],
    },
  });
  const root = new Application({
    metadata: { name: `observability-${env}`, namespace: gitops.argocdNamespace, labels },
    spec: {
      project: rootProject(environment),
      source: { repoURL: gitops.repoUrl, targetRevision: gitops.revision, path: `argocd/${env}` },
      destination: { server: IN_CLUSTER, namespace: gitops.argocdNamespace },
      syncPolicy: syncPolicy([]),
    },
  });
  project.validate();
  root.validate();
  return [project.toJSON(), root.toJSON()] as Record<string, unknown>[];
}

/** The environment's AppProject: this repository and the pinned chart repositories, its cluster, its namespaces. */
export function argocdProject(environment: GitopsEnvironment): Record<string, unknown> {
  const { env, gitops } = environment;
  const project = new AppProject({
    metadata: {
      name: environment.project,
      namespace: gitops.argocdNamespace,
      labels: gitopsLabels(env),
      annotations: { [SYNC_WAVE]: "-1" },
    },
    spec: {
      description: `The ${env} environment: cluster ${environment.clusterName} only`,
      sourceRepos: [gitops.repoUrl, ...new Set(environment.addOns.map((addOn) => addOn.repository.url))].sort(),
      destinations: environment.namespaces.map((namespace) => ({ name: environment.clusterName, namespace })),
      clusterResourceWhitelist: environment.clusterKinds.map(({ group, kind }) => ({ group, kind })),
    },
  });
  project.validate();
  return project.toJSON() as Record<string, unknown>;
}

/** The child Application reconciling dist/<env>/<layer>/. */
export function layerApplication(environment: GitopsEnvironment, layer: Layer): Record<string, unknown> {
  const { env, gitops } = environment;
  const scaled = environment.scaledByLayer.get(layer) ?? [];
  const options = ["PruneLast=true"];
  if (environment.largeLayers.has(layer)) options.push("ServerSideApply=true");
  if (scaled.length > 0) options.push("RespectIgnoreDifferences=true");
  const application = new Application({
    metadata: {
      name: layerObjectName(env, layer),
      namespace: gitops.argocdNamespace,
      labels: { ...gitopsLabels(env), "observability-platform/layer": layer },
      annotations: { [SYNC_WAVE]: String(layerWaves()[layer]) },
      // Deliberately no resources-finalizer: deleting an Application leaves Mimir and its data running.
    },
    spec: {
      project: environment.project,
      source: { repoURL: gitops.repoUrl, targetRevision: gitops.revision, path: `dist/${env}/${layer}` },
      destination: { name: environment.clusterName, namespace: environment.namespace },
      syncPolicy: syncPolicy(options),
      // The HPA owns the replica count of the workloads it scales; git only sets the initial one.
      ignoreDifferences:
        scaled.length > 0
          ? scaled.map(({ group, kind, name, namespace }) => ({ group, kind, name, namespace, jsonPointers: ["/spec/replicas"] }))
          : undefined,
    },
  });
  application.validate();
  return application.toJSON() as Record<string, unknown>;
}

/** The child Application installing one add-on from its pinned Helm chart. */
export function addOnApplication(environment: GitopsEnvironment, addOn: AddOn): Record<string, unknown> {
  const { env, gitops } = environment;
  const options = ["CreateNamespace=true"];
  if (addOn.serverSideApply) options.push("ServerSideApply=true");
  const application = new Application({
    metadata: {
      name: layerObjectName(env, addOn.name),
      namespace: gitops.argocdNamespace,
      labels: { ...gitopsLabels(env), "observability-platform/layer": "addons" },
      annotations: { [SYNC_WAVE]: String(layerWaves().addons) },
    },
    spec: {
      project: environment.project,
      source: {
        repoURL: addOn.repository.url,
        chart: addOn.chart,
        targetRevision: addOn.version,
        helm: { releaseName: addOn.name, valuesObject: structuredClone(addOn.values) as Record<string, unknown> },
      },
      destination: { name: environment.clusterName, namespace: addOn.namespace },
      syncPolicy: syncPolicy(options),
    },
  });
  application.validate();
  return application.toJSON() as Record<string, unknown>;
}

/** argocd/<env>/: file name (without .yaml) → objects. */
export function argocdChildren(environment: GitopsEnvironment): Map<string, Record<string, unknown>[]> {
  const files = new Map<string, Record<string, unknown>[]>();
  files.set("project", [argocdProject(environment)]);
  for (const layer of environment.layers) {
    if (layer === "addons") for (const addOn of environment.addOns) files.set(`addon-${addOn.name}`, [addOnApplication(environment, addOn)]);
    else files.set(layer, [layerApplication(environment, layer)]);
  }
  return files;
}
