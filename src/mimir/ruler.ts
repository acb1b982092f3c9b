import { Construct } from "constructs";
import type { ServiceRef } from "../lib/service-ref.js";
import type { MimirComponentProps } from "./component-settings.js";
import { MIMIR_PATHS } from "./context.js";
import { MimirWorkload, type ExtraMount } from "./mimir-workload.js";
import type { RulerRuleFiles } from "../synth/family.js";

/**
 * One ConfigMap per tenant at `<rulerRulesDir>/<tenant>`: Mimir's local rule store treats every
 * directory under its root as a tenant, so a single ConfigMap mounted at the root would expose its
 * hidden `..data` entries as tenants; inside a tenant directory they are skipped.
 */
export function rulerRuleMounts(rules: RulerRuleFiles | undefined): ExtraMount[] {
  return (rules?.tenants ?? []).map(({ tenant, configMapName }, index) => ({
    volume: { name: `ruler-rules-${index}`, configMap: { name: configMapName } },
    mountPath: `${MIMIR_PATHS.rulerRulesDir}/${tenant}`,
  }));
}

/** Ruler: evaluates tenants' recording and alerting rules and sends alerts to the Alertmanager. */
export class Ruler extends Construct {
  /** Rule APIs, over HTTP only. */
  readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    const workload = new MimirWorkload(this, "workload", {
      context: props.context,
      component: "ruler",
      kind: "Deployment",
      settings,
      // Rule evaluations write through distributors; fail the write fast rather than pile up.
      extraArgs: ["-distributor.remote-timeout=10s"],
      gossipMember: true,
      terminationGracePeriodSeconds: 600,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate", maxSurge: "50%", maxUnavailable: 0 },
      servicePorts: ["http-metrics"],
      extraMounts: rulerRuleMounts(props.context.rulerRules),
    });
    this.service = workload.service!;
  }
}
