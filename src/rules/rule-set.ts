/**
 * The rules of one environment: which groups go to the Prometheus shards and which to Mimir's
 * ruler, per tenant, rendered in Prometheus rule-file format.
 */
import { dump } from "js-yaml";
import type { PlatformConfig } from "../config/schema.js";
import { CACHE_DEFAULTS } from "../memcached/defaults.js";
import { mimirAlertGroups } from "./mimir-alerts.js";
import { cacheAlertGroup, platformAlertGroups } from "./platform-alerts.js";
import { RECORDING_GROUPS } from "./recording-rules.js";
import type { AlertGroup, AlertingRule, AlertSettings, RecordingGroup, RecordingRule } from "./types.js";

/** Team label value of every alert this repository defines. */
export const PLATFORM_SCOPE = "platform";

/** A rule as it appears in a rule file. */
export interface RenderedRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
export interface RenderedGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly RenderedRule[];
}
export interface RuleFile {
  readonly groups: readonly RenderedGroup[];
}

/** One tenant's rule namespaces (file name → content) as the ruler loads them. */
export interface TenantRules {
  readonly tenant: string;
  readonly namespaces: Readonly<Record<string, RuleFile>>;
}

export function alertSettings(config: PlatformConfig): AlertSettings {
  const objective = (name: "results" | "index" | "chunks") =>
    config.caches[name]?.enabled === false ? undefined : (config.caches[name]?.hitRatioObjective ?? CACHE_DEFAULTS[name].hitRatioObjective);
  return {
    runbookBaseUrl: config.runbookBaseUrl.replace(/\/+$/, ""),
    clusterLabel: config.clusterLabel,
    scope: PLATFORM_SCOPE,
    cacheObjectives: { results: objective("results"), index: objective("index"), chunks: objective("chunks") },
  };
}

/** Every alerting group of the platform tenant. */
export function alertGroups(settings: AlertSettings): AlertGroup[] {
  return [...mimirAlertGroups(), cacheAlertGroup(settings), ...platformAlertGroups(settings)].filter((group) => group.rules.length > 0);
}

export function renderRecordingRule(rule: RecordingRule): RenderedRule {
  return { record: rule.record, expr: rule.expr, labels: rule.labels ? { ...rule.labels } : undefined };
}

export function renderAlertingRule(rule: AlertingRule, settings: AlertSettings): RenderedRule {
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.for,
    labels: { ...rule.labels, severity: rule.severity, scope: settings.scope },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook_url: `${settings.runbookBaseUrl}/${rule.alert}`,
    },
  };
}

export function renderRecordingGroup(group: RecordingGroup): RenderedGroup {
  return { name: group.name, interval: group.interval, rules: group.rules.map(renderRecordingRule) };
}

export function renderAlertGroup(group: AlertGroup, settings: AlertSettings): RenderedGroup {
  return { name: group.name, interval: group.interval, rules: group.rules.map((rule) => renderAlertingRule(rule, settings)) };
}

export function recordingGroups(evaluation: RecordingGroup["evaluation"]): RecordingGroup[] {
  return RECORDING_GROUPS.filter((group) => group.evaluation === evaluation);
}

/** Ruler rule namespaces (file names) of the platform tenant. */
export const RULER_NAMESPACES = { recording: "mimir-recording", alerts: "platform-alerts" } as const;

/**
 * The rules each tenant's ruler evaluates. Mimir's own metrics are collected into the platform
 * tenant (config.defaultTenant), so it holds the global-view recording rules and every alert;
 * other tenants get a ConfigMap only once they have rules.
 */
export function tenantRules(config: PlatformConfig): TenantRules[] {
  const settings = alertSettings(config);
  return [
    {
      tenant: config.defaultTenant,
      namespaces: {
        [RULER_NAMESPACES.recording]: { groups: recordingGroups("ruler").map(renderRecordingGroup) },
        [RULER_NAMESPACES.alerts]: { groups: alertGroups(settings).map((group) => renderAlertGroup(group, settings)) },
      },
    },
  ];
}

/** A rule file in YAML, without undefined keys. */
export function ruleFileYaml(file: RuleFile): string {
  return dump(JSON.parse(JSON.stringify(file)), { lineWidth: -1, noRefs: true });
}
