import { SCRAPE_TIMEOUT } from "../config/collection-schema.js";
import type { PlatformConfig } from "../config/schema.js";
import { imageTag, standardLabels } from "../lib/labels.js";
import { IMAGES } from "../lib/images.js";
import type { InfraOutputs } from "../config/infra-outputs.js";
import { gatewayClientTls, gatewayUrl } from "../lib/mtls.js";
import type { ServiceRef } from "../lib/service-ref.js";
import type { Family } from "../synth/family.js";
import { HA_CLUSTER_LABEL, haClusterValue, PROMETHEUS_NAME } from "./ha.js";
import { annotationScraping, platformMonitors } from "./monitors.js";
import { policyRelabelings } from "./policy.js";
import { CollectionPrometheus, discoveryRbac, PROMETHEUS_NAMES, type RemoteWriteTarget } from "./prometheus.js";
import { blackboxExporter } from "./exporters/blackbox.js";
import { kubeStateMetrics } from "./exporters/kube-state-metrics.js";
import { nodeExporter } from "./exporters/node-exporter.js";
import { OTEL_COLLECTOR_NAME, otelCollector } from "./exporters/otel-collector.js";
import { pushgateway } from "./exporters/pushgateway.js";

/** The default tenant's token for the remote write: a secret-store reference, or the local dev-only value. */
function remoteWriteToken(config: PlatformConfig): Extract<RemoteWriteTarget, { kind: "gateway" }>["token"] {
  const tenant = config.defaultTenant;
  const devToken = Object.entries(config.gateway.devOnlyTokens ?? {}).find(([, owner]) => owner === tenant)?.[0];
  if (devToken) return { kind: "devOnly", value: devToken };
  const ref = config.gateway.tokens.find((token) => token.tenant === tenant);
  if (!ref || !config.secretStore) throw new Error(`collection: no gateway token for defaultTenant "${tenant}" (the config schema checks this)`);
  return { kind: "secretStore", store: config.secretStore, remoteKey: ref.remoteKey, property: ref.property };
}

/** Gateway (this environment's Mimir) or Amazon Managed Prometheus, as collection.remoteWrite says. */
function remoteWriteTarget(config: PlatformConfig, infra: InfraOutputs | undefined, gateway: ServiceRef | undefined): RemoteWriteTarget {
  if (config.collection.remoteWrite.backend === "gateway") {
    if (!gateway) throw new Error("collection: backend gateway without a gateway (the config schema checks this)");
    return {
      kind: "gateway",
      url: gatewayUrl(gateway, "/api/v1/push"),
      // The pod group the security family issues the certificate for (the operator's `prometheus-<name>` pods).
      clientTls: gatewayClientTls(gateway, `prometheus-${PROMETHEUS_NAME}`),
      token: remoteWriteToken(config),
    };
  }
  const amp = infra?.amp ?? {};
  if (!amp.workspaceUrl || !amp.region || !amp.remoteWriteRoleArn) {
    throw new Error("collection: backend amp without the amp_* Terraform outputs (the config loader checks this)");
  }
  const base = amp.workspaceUrl.endsWith("/") ? amp.workspaceUrl : `${amp.workspaceUrl}/`;
  return { kind: "amp", url: `${base}api/v1/remote_write`, region: amp.region, roleArn: amp.remoteWriteRoleArn };
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
    // The gateway family publishes only when the gateway runs; backend gateway requires it (config check).
    const gateway = settings.remoteWrite.backend === "gateway" || settings.exporters.otelCollector.enabled ? ctx.need("gateway") : undefined;
    const remoteWrite = remoteWriteTarget(config, ctx.infra, gateway);
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
      remoteWrite,
      scrapeInterval: settings.scrapeIntervals[settings.defaultClass],
      scrapeTimeout: SCRAPE_TIMEOUT,
      policy: policyRelabelings(settings),
    });
    const monitors = ctx.chart("monitors");
    const monitorLabels = standardLabels({ app: "prometheus", instance: names.instance, component: "monitors" });
    platformMonitors(monitors, { labels: monitorLabels, prometheusName: PROMETHEUS_NAME });
    annotationScraping(monitors, monitorLabels);
    const rbac = ctx.clusterChart("prometheus-rbac");
    discoveryRbac(rbac, { name: `${names.namespace}-prometheus`, namespace: names.namespace, labels });

    const { exporters } = settings;
    const instance = names.instance;
    if (exporters.blackbox.enabled) blackboxExporter(ctx.chart("blackbox-exporter"), instance, settings);
    if (exporters.pushgateway.enabled) pushgateway(ctx.chart("pushgateway"), instance, settings);
    if (exporters.kubeStateMetrics.enabled) {
      kubeStateMetrics(ctx.chart("kube-state-metrics"), ctx.clusterChart("kube-state-metrics-rbac"), { instance, namespace: names.namespace, settings });
    }
    if (exporters.nodeExporter.enabled) {
      nodeExporter(ctx.chart("node-exporter"), ctx.clusterChart("node-exporter-namespace"), { instance, platformNamespace: names.namespace, settings });
    }
    if (exporters.otelCollector.enabled && gateway) {
      otelCollector(ctx.chart("otel-collector"), {
        instance,
        settings,
        gateway,
        token: { secret: PROMETHEUS_NAMES.tokenSecret, key: PROMETHEUS_NAMES.tokenKey },
        clientTls: gatewayClientTls(gateway, OTEL_COLLECTOR_NAME),
      });
    }
  },
};
