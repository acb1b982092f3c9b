import { Construct } from "constructs";
import type { ServiceRef } from "../lib/service-ref.js";
import type { MimirComponentProps } from "./component-settings.js";
import { MIMIR_SERVICE_NAMES } from "./context.js";
import { headlessService, MimirWorkload } from "./mimir-workload.js";

/** Distributors: validate, rate-limit and shard incoming writes to ingesters. */
export class Distributor extends Construct {
  /** Every distributor pod: the gateway proxies writes here and nginx re-resolves the pod IPs. */
  readonly headless: ServiceRef;

  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "distributor",
      kind: "Deployment",
      settings,
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
    this.headless = headlessService(this, {
      context: props.context,
      component: "distributor",
      name: MIMIR_SERVICE_NAMES.distributorHeadless,
    });
  }
}
