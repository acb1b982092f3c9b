import { z } from "zod";
import { dnsLabel } from "./primitives.js";

/**
 * How an environment is reconciled (src/gitops/). Absent: the environment is not reconciled by GitOps
 * (local). Argo CD runs centrally and reaches each environment's cluster under the name Terraform gives it
 * (`cluster_name`); Flux runs in each cluster, or centrally with `fluxKubeConfigSecret`.
 */
export const gitopsSchema = z.strictObject({
  /** This repository: the only Git source either tree may use. */
  repoUrl: z.string().regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, "must be an https://, ssh:// or git@ repository URL"),
  /** Branch both trees follow (Argo targetRevision, Flux ref.branch). */
  revision: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "must be a branch name such as main or release/2026-12")
    .default("main"),
  /** Namespace of Argo CD (its Applications and AppProjects live there). */
  argocdNamespace: dnsLabel.default("argocd"),
  /** Name of the environment's AppProject; default `observability-<env>`. */
  argocdProject: dnsLabel.optional(),
  /** Namespace of the Flux controllers (GitRepository, Kustomizations, HelmRepositories, HelmReleases). */
  fluxNamespace: dnsLabel.default("flux-system"),
  /**
   * For one central Flux reconciling several clusters: the Secret (in fluxNamespace, key `value`) holding the
   * kubeconfig of this environment's cluster. Absent: Flux runs in the environment's own cluster.
   */
  fluxKubeConfigSecret: dnsLabel.optional(),
});

export type GitopsSettings = z.infer<typeof gitopsSchema>;
