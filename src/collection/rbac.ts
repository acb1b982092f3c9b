import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";

export interface ClusterReaderOptions {
  /** Name of the ClusterRole and its binding (prefix it with the namespace: they are cluster-wide). */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly rules: readonly k8s.PolicyRule[];
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

/** A ClusterRole (read verbs only, by convention of its callers) bound to one ServiceAccount. */
export function clusterReader(scope: Construct, options: ClusterReaderOptions): void {
  new k8s.KubeClusterRole(scope, `${options.name}-cluster-role`, {
    metadata: { name: options.name, labels: options.labels },
    rules: [...options.rules],
  });
  new k8s.KubeClusterRoleBinding(scope, `${options.name}-cluster-role-binding`, {
    metadata: { name: options.name, labels: options.labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: options.name },
    subjects: [{ kind: "ServiceAccount", name: options.serviceAccount.name, namespace: options.serviceAccount.namespace }],
  });
}
