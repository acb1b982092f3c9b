import { Construct } from "constructs";
import type { ServiceRef } from "../lib/service-ref.js";
import type { MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Ruler: evaluates tenants' recording and alerting rules and sends alerts to the Alertmanager. */
export class Ruler extends Construct {
  /** Rule APIs, over HTTP only. */
  readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    const workload = new MimirWorkload(this, "workload", {
      context: props.context,
      component: "ruler",
      kind: "Deployment",
      replicas: settings.replicas,
      resources: settings.resources,
      autoscaling: settings.autoscaling,
      // Rule evaluations write through distributors; fail the write fast rather than pile up.
      extraArgs: ["-distributor.remote-timeout=10s"],
      gossipMember: true,
      terminationGracePeriodSeconds: 600,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "50%", maxUnavailable: 0 },
      servicePorts: ["http-metrics"],
    });
    this.service = workload.service!;
  }
}
