import type * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";

export const HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";
export const ZONE_TOPOLOGY = "topology.kubernetes.io/zone";

/**
 * Soft spread of the selected pods over each topology (at most one more pod per node or zone than
 * elsewhere, but never unschedulable because of it), as upstream Mimir spreads every component.
 */
export function spreadConstraints(
  selector: Readonly<Record<string, string>>,
  topologyKeys: readonly string[] = [HOSTNAME_TOPOLOGY],
): k8s.TopologySpreadConstraint[] {
  return topologyKeys.map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: { ...selector } },
  }));
}
