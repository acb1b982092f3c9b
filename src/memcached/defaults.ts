/**
 * Built-in memcached sizing per cache, kept with the caches family: the config schema checks
 * settings against it and the caches family fills in whatever config.yaml leaves out.
 */
import type { CacheName } from "../config/cache-names.js";

export interface CacheDefaults {
  readonly replicas: number;
  /** `-m`: item memory per pod, MiB. */
  readonly memoryMb: number;
  /** Largest pod worth running: beyond this, add replicas (more pods shard the keys). */
  readonly maxMemoryMb: number;
  /** `-I`: largest item, MiB. */
  readonly maxItemMb: number;
  /** `-c`: simultaneous connections. */
  readonly connectionLimit: number;
  /** Hit-ratio objective the alerting rules hold this cache to. */
  readonly hitRatioObjective: number;
}

export const CACHE_DEFAULTS: Readonly<Record<CacheName, CacheDefaults>> = {
  results: { replicas: 1, memoryMb: 4096, maxMemoryMb: 4096, maxItemMb: 5, connectionLimit: 16384, hitRatioObjective: 0.6 },
  index: { replicas: 1, memoryMb: 8192, maxMemoryMb: 8192, maxItemMb: 5, connectionLimit: 16384, hitRatioObjective: 0.7 },
  chunks: { replicas: 1, memoryMb: 8192, maxMemoryMb: 8192, maxItemMb: 1, connectionLimit: 16384, hitRatioObjective: 0.7 },
  metadata: { replicas: 1, memoryMb: 512, maxMemoryMb: 8192, maxItemMb: 1, connectionLimit: 16384, hitRatioObjective: 0.7 },
};
