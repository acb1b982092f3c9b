/**
 * flux/: per environment, rendered from the same layer model as argocd/.
 *
 *   flux/<env>.yaml           bootstrap: the GitRepository (this repo at the configured branch) and the root
 *                             Kustomization reconciling flux/<env>/ (applied once, in the environment's cluster)
 *   flux/<env>/<layer>.yaml   one Kustomization per layer (path dist/<env>/<layer>, dependsOn from the model)
 *   flux/<env>/addons/        HelmRepository + HelmRelease per add-on, reconciled by the `addons` Kustomization
 *
 * Flux runs in each environment's own cluster, so applying flux/<env>.yaml reconciles that cluster only; with
 * `gitops.fluxKubeConfigSecret` a central Flux reaches the environment's cluster through that kubeconfig instead.
 */
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds } from "../../imports/helm.toolkit.fluxcd.io.js";
import { Kustomization, KustomizationSpecSourceRefKind } from "../../imports/kustomize.toolkit.fluxcd.io.js";
import { GitRepository, HelmRepository } from "../../imports/source.toolkit.fluxcd.io.js";
import { presentDependencies } from "./layers.js";
import { gitopsLabels, layerObjectName, type GitopsEnvironment } from "./environment.js";
import type { AddOn, ChartRepository } from "./addons.js";
import type { Layer } from "../synth/family.js";

/** How often every Kustomization and HelmRelease re-applies git (drift correction). */
export const FLUX_INTERVAL = "10m";
const RETRY_INTERVAL = "2m";
/** The root waits for every layer (healthChecks), so its timeout covers a first rollout of all of them. */
const TIMEOUT = { layer: "10m", addons: "15m", root: "30m" };

const sourceName = (env: string) => `observability-${env}`;
const kubeConfig = (environment: GitopsEnvironment) =>
  environment.gitops.fluxKubeConfigSecret ? { secretRef: { name: environment.gitops.fluxKubeConfigSecret, key: "value" } } : undefined;

/** flux/<env>.yaml. */
export function fluxBootstrap(environment: GitopsEnvironment): Record<string, unknown>[] {
  const { env, gitops } = environment;
  const metadata = { name: sourceName(env), namespace: gitops.fluxNamespace, labels: gitopsLabels(env) };
  return [
    GitRepository.manifest({ metadata, spec: { interval: "1m", url: gitops.repoUrl, ref: { branch: gitops.revision } } }),
    Kustomization.manifest({
      metadata,
      spec: {
        interval: FLUX_INTERVAL,
        retryInterval: RETRY_INTERVAL,
        timeout: TIMEOUT.root,
        path: `./flux/${env}`,
        prune: true,
        // Ready once the per-layer Kustomizations are applied; each of those waits for its own objects.
        wait: false,
        healthChecks: environment.layers.map((layer) => ({
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          kind: "Kustomization",
          name: layerObjectName(env, layer),
          namespace: gitops.fluxNamespace,
        })),
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: sourceName(env) },
      },
    }),
  ] as Record<string, unknown>[];
}

/** The Kustomization of one layer: dist/<env>/<layer>, or flux/<env>/addons for the add-ons. */
export function layerKustomization(environment: GitopsEnvironment, layer: Layer): Record<string, unknown> {
  const { env, gitops } = environment;
  const dependsOn = presentDependencies(layer, new Set(environment.layers)).map((dependency) => ({ name: layerObjectName(env, dependency) }));
  return Kustomization.manifest({
    metadata: { name: layerObjectName(env, layer), namespace: gitops.fluxNamespace, labels: { ...gitopsLabels(env), "observability-platform/layer": layer } },
    spec: {
      interval: FLUX_INTERVAL,
      retryInterval: RETRY_INTERVAL,
      timeout: layer === "addons" ? TIMEOUT.addons : TIMEOUT.layer,
      path: layer === "addons" ? `./flux/${env}/addons` : `./dist/${env}/${layer}`,
      prune: true,
      // Ready only when every object it applied is (Deployments rolled out, HelmReleases installed, CRDs established).
      wait: true,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      // The add-ons' HelmReleases live next to Flux; the layers' objects go to the environment's cluster.
      kubeConfig: layer === "addons" ? undefined : kubeConfig(environment),
      sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: sourceName(env) },
    },
  }) as Record<string, unknown>;
}

export function helmRepository(environment: GitopsEnvironment, repository: ChartRepository): Record<string, unknown> {
  const { env, gitops } = environment;
  return HelmRepository.manifest({
    metadata: { name: layerObjectName(env, repository.name), namespace: gitops.fluxNamespace, labels: gitopsLabels(env) },
    spec: { interval: "1h", url: repository.url },
  }) as Record<string, unknown>;
}

export function helmRelease(environment: GitopsEnvironment, addOn: AddOn): Record<string, unknown> {
  const { env, gitops } = environment;
  return HelmRelease.manifest({
    metadata: { name: layerObjectName(env, addOn.name), namespace: gitops.fluxNamespace, labels: { ...gitopsLabels(env), "observability-platform/layer": "addons" } },
    spec: {
      interval: FLUX_INTERVAL,
      timeout: TIMEOUT.layer,
      releaseName: addOn.name,
      targetNamespace: addOn.namespace,
      chart: {
        spec: {
          chart: addOn.chart,
          version: addOn.version,
          sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: layerObjectName(env, addOn.repository.name), namespace: gitops.fluxNamespace },
        },
      },
      install: { createNamespace: true, crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries: 5 } },
      upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE, remediation: { retries: 5 } },
      kubeConfig: kubeConfig(environment),
      values: structuredClone(addOn.values),
    },
  }) as Record<string, unknown>;
}

/** flux/<env>/… relative file name (without .yaml) → objects. */
export function fluxChildren(environment: GitopsEnvironment): Map<string, Record<string, unknown>[]> {
  const files = new Map<string, Record<string, unknown>[]>();
  for (const layer of environment.layers) files.set(layer, [layerKustomization(environment, layer)]);
  if (environment.layers.includes("addons")) {
    const repositories = [...new Map(environment.addOns.map((addOn) => [addOn.repository.name, addOn.repository])).values()];
    files.set("addons/repositories", repositories.map((repository) => helmRepository(environment, repository)));
    for (const addOn of environment.addOns) files.set(`addons/${addOn.name}`, [helmRelease(environment, addOn)]);
  }
  return files;
}
