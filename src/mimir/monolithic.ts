import { Construct } from "constructs";
import { resolveSettings, type ComponentDefaults, type MimirComponentProps } from "./component-settings.js";
import { alertmanagerFallbackConfigMap, alertmanagerMounts } from "./alertmanager.js";
import { MimirWorkload } from "./mimir-workload.js";

/** Laptop-sized: the whole of Mimir in one process. */
export const MONOLITHIC_DEFAULTS: ComponentDefaults = {
  replicas: 1,
  resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  storage: "5Gi",
};

export interface MonolithicProps extends MimirComponentProps {
  /** Secret with the object-store credentials Mimir reads from its environment (local MinIO). */
  readonly credentialsSecret?: string;
}

/** Mimir as a single `-target=all` process, for local kind clusters. */
export class Monolithic extends Construct {
  constructor(scope: Construct, id: string, props: MonolithicProps) {
    super(scope, id);
    const settings = resolveSettings(MONOLITHIC_DEFAULTS, props.settings);
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "mimir",
      name: "mimir",
      target: "all",
      kind: "StatefulSet",
      replicas: settings.replicas,
      resources: settings.resources,
      ...(settings.storage ? { storageSize: settings.storage } : {}),
      ...(props.credentialsSecret ? { envFromSecrets: [props.credentialsSecret] } : {}),
      gossipMember: true,
      terminationGracePeriodSeconds: 60,
      readinessInitialDelaySeconds: 15,
      rollout: { type: "RollingUpdate" },
      extraMounts: alertmanagerMounts(),
    });
    alertmanagerFallbackConfigMap(this, props.context);
  }
}
