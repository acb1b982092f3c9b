import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { MIMIR_SERVICE_NAMES } from "./context.js";
import { headlessService, MimirWorkload } from "./mimir-workload.js";

/** Capacity guide: 1 core + 1 GB per 25k samples/s; HPA absorbs the rest. */
export const DISTRIBUTOR_DEFAULTS: ComponentDefaults = {
  replicas: 3,
  resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
  autoscaling: { minReplicas: 3, maxReplicas: 12, targetCpuUtilization: 75, targetMemoryUtilization: 80 },
};

export type DistributorProps = MimirComponentProps;

/** Distributors: validate, rate-limit and shard incoming writes to ingesters. */
export class Distributor extends Construct {
  constructor(scope: Construct, id: string, props: DistributorProps) {
    super(scope, id);
    const settings = resolveSettings(DISTRIBUTOR_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "distributor",
      kind: "Deployment",
      replicas: settings.replicas,
      resources: settings.resources,
      ...(settings.autoscaling ? { autoscaling: settings.autoscaling } : {}),
      // Short gRPC connection age makes clients re-resolve and rebalance across new distributors;
      // the shutdown delay (< grace period) lets the gateway stop sending before the process exits.
      extraArgs: [
        "-server.grpc.keepalive.max-connection-age=60s",
        "-server.grpc.keepalive.max-connection-age-grace=5m",
        "-server.grpc.keepalive.max-connection-idle=1m",
        "-shutdown-delay=90s",
      ],
      env: { GOMAXPROCS: "8" },
      gossipMember: true,
      terminationGracePeriodSeconds: 100,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "15%", maxUnavailable: 0 },
    });
    // The gateway proxies writes here: nginx re-resolves every distributor pod IP.
    headlessService(this, {
      context: props.context,
      component: "distributor",
      name: MIMIR_SERVICE_NAMES.distributorHeadless,
    });
  }
}
