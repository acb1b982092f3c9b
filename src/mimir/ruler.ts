import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

export const RULER_DEFAULTS: ComponentDefaults = {
  replicas: 2,
  resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
};

export type RulerProps = MimirComponentProps;

/** Ruler: evaluates tenants' recording and alerting rules and sends alerts to the Alertmanager. */
export class Ruler extends Construct {
  constructor(scope: Construct, id: string, props: RulerProps) {
    super(scope, id);
    const settings = resolveSettings(RULER_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "ruler",
      kind: "Deployment",
      replicas: settings.replicas,
      resources: settings.resources,
      // Rule evaluations write through distributors; fail the write fast rather than pile up.
      extraArgs: ["-distributor.remote-timeout=10s"],
      gossipMember: true,
      terminationGracePeriodSeconds: 600,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "50%", maxUnavailable: 0 },
      // The gateway routes rule APIs here over HTTP only.
      servicePorts: ["http-metrics"],
    });
  }
}
