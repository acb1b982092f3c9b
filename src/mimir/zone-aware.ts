import { Construct } from "constructs";
import { selectorLabels, standardLabels, imageTag } from "../lib/labels.js";
import { podDisruptionBudget } from "../lib/pod-disruption-budget.js";
import type { ResolvedSettings } from "./component-settings.js";
import { MIMIR_PORTS, type MimirContext } from "./context.js";
import { headlessService, MimirWorkload, type MimirWorkloadProps } from "./mimir-workload.js";
import { zoneAwarePodDisruptionBudget } from "./rollout-operator.js";

/**
 * ZoneAwarePodDisruptionBudget `maxUnavailable` for the pods of one zone, the same as the StatefulSets'
 * `rollout-max-unavailable` (a test keeps the two equal). Since v0.32 the rollout-operator checks every pod it
 * deletes during a rollout against the budget (pkg/controller/controller.go, MarkPodAsDeleted), so a smaller
 * budget would silently cap zone rollouts below that annotation. Upstream's Mimir jsonnet does the same for the
 * classic architecture; it uses 1 only with ingest storage, where the budget is per partition.
 */
export const ZONE_MAX_UNAVAILABLE = 50;

export interface ZoneAwareStatefulSetProps {
  readonly context: MimirContext;
  readonly component: "ingester" | "store-gateway";
  readonly settings: ResolvedSettings;
  /** Flag that tells the process its zone, e.g. `-ingester.ring.instance-availability-zone`. */
  readonly zoneFlag: string;
  /** rollout-operator: minimum time between downscaling two zones. */
  readonly minTimeBetweenZonesDownscale: string;
  /** Workload settings shared by every zone. */
  readonly workload: Pick<
    MimirWorkloadProps,
    "extraArgs" | "env" | "terminationGracePeriodSeconds" | "readinessInitialDelaySeconds" | "podManagementPolicy"
  >;
}

/**
 * A ring member that is replicated across zones: with zones, one StatefulSet per zone
 * (`<component>-zone-a/b/c`) rolled out zone by zone by the rollout-operator (OnDelete), otherwise
 * one StatefulSet. Either way a headless governing Service; a PDB without zones, a
 * ZoneAwarePodDisruptionBudget (one zone disrupted at a time) with them.
 */
export class ZoneAwareStatefulSet extends Construct {
  constructor(scope: Construct, id: string, props: ZoneAwareStatefulSetProps) {
    super(scope, id);
    const { context, component, settings } = props;
    const headlessName = `${component}-headless`;
    headlessService(this, { context, component, name: headlessName });

    const common = {
      context,
      component,
      kind: "StatefulSet" as const,
      gossipMember: true,
      serviceName: headlessName,
      podDisruptionBudget: false,
      ...props.workload,
    };

    if (context.zones.length === 0) {
      new MimirWorkload(this, "workload", {
        ...common,
        settings,
        rollout: { type: "RollingUpdate" },
      });
    } else {
      const perZone = Math.ceil(settings.replicas / context.zones.length);
      context.zones.forEach((zone, index) => {
        const name = `${component}-${zone.name}`;
        const leader = index > 0 ? `${component}-${context.zones[index - 1]!.name}` : undefined;
        new MimirWorkload(this, zone.name, {
          ...common,
          name,
          settings: { ...settings, replicas: perZone },
          zone,
          extraArgs: [...(props.workload.extraArgs ?? []), `-${props.zoneFlag}=${zone.name}`],
          // The rollout-operator deletes pods zone by zone; Kubernetes must not roll them itself.
          rollout: { type: "OnDelete" },
          workloadLabels: {
            // Downscales go through the rollout-operator's prepare-downscale webhook, which calls
            // the pods' prepare-shutdown endpoint first, and at most one zone per interval.
            "grafana.com/prepare-downscale": "true",
            "grafana.com/min-time-between-zones-downscale": props.minTimeBetweenZonesDownscale,
          },
          workloadAnnotations: {
            "rollout-max-unavailable": "50",
            "grafana.com/prepare-downscale-http-path": `${component}/prepare-shutdown`,
            "grafana.com/prepare-downscale-http-port": String(MIMIR_PORTS.http),
            ...(leader ? { "grafana.com/rollout-downscale-leader": leader } : {}),
          },
        });
      });
    }

    const identity = { app: "mimir", instance: context.instance, component, version: imageTag(context.image) };
    if (context.zones.length === 0) {
      // One StatefulSet: at most one pod of the ring down voluntarily.
      podDisruptionBudget(this, {
        name: component,
        labels: standardLabels(identity),
        selector: selectorLabels(identity),
      });
    } else {
      // Zones: the rollout-operator's zone-aware budget instead of a plain PDB over all zones. Evictions (and the
      // operator's own rollout deletions) are allowed in one zone at a time, never while another zone has a pod
      // down, which is what zone-aware replication tolerates. It selects StatefulSets and pods by rollout-group,
      // which both carry, as upstream's `<component>-rollout` budgets do.
      zoneAwarePodDisruptionBudget(this, {
        name: `${component}-rollout`,
        labels: standardLabels(identity),
        spec: {
          maxUnavailable: ZONE_MAX_UNAVAILABLE,
          selector: { matchLabels: { "rollout-group": component } },
        },
      });
    }
  }
}
