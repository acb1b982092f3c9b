import { Construct } from "constructs";
import type { ServiceRef } from "../lib/service-ref.js";
import type { MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Query-frontends: split, shard and cache queries, then enqueue them on the schedulers. */
export class QueryFrontend extends Construct {
  /** The read path's entry point (PromQL API). */
  readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    const workload = new MimirWorkload(this, "workload", {
      context: props.context,
      component: "query-frontend",
      kind: "Deployment",
      settings,
      extraArgs: ["-server.grpc.keepalive.max-connection-age=30s", "-shutdown-delay=90s"],
      gossipMember: false,
      terminationGracePeriodSeconds: 390,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "15%", maxUnavailable: 0 },
    });
    this.service = workload.service!;
  }
}
