import type { CacheName } from "../../config/schema.js";
import { Board, sel, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Per cache: its client-side `name` label in Mimir and the hit-ratio query (a recording rule where one exists). */
const CACHES: Readonly<Record<CacheName, { readonly title: string; readonly hitRatio: string; readonly alert: string }>> = {
  results: { title: "Results cache (query-frontend)", alert: "QueryFrontendCacheHitRateLow", hitRatio: `max(cache:query_frontend_result:hit_ratio${sel()})` },
  index: { title: "Index cache (store-gateway)", alert: "StoreGatewayCacheHitRateLow", hitRatio: `max(cache:store_gateway_index:hit_ratio${sel()})` },
  chunks: { title: "Chunks cache (store-gateway)", alert: "StoreGatewayCacheHitRateLow", hitRatio: `max(cache:store_gateway_chunks:hit_ratio${sel()})` },
  metadata: {
    title: "Metadata cache (store-gateway)",
    alert: "StoreGatewayCacheHitRateLow",
    hitRatio:
      `sum(rate(thanos_cache_hits_total${sel('name="metadata-cache"')}[$__rate_interval]))` +
      ` / sum(rate(thanos_cache_requests_total${sel('name="metadata-cache"')}[$__rate_interval]))`,
  },
};

/** Hit ratio of every enabled cache against its objective, and the memcached servers behind them. */
export function caches(env: DashboardEnv): BuiltDashboard {
  const board = new Board(env, {
    uid: "platform-caches",
    title: "Platform / Caches",
    description: "Hit ratio of each memcached cache against its objective (config caches.<name>.hitRatioObjective), plus memory, evictions and errors.",
    folder: "Platform",
    tags: ["caches", "memcached"],
    variables: ["cluster", "namespace"],
  });
  board.row("Hit ratio against objective");
  const enabled = (Object.keys(CACHES) as CacheName[]).filter((name) => env.cacheObjectives[name] !== undefined);
  for (const name of enabled) {
    const objective = env.cacheObjectives[name]!;
    board.timeseries({
      title: `${CACHES[name].title} hit ratio`,
      description: `Share of lookups answered by the ${name} cache. The dashed line is its objective, ${objective}.`,
      unit: "percentunit",
      queries: [{ expr: CACHES[name].hitRatio, legend: "hit ratio" }],
      objective: { value: objective, below: "bad" },
      runbook: CACHES[name].alert,
      min: 0,
      max: 1,
      width: 24 / Math.min(enabled.length, 4),
    });
  }
  return board
    .row("Clients and servers")
    .timeseries({
      title: "Cache operation failures",
      description: "Failed cache operations per second, by cache and operation (timeouts, connection errors).",
      unit: "ops",
      queries: [
        {
          expr: `sum by (name, operation) (rate(thanos_cache_operation_failures_total${sel()}[$__rate_interval]))`,
          legend: "{{name}} {{operation}}",
        },
      ],
      runbook: "MimirCacheRequestErrors",
    })
    .timeseries({
      title: "Cache operation latency p99",
      description: "99th percentile latency of cache operations seen by Mimir, by cache.",
      unit: "s",
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, name) (rate(thanos_cache_operation_duration_seconds_bucket${sel()}[$__rate_interval])))`,
          legend: "{{name}}",
        },
      ],
      runbook: "MimirCacheRequestErrors",
    })
    .timeseries({
      title: "Memory used",
      description: "Bytes stored by each memcached pod as a share of its -m limit; near 100% with evictions means the cache is too small.",
      unit: "percentunit",
      queries: [{ expr: `sum by (pod) (memcached_current_bytes${sel()}) / sum by (pod) (memcached_limit_bytes${sel()})`, legend: "{{pod}}" }],
      runbook: "StoreGatewayCacheHitRateLow",
      min: 0,
      max: 1,
    })
    .timeseries({
      title: "Evictions",
      description: "Items evicted per second by each memcached pod to make room for new ones.",
      unit: "ops",
      queries: [{ expr: `sum by (pod) (rate(memcached_items_evicted_total${sel()}[$__rate_interval]))`, legend: "{{pod}}" }],
      runbook: "StoreGatewayCacheHitRateLow",
    })
    .timeseries({
      title: "Connections",
      description: "Open connections per memcached pod against its -c limit.",
      unit: "short",
      queries: [
        { expr: `sum by (pod) (memcached_current_connections${sel()})`, legend: "{{pod}}" },
        { expr: `max(memcached_max_connections${sel()})`, legend: "limit" },
      ],
      runbook: "MimirCacheRequestErrors",
      width: 24,
    })
    .build();
}
