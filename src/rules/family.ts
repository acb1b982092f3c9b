import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { RECORDING_RULE_SELECTOR } from "../collection/policy.js";
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from "../../imports/monitoring.coreos.com.js";
import { standardLabels } from "../lib/labels.js";
import { COMPONENTS_BY_MODE } from "../mimir/components.js";
import type { Family, FamilyContext } from "../synth/family.js";
import { recordingGroups, renderRecordingGroup, ruleFileYaml, tenantRules } from "./rule-set.js";

/** ConfigMap holding one tenant's ruler rule files. */
export function rulerRulesConfigMapName(tenant: string): string {
  return `mimir-rules-${tenant}`;
}

function rulesLabels(ctx: FamilyContext, component: string): Record<string, string> {
  return standardLabels({ app: "mimir-rules", instance: ctx.names.instance, component });
}

/** Whether a Mimir ruler runs in this environment (not in the read-only DR mode). */
function rulerRuns(ctx: FamilyContext): boolean {
  const mode = ctx.config.mimir.deploymentMode;
  return mode === "monolithic" || COMPONENTS_BY_MODE[mode].includes("ruler");
}

/**
 * Ruler rules: one ConfigMap per tenant that has rules, each file a rule namespace. They live in
 * the `mimir` layer because the ruler pods mount them; git is their source of truth (the ruler API
 * cannot change rules stored locally). Runs before the Mimir family, which mounts what it publishes.
 */
export const rulerRulesFamily: Family = {
  name: "rules",
  layer: "mimir",
  build(ctx: FamilyContext): void {
    if (!rulerRuns(ctx)) return;
    const chart = ctx.chart("ruler-rules");
    const tenants = tenantRules(ctx.config).map(({ tenant, namespaces }) => {
      const configMapName = rulerRulesConfigMapName(tenant);
      new k8s.KubeConfigMap(chart, `rules-${tenant}`, {
        metadata: { name: configMapName, labels: { ...rulesLabels(ctx, "ruler-rules"), "observability-platform/tenant": tenant } },
        data: Object.fromEntries(Object.entries(namespaces).map(([name, file]) => [name, ruleFileYaml(file)])),
      });
      return { tenant, configMapName };
    });
    ctx.publish("rulerRules", { tenants });
  },
};

/**
 * Shard-safe recording rules for the Prometheus shards, as a PrometheusRule the shards select by
 * `monitoring.grafana.com/rule-type=recording` (the collection's ruleSelector).
 */
export const recordingRulesFamily: Family = {
  name: "recording-rules",
  layer: "alerting",
  build(ctx: FamilyContext): void {
    const chart = ctx.chart("recording-rules");
    new PrometheusRule(chart, "recording-rules", {
      metadata: { name: "mimir-recording-rules", labels: { ...rulesLabels(ctx, "recording-rules"), ...RECORDING_RULE_SELECTOR } },
      spec: {
        groups: recordingGroups("shard").map((group) => {
          const rendered = renderRecordingGroup(group);
          return {
            name: rendered.name,
            interval: rendered.interval,
            rules: rendered.rules.map((rule) => ({ record: rule.record, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr), labels: rule.labels })),
          };
        }),
      },
    });
  },
};
