/**
 * How the sharded, replicated Prometheus pairs are de-duplicated by Mimir's HA tracker.
 *
 * Mimir keeps, per tenant and per value of the HA *cluster* label, the samples of one value of the HA
 * *replica* label and drops the others. The Prometheus Operator's own `prometheus` external label is
 * `<namespace>/<name>` for every shard, so using it as the cluster label would make Mimir keep one
 * shard and silently drop the samples of all the others. Instead:
 *
 * - cluster label `prometheus_shard` = `<clusterLabel>/<namespace>/<name>/shard-$(SHARD)`: the operator
 *   sets the `SHARD` environment variable of each shard's config-reloader, which expands `$(SHARD)`
 *   everywhere in the generated prometheus.yaml (external labels included) before Prometheus reads it;
 *   so each shard is its own HA cluster, the same for both replicas of a shard;
 * - replica label `__replica__` (Mimir's default, dropped before storage) via the operator's
 *   `replicaExternalLabelName`, whose value is `$(POD_NAME)`: distinct for every pod.
 *
 * This module is imported by mimir-config.ts (runtime overrides), so it depends on config only.
 */
import type { PlatformConfig } from "../config/schema.js";

/** External label naming the HA cluster: one value per shard. Kept on stored series (constant per target). */
export const HA_CLUSTER_LABEL = "prometheus_shard";
/** External label naming the replica: the pod name; Mimir removes it before storing. */
export const HA_REPLICA_LABEL = "__replica__";
/** The config-reloader's environment variable holding the shard number (prometheus-operator ShardEnvVar). */
export const SHARD_VARIABLE = "$(SHARD)";

/** Name of the platform's Prometheus / PrometheusAgent object. */
export const PROMETHEUS_NAME = "platform";

/** Value of HA_CLUSTER_LABEL before the config-reloader expands $(SHARD). */
export function haClusterValue(config: PlatformConfig): string {
  return `${config.clusterLabel}/${config.namespace}/${PROMETHEUS_NAME}/shard-${SHARD_VARIABLE}`;
}

export interface HaTenant {
  readonly tenant: string;
  readonly clusterLabel: string;
  readonly replicaLabel: string;
}

/**
 * Tenants that receive samples from HA Prometheus pairs, with the labels Mimir must read: the default
 * tenant, when this environment runs the platform's Prometheus and it writes through the gateway.
 */
export function haSampleTenants(config: PlatformConfig): HaTenant[] {
  const prometheus = config.collection.prometheus;
  if (!prometheus || !config.gateway.enabled || config.collection.remoteWrite.backend !== "gateway") return [];
  return [{ tenant: config.defaultTenant, clusterLabel: HA_CLUSTER_LABEL, replicaLabel: HA_REPLICA_LABEL }];
}
