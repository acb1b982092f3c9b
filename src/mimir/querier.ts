import { Construct } from "constructs";
import type { MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Queriers: pull queries from the schedulers and evaluate PromQL over ingesters and store-gateways. */
export class Querier extends Construct {
  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "querier",
      kind: "Deployment",
      settings,
      extraArgs: ["-querier.store-gateway-client.grpc-max-recv-msg-size=209715200"],
      env: { GOMAXPROCS: "5" },
      gossipMember: true,
      terminationGracePeriodSeconds: 180,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "15%", maxUnavailable: 0 },
    });
  }
}
