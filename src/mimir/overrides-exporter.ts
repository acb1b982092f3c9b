import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

export const OVERRIDES_EXPORTER_DEFAULTS: ComponentDefaults = {
  replicas: 1,
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
};

export type OverridesExporterProps = MimirComponentProps;

/** Overrides-exporter: publishes per-tenant limits as cortex_limits_overrides for dashboards and alerts. */
export class OverridesExporter extends Construct {
  constructor(scope: Construct, id: string, props: OverridesExporterProps) {
    super(scope, id);
    const settings = resolveSettings(OVERRIDES_EXPORTER_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "overrides-exporter",
      kind: "Deployment",
      replicas: settings.replicas,
      resources: settings.resources,
      gossipMember: false,
      terminationGracePeriodSeconds: 30,
      readinessInitialDelaySeconds: 45,
      livenessProbe: true,
      rollout: { type: "RollingUpdate", maxSurge: "15%", maxUnavailable: 0 },
    });
  }
}
