import { CACHE_NAMES } from "../config/cache-names.js";
import { dnsDiscoveryAddress } from "../lib/service-ref.js";
import type { CacheEndpoint, Family } from "../synth/family.js";
import { CACHE_DEFAULTS } from "./defaults.js";
import { MemcachedCache } from "./memcached-cache.js";

/**
 * The four memcached clusters Mimir reads through (results, index, chunks, metadata), each in its
 * own file. Every mode may use every cache: even the read-only DR path reads through all four.
 */
export const cachesFamily: Family = {
  name: "memcached",
  layer: "storage",
  build(ctx): void {
    const caches: Partial<Record<(typeof CACHE_NAMES)[number], CacheEndpoint>> = {};
    for (const name of CACHE_NAMES) {
      const settings = ctx.config.caches[name];
      if (settings?.enabled === false) continue;
      const defaults = CACHE_DEFAULTS[name];
      const cache = new MemcachedCache(ctx.chart(`${name}-cache`), "memcached", {
        name: `${name}-cache`,
        instance: ctx.names.instance,
        replicas: settings?.replicas ?? defaults.replicas,
        memoryMb: settings?.memoryMb ?? defaults.memoryMb,
        maxItemMb: settings?.maxItemMb ?? defaults.maxItemMb,
        connectionLimit: settings?.connectionLimit ?? defaults.connectionLimit,
      });
      caches[name] = {
        service: cache.service,
        addresses: dnsDiscoveryAddress(cache.service, "memcached-client"),
        maxItemSizeBytes: cache.maxItemSizeBytes,
      };
    }
    ctx.publish("caches", caches);
  },
};
