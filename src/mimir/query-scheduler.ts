import { Construct } from "constructs";
import type { ServiceRef } from "../lib/service-ref.js";
import type { MimirComponentProps } from "./component-settings.js";
import { MIMIR_SERVICE_NAMES } from "./context.js";
import { headlessService, MimirWorkload } from "./mimir-workload.js";

/** Query-schedulers: hold per-tenant query queues between frontends and queriers (mandatory in Mimir 3). */
export class QueryScheduler extends Construct {
  /** Frontends and queriers resolve this name to connect to every scheduler, ready or not. */
  readonly headless: ServiceRef;

  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "query-scheduler",
      kind: "Deployment",
      settings,
      gossipMember: false,
      terminationGracePeriodSeconds: 180,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: 1, maxUnavailable: 0 },
    });
    this.headless = headlessService(this, {
      context: props.context,
      component: "query-scheduler",
      name: MIMIR_SERVICE_NAMES.querySchedulerHeadless,
      publishNotReadyAddresses: true,
    });
  }
}
