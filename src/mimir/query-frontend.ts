import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Capacity guide: 1 core + 1 GB per 250 queries/s. */
export const QUERY_FRONTEND_DEFAULTS: ComponentDefaults = {
  replicas: 2,
  resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 75, targetMemoryUtilization: 80 },
};

export type QueryFrontendProps = MimirComponentProps;

/** Query-frontends: split, shard and cache queries, then enqueue them on the schedulers. */
export class QueryFrontend extends Construct {
  constructor(scope: Construct, id: string, props: QueryFrontendProps) {
    super(scope, id);
    const settings = resolveSettings(QUERY_FRONTEND_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "query-frontend",
      kind: "Deployment",
      replicas: settings.replicas,
      resources: settings.resources,
      ...(settings.autoscaling ? { autoscaling: settings.autoscaling } : {}),
      extraArgs: ["-server.grpc.keepalive.max-connection-age=30s", "-shutdown-delay=90s"],
      gossipMember: false,
      terminationGracePeriodSeconds: 390,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "15%", maxUnavailable: 0 },
    });
  }
}
