import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";
import { dump } from "js-yaml";
import type { CollectionSettings } from "../../config/collection-schema.js";
import { CONFIG_HASH_ANNOTATION, configHash } from "../../lib/config-hash.js";
import { IMAGES } from "../../lib/images.js";
import { gatewayUrl, TLS_SECRET_KEYS } from "../../lib/mtls.js";
import type { ServiceRef } from "../../lib/service-ref.js";
import { exporterDeployment } from "./workload.js";

export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;
const TELEMETRY_PORT = 8888;
const HEALTH_PORT = 13133;
const CONFIG_DIR = "/etc/otelcol";
const TOKEN_DIR = "/etc/otelcol-token";
const CLIENT_TLS_DIR = "/etc/otelcol-client-tls";
/** Deployment, Service and pod-group name (the client certificate is issued for it). */
export const OTEL_COLLECTOR_NAME = "otel-collector";

export interface OtelCollectorProps {
  readonly instance: string;
  readonly settings: CollectionSettings;
  readonly gateway: ServiceRef;
  /** Secret + key holding the default tenant's gateway token (the Prometheus remote-write token). */
  readonly token: { readonly secret: string; readonly key: string };
  /** mTLS: the cert-manager Secret of the collector's client certificate for the gateway; absent: plaintext. */
  readonly clientTls?: { readonly secretName: string };
}

/**
 * collector config: OTLP in (gRPC 4317, HTTP 4318); metrics out to the gateway's OTLP endpoint as the
 * default tenant (Mimir stores OTLP metrics natively); traces out to Tempo when an endpoint is
 * configured, so exemplars in Mimir link to traces in Grafana.
 */
export function otelCollectorConfig(props: Pick<OtelCollectorProps, "settings" | "gateway" | "token" | "clientTls">): Record<string, unknown> {
  const traces = props.settings.exporters.otelCollector.tracesEndpoint;
  const processors = ["memory_limiter", "batch"];
  const exporters: Record<string, unknown> = {
    "otlphttp/mimir": {
      metrics_endpoint: gatewayUrl(props.gateway, "/otlp/v1/metrics"),
      auth: { authenticator: "bearertokenauth/gateway" },
      // mTLS: the client certificate from the mounted cert-manager Secret, re-read hourly (renewals).
      tls: props.clientTls
        ? {
            ca_file: `${CLIENT_TLS_DIR}/${TLS_SECRET_KEYS.ca}`,
            cert_file: `${CLIENT_TLS_DIR}/${TLS_SECRET_KEYS.certificate}`,
            key_file: `${CLIENT_TLS_DIR}/${TLS_SECRET_KEYS.privateKey}`,
            reload_interval: "1h",
          }
        : undefined,
      retry_on_failure: { enabled: true },
      sending_queue: { enabled: true, queue_size: 5000 },
    },
  };
  const pipelines: Record<string, unknown> = { metrics: { receivers: ["otlp"], processors, exporters: ["otlphttp/mimir"] } };
  if (traces) {
    exporters["otlp/tempo"] = { endpoint: traces, tls: { insecure: true } };
    pipelines.traces = { receivers: ["otlp"], processors, exporters: ["otlp/tempo"] };
  }
  return {
    receivers: {
      otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` } } },
    },
    processors: {
      // Refuse data before the container's memory limit is hit (percentages of the cgroup limit).
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
      batch: { send_batch_size: 8192, timeout: "5s" },
    },
    exporters,
    extensions: {
      health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}` },
      // The token file is re-read when the Secret changes (token rotation without a restart).
      "bearertokenauth/gateway": { filename: `${TOKEN_DIR}/${props.token.key}` },
    },
    service: {
      extensions: ["health_check", "bearertokenauth/gateway"],
      telemetry: {
        logs: { encoding: "json" },
        metrics: { level: "normal", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: TELEMETRY_PORT } } } }] },
      },
      pipelines,
    },
  };
}

/** OpenTelemetry Collector (contrib distribution) as a Deployment behind a Service. */
export function otelCollector(scope: Construct, props: OtelCollectorProps): ServiceRef {
  const settings = props.settings.exporters.otelCollector;
  const config = dump(JSON.parse(JSON.stringify(otelCollectorConfig(props))), { sortKeys: true, lineWidth: -1 });
  const configMapName = "otel-collector-config";
  const exporter = exporterDeployment(scope, {
    name: OTEL_COLLECTOR_NAME,
    instance: props.instance,
    image: IMAGES.otelCollector,
    args: [`--config=${CONFIG_DIR}/config.yaml`],
    metricsPort: TELEMETRY_PORT,
    ports: [
      { name: "otlp-grpc", containerPort: OTLP_GRPC_PORT },
      { name: "otlp-http", containerPort: OTLP_HTTP_PORT },
      { name: "health", containerPort: HEALTH_PORT },
    ],
    healthPath: "/",
    healthPort: "health",
    replicas: settings.replicas,
    defaultResources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    resources: settings.resources,
    volumes: [
      { name: "config", configMap: { name: configMapName } },
      { name: "token", secret: { secretName: props.token.secret, items: [{ key: props.token.key, path: props.token.key }], defaultMode: 0o440 } },
      ...(props.clientTls ? [{ name: "client-tls", secret: { secretName: props.clientTls.secretName, defaultMode: 0o440 } }] : []),
    ],
    volumeMounts: [
      { name: "config", mountPath: CONFIG_DIR, readOnly: true },
      { name: "token", mountPath: TOKEN_DIR, readOnly: true },
      ...(props.clientTls ? [{ name: "client-tls", mountPath: CLIENT_TLS_DIR, readOnly: true }] : []),
    ],
    podAnnotations: { [CONFIG_HASH_ANNOTATION]: configHash(config) },
  });
  new k8s.KubeConfigMap(scope, "otel-collector-config", { metadata: { name: configMapName, labels: exporter.labels }, data: { "config.yaml": config } });
  return exporter.service;
}
