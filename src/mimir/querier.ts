import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Capacity guide: 1 core + 1 GB per 10 queries/s. */
export const QUERIER_DEFAULTS: ComponentDefaults = {
  replicas: 2,
  resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
  autoscaling: { minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 75, targetMemoryUtilization: 80 },
};

export type QuerierProps = MimirComponentProps;

/** Queriers: pull queries from the schedulers and evaluate PromQL over ingesters and store-gateways. */
export class Querier extends Construct {
  constructor(scope: Construct, id: string, props: QuerierProps) {
    super(scope, id);
    const settings = resolveSettings(QUERIER_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "querier",
      kind: "Deployment",
      replicas: settings.replicas,
      resources: settings.resources,
      ...(settings.autoscaling ? { autoscaling: settings.autoscaling } : {}),
      extraArgs: ["-querier.store-gateway-client.grpc-max-recv-msg-size=209715200"],
      env: { GOMAXPROCS: "5" },
      gossipMember: true,
      terminationGracePeriodSeconds: 180,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "15%", maxUnavailable: 0 },
    });
  }
}
