import { Construct } from "constructs";
import type { ServiceRef } from "../lib/service-ref.js";
import type { MimirComponentProps } from "./component-settings.js";
import { alertmanagerFallbackConfigMap, alertmanagerMounts, alertmanagerPodAnnotations } from "./alertmanager.js";
import { MimirWorkload } from "./mimir-workload.js";
import { rulerRuleMounts } from "./ruler.js";

/**
 * Modules the single process runs: `all` (distributor, ingester, querier, query-frontend and its
 * in-process scheduler, store-gateway, compactor, ruler, …) does not include the alertmanager,
 * which the ruler and the gateway's Alertmanager routes need, so it is added explicitly.
 */
export const MONOLITHIC_TARGET = "all,alertmanager";

export interface MonolithicProps extends MimirComponentProps {
  /** Secret with the object-store credentials Mimir reads from its environment (local MinIO). */
  readonly credentialsSecret: string | undefined;
}

/** Mimir as a single process, for local kind clusters. */
export class Monolithic extends Construct {
  /** Every API of the single process (read, write, ruler, Alertmanager). */
  readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: MonolithicProps) {
    super(scope, id);
    const { settings } = props;
    const workload = new MimirWorkload(this, "workload", {
      context: props.context,
      component: "mimir",
      name: "mimir",
      target: MONOLITHIC_TARGET,
      kind: "StatefulSet",
      settings,
      envFromSecrets: props.credentialsSecret ? [props.credentialsSecret] : undefined,
      gossipMember: true,
      terminationGracePeriodSeconds: 60,
      readinessInitialDelaySeconds: 15,
      rollout: { type: "RollingUpdate" },
      extraMounts: [...alertmanagerMounts(props.context), ...rulerRuleMounts(props.context.rulerRules)],
      podAnnotations: alertmanagerPodAnnotations(props.context),
    });
    alertmanagerFallbackConfigMap(this, props.context);
    this.service = workload.service!;
  }
}
