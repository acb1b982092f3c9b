import { Construct } from "constructs";
import { goMemLimit, type MimirComponentProps } from "./component-settings.js";
import { ZoneAwareStatefulSet } from "./zone-aware.js";

/** Store-gateways: serve blocks from the bucket to queriers, sharded by a ring (zone-aware in prod). */
export class StoreGateway extends Construct {
  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    new ZoneAwareStatefulSet(this, "store-gateway", {
      context: props.context,
      component: "store-gateway",
      settings,
      zoneFlag: "store-gateway.sharding-ring.instance-availability-zone",
      minTimeBetweenZonesDownscale: "30m",
      workload: {
        extraArgs: ["-server.grpc-max-send-msg-size-bytes=209715200"],
        env: { GOMAXPROCS: "5", GOMEMLIMIT: goMemLimit(settings.resources.requests.memory) },
        terminationGracePeriodSeconds: 120,
        readinessInitialDelaySeconds: 60,
        podManagementPolicy: "OrderedReady",
      },
    });
  }
}
