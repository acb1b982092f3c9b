import type { Family } from "../synth/family.js";
import { RolloutOperator } from "./rollout-operator.js";
import { mimirZones } from "./zones.js";

/**
 * Grafana's rollout-operator (with its CRDs and admission webhooks), only where zone-aware
 * StatefulSets need it. An operator layer of its own, so GitOps applies it, and its CRDs, before
 * the StatefulSets its webhooks guard.
 */
export const rolloutOperatorFamily: Family = {
  name: "rollout-operator",
  layer: "operators",
  build(ctx): void {
    if (mimirZones(ctx.config, ctx.infra).length === 0) return;
    new RolloutOperator(ctx.chart("rollout-operator"), "rollout-operator", {
      namespace: ctx.names.namespace,
      instance: ctx.names.instance,
      clusterScope: ctx.clusterChart("rollout-operator-webhooks"),
    });
  },
};
