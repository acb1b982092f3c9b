import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { PlatformConfig } from "../config/schema.js";
import { MANAGED_BY } from "../lib/labels.js";
import { renderYamlDocuments, type SynthesizedFile } from "../synth/synthesize.js";

const labels = { "app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/part-of": "observability-platform" };

/** ArgoCD Application that syncs dist/<env> into the cluster (one per environment with gitops settings). */
export function argocdApplication(config: PlatformConfig): Record<string, unknown> {
  const gitops = config.gitops!;
  const application = new Application({
    metadata: {
      name: `observability-${config.envName}`,
      namespace: gitops.argocdNamespace,
      labels: { ...labels, "observability-platform/environment": config.envName },
      // Deliberately no resources-finalizer: deleting the Application leaves Mimir and its data running.
    },
    spec: {
      project: gitops.argocdProject,
      source: { repoURL: gitops.repoUrl, targetRevision: gitops.revision, path: `dist/${config.envName}` },
      destination: { server: "https://kubernetes.default.svc", namespace: config.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["ServerSideApply=true", "PruneLast=true"],
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
      },
    },
  });
  application.validate();
  return application.toJSON() as Record<string, unknown>;
}

/** Flux GitRepository + Kustomization that reconcile dist/<env>. */
export function fluxObjects(config: PlatformConfig): Record<string, unknown>[] {
  const gitops = config.gitops!;
  const name = `observability-${config.envName}`;
  return [
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name, namespace: gitops.fluxNamespace, labels },
      spec: { interval: "1m", url: gitops.repoUrl, ref: { branch: gitops.revision } },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name, namespace: gitops.fluxNamespace, labels },
      spec: {
        interval: "10m",
        retryInterval: "1m",
        timeout: "10m",
        path: `./dist/${config.envName}`,
        prune: true,
        wait: true,
        // Objects carry their own namespace; no targetNamespace, which would also rewrite the Namespace object.
        sourceRef: { kind: "GitRepository", name },
      },
    },
  ];
}

/** argocd/<env>.yaml and flux/<env>.yaml for every environment that is reconciled by GitOps. */
export function gitopsFiles(configs: readonly PlatformConfig[]): SynthesizedFile[] {
  const files: SynthesizedFile[] = [];
  for (const config of configs) {
    if (!config.gitops) continue;
    const argo = [argocdApplication(config)];
    files.push({ path: `argocd/${config.envName}.yaml`, objects: argo, text: renderYamlDocuments(argo) });
    const flux = fluxObjects(config);
    files.push({ path: `flux/${config.envName}.yaml`, objects: flux, text: renderYamlDocuments(flux) });
  }
  return files;
}
