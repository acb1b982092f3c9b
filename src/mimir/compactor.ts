import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Capacity guide: one compactor (1 core, 4 GB, 300 GB disk) per 20M active series. */
export const COMPACTOR_DEFAULTS: ComponentDefaults = {
  replicas: 1,
  resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "6Gi" } },
  storage: "100Gi",
};

export type CompactorProps = MimirComponentProps;

/** Compactor: merges and deduplicates blocks, maintains bucket indexes and applies retention. */
export class Compactor extends Construct {
  constructor(scope: Construct, id: string, props: CompactorProps) {
    super(scope, id);
    const settings = resolveSettings(COMPACTOR_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "compactor",
      kind: "StatefulSet",
      replicas: settings.replicas,
      resources: settings.resources,
      ...(settings.storage ? { storageSize: settings.storage } : {}),
      gossipMember: true,
      terminationGracePeriodSeconds: 900,
      readinessInitialDelaySeconds: 60,
      rollout: { type: "RollingUpdate" },
      podManagementPolicy: "OrderedReady",
    });
  }
}
