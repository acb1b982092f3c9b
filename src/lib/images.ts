/**
 * Every container image the platform runs, pinned in one place. Config may override the Mimir and
 * gateway images per environment; everything else is chosen here.
 */
export const IMAGES = {
  mimir: "grafana/mimir:3.0.1",
  rolloutOperator: "grafana/rollout-operator:v0.34.0",
  // Exact patch release, like every other image: a moving tag would change pods without a diff.
  gateway: "nginxinc/nginx-unprivileged:1.29.1-alpine",
  // Turns the gateway's stub_status page into Prometheus metrics.
  nginxExporter: "nginx/nginx-prometheus-exporter:1.4.1",
  // Turns the gateway's per-request log lines into per-tenant metrics (src/gateway/log-metrics.ts).
  mtail: "ghcr.io/google/mtail:3.0.8",
  memcached: "memcached:1.6.39-alpine",
  memcachedExporter: "prom/memcached-exporter:v0.15.3",
  // Local environment only (dev-only object storage).
  minio: "minio/minio:RELEASE.2025-09-07T16-13-09Z",
  minioClient: "minio/mc:RELEASE.2025-08-13T08-35-41Z",
  // Collection (src/collection/). The Prometheus version is the newest prometheus-operator 0.93 supports.
  prometheus: "quay.io/prometheus/prometheus:v3.13.2",
  nodeExporter: "quay.io/prometheus/node-exporter:v1.9.1",
  kubeStateMetrics: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0",
  blackboxExporter: "quay.io/prometheus/blackbox-exporter:v0.27.0",
  pushgateway: "quay.io/prometheus/pushgateway:v1.11.1",
  // contrib distribution: bearertokenauth reads the gateway token from the mounted Secret (and follows rotation).
  otelCollector: "otel/opentelemetry-collector-contrib:0.128.0",
  grafana: "grafana/grafana:12.3.0",
  // Backups (src/backup/): pg_dump must be at least the server's major version; the AWS CLI uploads with IRSA.
  backupExport: "postgres:17.6-alpine",
  awsCli: "amazon/aws-cli:2.22.0",
} as const;
