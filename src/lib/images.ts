/**
 * Every container image the platform runs, pinned in one place. Config may override the Mimir and
 * gateway images per environment; everything else is chosen here.
 */
export const IMAGES = {
  mimir: "grafana/mimir:3.0.1",
  rolloutOperator: "grafana/rollout-operator:v0.34.0",
  gateway: "nginxinc/nginx-unprivileged:1.29-alpine",
  memcached: "memcached:1.6.39-alpine",
  memcachedExporter: "prom/memcached-exporter:v0.15.3",
  // Collection (src/collection/). The Prometheus version is the newest prometheus-operator 0.93 supports.
  prometheus: "quay.io/prometheus/prometheus:v3.13.2",
  grafana: "grafana/grafana:12.3.0",
} as const;
