import { Construct } from "constructs";
import { goMemLimit, type MimirComponentProps } from "./component-settings.js";
import { ZoneAwareStatefulSet } from "./zone-aware.js";

/** Ingesters: hold recent samples in memory + WAL and upload 2h blocks; replicated 3× (zone-aware in prod). */
export class Ingester extends Construct {
  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
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
