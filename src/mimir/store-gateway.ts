import { Construct } from "constructs";
import { goMemLimit, resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { ZoneAwareStatefulSet } from "./zone-aware.js";

/** Capacity guide: 13 GB disk per 1M active series; 1 core + 1 GB per 10 queries/s. */
export const STORE_GATEWAY_DEFAULTS: ComponentDefaults = {
  replicas: 3,
  resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
  storage: "20Gi",
};

export type StoreGatewayProps = MimirComponentProps;

/** Store-gateways: serve blocks from the bucket to queriers, sharded by a ring (zone-aware in prod). */
export class StoreGateway extends Construct {
  constructor(scope: Construct, id: string, props: StoreGatewayProps) {
    super(scope, id);
    const settings = resolveSettings(STORE_GATEWAY_DEFAULTS, props.settings);
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
