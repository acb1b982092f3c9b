import { Construct } from "constructs";
import { goMemLimit, resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { ZoneAwareStatefulSet } from "./zone-aware.js";

/** Sized for ~1M active series per zone set (capacity guide: 1 core + 2.5 GB per 300k in-memory series). */
export const INGESTER_DEFAULTS: ComponentDefaults = {
  replicas: 3,
  resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "12Gi" } },
  storage: "50Gi",
};

export type IngesterProps = MimirComponentProps;

/** Ingesters: hold recent samples in memory + WAL and upload 2h blocks; replicated 3× (zone-aware in prod). */
export class Ingester extends Construct {
  constructor(scope: Construct, id: string, props: IngesterProps) {
    super(scope, id);
    const settings = resolveSettings(INGESTER_DEFAULTS, props.settings);
    new ZoneAwareStatefulSet(this, "ingester", {
      context: props.context,
      component: "ingester",
      settings,
      zoneFlag: "ingester.ring.instance-availability-zone",
      minTimeBetweenZonesDownscale: "12h",
      workload: {
        // Fail fast instead of starting alone when the gossip ring cannot be reached.
        extraArgs: ["-memberlist.abort-if-fast-join-fails=true"],
        env: { GOMAXPROCS: "4", GOMEMLIMIT: goMemLimit(settings.resources.requests.memory) },
        terminationGracePeriodSeconds: 1200,
        readinessInitialDelaySeconds: 60,
        podManagementPolicy: "Parallel",
      },
    });
  }
}
