import { Construct } from "constructs";
import type { MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Overrides-exporter: publishes per-tenant limits as cortex_limits_overrides for dashboards and alerts. */
export class OverridesExporter extends Construct {
  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "overrides-exporter",
      kind: "Deployment",
      settings,
      gossipMember: false,
      terminationGracePeriodSeconds: 30,
      readinessInitialDelaySeconds: 45,
      livenessProbe: true,
      rollout: { type: "RollingUpdate", maxSurge: "15%", maxUnavailable: 0 },
    });
  }
}
