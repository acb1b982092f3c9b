/**
 * The labeling policy application teams follow (README, "Metrics collection"): which namespaces are
 * scraped, how targets are classified, and the labels every series carries.
 */
import { SCRAPE_CLASSES, type CollectionSettings } from "../config/collection-schema.js";

/** Namespace label: monitors, probes and rules in this namespace are picked up. */
export const ENABLED_LABEL = "monitoring.grafana.com/enabled";
/** Pod label `app` | `infra` | `noisy`: the scrape-interval budget of the target. */
export const CLASS_LABEL = "monitoring.grafana.com/class";
/** Optional pod label naming the owning team; becomes the `scope` label. */
export const SCOPE_LABEL = "monitoring.grafana.com/scope";
/** PrometheusRule label: only rules of type recording are evaluated by the shards. */
export const RULE_TYPE_LABEL = "monitoring.grafana.com/rule-type";
export const RECORDING_RULE_SELECTOR = { [RULE_TYPE_LABEL]: "recording" } as const;

/** Annotation-based scraping (the common `prometheus.io/*` convention). */
export const ANNOTATION_DEFAULTS = { port: 9113, path: "/metrics" } as const;

/** A relabeling rule, the fields common to every monitoring.coreos.com relabeling type. */
export interface Relabel {
  readonly sourceLabels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly targetLabel?: string;
  readonly replacement?: string;
  readonly action?: "replace" | "keep" | "drop" | "labelmap" | "labeldrop" | "labelkeep" | "hashmod";
}

/**
 * Converts rules to one of the CRD's relabeling types. The generated types differ only in the name of
 * their `action` enum (whose values are these strings), so one shape serves all of them.
 */
export function relabelings<T>(rules: readonly Relabel[]): T[] {
  return rules.map((rule) => ({ ...rule, sourceLabels: rule.sourceLabels ? [...rule.sourceLabels] : undefined }) as unknown as T);
}

/** `__meta_kubernetes_pod_label_<name>` as Prometheus sanitises a label key. */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}
export function podAnnotationMeta(annotation: string): string {
  return `__meta_kubernetes_pod_annotation_${annotation.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/**
 * Relabelings of the default scrape class, applied to the targets of every monitor:
 * - `scrape_class` = the pod's class label when it is a known class, else `defaultClass`;
 * - a known class also sets the target's interval (`__scrape_interval__`); targets without one keep
 *   their monitor's interval (default: the `defaultClass` interval);
 * - `scope` = the pod's scope label, when set.
 */
export function policyRelabelings(settings: CollectionSettings): Relabel[] {
  const classMeta = podLabelMeta(CLASS_LABEL);
  return [
    { action: "replace", targetLabel: "scrape_class", replacement: settings.defaultClass },
    { action: "replace", sourceLabels: [classMeta], regex: `(${SCRAPE_CLASSES.join("|")})`, targetLabel: "scrape_class", replacement: "$1" },
    ...SCRAPE_CLASSES.map(
      (name): Relabel => ({
        action: "replace",
        sourceLabels: [classMeta],
        regex: name,
        targetLabel: "__scrape_interval__",
        replacement: settings.scrapeIntervals[name],
      }),
    ),
    { action: "replace", sourceLabels: [podLabelMeta(SCOPE_LABEL)], regex: "(.+)", targetLabel: "scope", replacement: "$1" },
  ];
}
