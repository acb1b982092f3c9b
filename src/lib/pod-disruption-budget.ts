import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";

export interface PodDisruptionBudgetOptions {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** @default 1 */
  readonly maxUnavailable?: number;
}

/** policy/v1 PDB allowing at most `maxUnavailable` voluntary disruptions. */
export function podDisruptionBudget(scope: Construct, options: PodDisruptionBudgetOptions): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, `${options.name}-pdb`, {
    metadata: { name: options.name, labels: options.labels },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(options.maxUnavailable ?? 1),
      selector: { matchLabels: options.selector },
    },
  });
}
