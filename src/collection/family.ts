import { SCRAPE_TIMEOUT } from "../config/collection-schema.js";
import type { PlatformConfig } from "../config/schema.js";
import { imageTag, standardLabels } from "../lib/labels.js";
import { IMAGES } from "../lib/images.js";
import { httpUrl } from "../lib/service-ref.js";
import type { Family } from "../synth/family.js";
import { HA_CLUSTER_LABEL, haClusterValue, PROMETHEUS_NAME } from "./ha.js";
import { annotationScraping, platformMonitors } from "./monitors.js";
import { policyRelabelings } from "./policy.js";
import { CollectionPrometheus, discoveryRbac, type RemoteWriteTarget } from "./prometheus.js";

/** The default tenant's token for the remote write: a secret-store reference, or the local dev-only value. */
function remoteWriteToken(config: PlatformConfig): RemoteWriteTarget["token"] {
  const tenant = config.defaultTenant;
  const devToken = Object.entries(config.gateway.devOnlyTokens ?? {}).find(([, owner]) => owner === tenant)?.[0];
  if (devToken) return { kind: "devOnly", value: devToken };
  const ref = config.gateway.tokens.find((token) => token.tenant === tenant);
  if (!ref || !config.secretStore) throw new Error(`collection: no gateway token for defaultTenant "${tenant}" (the config schema checks this)`);
  return { kind: "secretStore", store: config.secretStore, remoteKey: ref.remoteKey, property: ref.property };
}

/**
 * Metrics collection: the platform's sharded Prometheus (or the local agent) writing to the gateway,
 * the labeling policy as its default scrape class, and the monitors of every platform component.
 */
export const collectionFamily: Family = {
  name: "collection",
  layer: "collection",
  build(ctx): void {
    const { config, names } = ctx;
    const settings = config.collection;
    const prometheus = settings.prometheus;
    if (!prometheus) return;
    const gateway = ctx.need("gateway");
    const labels = standardLabels({
      app: "prometheus",
      instance: names.instance,
      component: "prometheus",
      version: imageTag(IMAGES.prometheus),
    });
    new CollectionPrometheus(ctx.chart("prometheus"), "prometheus", {
      name: PROMETHEUS_NAME,
      namespace: names.namespace,
      labels,
      settings: prometheus,
      externalLabels: {
        cluster: config.clusterLabel,
        environment: config.environment,
        [HA_CLUSTER_LABEL]: haClusterValue(config),
      },
      remoteWrite: { url: httpUrl(gateway, "http", "/api/v1/push"), token: remoteWriteToken(config) },
      scrapeInterval: settings.scrapeIntervals[settings.defaultClass],
      scrapeTimeout: SCRAPE_TIMEOUT,
      policy: policyRelabelings(settings),
    });
    const monitors = ctx.chart("monitors");
    const monitorLabels = standardLabels({ app: "prometheus", instance: names.instance, component: "monitors" });
    platformMonitors(monitors, { labels: monitorLabels, prometheusName: PROMETHEUS_NAME });
    annotationScraping(monitors, monitorLabels);
    discoveryRbac(ctx.clusterChart("prometheus-rbac"), { name: `${names.namespace}-prometheus`, namespace: names.namespace, labels });
  },
};
