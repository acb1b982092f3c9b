import { Construct } from "constructs";
import type { MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Compactor: merges and deduplicates blocks, maintains bucket indexes and applies retention. */
export class Compactor extends Construct {
  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "compactor",
      kind: "StatefulSet",
      settings,
      gossipMember: true,
      terminationGracePeriodSeconds: 900,
      readinessInitialDelaySeconds: 60,
      rollout: { type: "RollingUpdate" },
      podManagementPolicy: "OrderedReady",
    });
  }
}
