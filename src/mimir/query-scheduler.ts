import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { MIMIR_SERVICE_NAMES } from "./context.js";
import { headlessService, MimirWorkload } from "./mimir-workload.js";

export const QUERY_SCHEDULER_DEFAULTS: ComponentDefaults = {
  replicas: 2,
  resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "512Mi" } },
};

export type QuerySchedulerProps = MimirComponentProps;

/** Query-schedulers: hold per-tenant query queues between frontends and queriers (mandatory in Mimir 3). */
export class QueryScheduler extends Construct {
  constructor(scope: Construct, id: string, props: QuerySchedulerProps) {
    super(scope, id);
    const settings = resolveSettings(QUERY_SCHEDULER_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "query-scheduler",
      kind: "Deployment",
      replicas: settings.replicas,
      resources: settings.resources,
      gossipMember: false,
      terminationGracePeriodSeconds: 180,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 },
    });
    // Frontends and queriers resolve this name to connect to every scheduler, ready or not.
    headlessService(this, {
      context: props.context,
      component: "query-scheduler",
      name: MIMIR_SERVICE_NAMES.querySchedulerHeadless,
      publishNotReadyAddresses: true,
    });
  }
}
