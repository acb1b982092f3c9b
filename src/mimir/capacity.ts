import { quantityToNumber } from "../config/primitives.js";
import type { PlatformConfig } from "../config/schema.js";
import { REPLICATION_FACTOR } from "./components.js";

/** Mimir's default `max_global_series_per_user` when neither config nor tenant sets one. */
export const MIMIR_DEFAULT_SERIES_PER_TENANT = 150_000;

/**
 * Memory one in-memory series costs an ingester: the capacity guide's 2.5 GB per 300k series, plus
 * the 50% headroom it recommends for peaks.
 */
export const BYTES_PER_INGESTER_SERIES = (2.5e9 / 300_000) * 1.5;

/** Series an ingester with this memory request can hold, rounded down to 10k. */
export function ingesterSeriesCapacity(memoryRequest: string): number {
  return Math.floor(quantityToNumber(memoryRequest) / BYTES_PER_INGESTER_SERIES / 10_000) * 10_000;
}

export interface IngesterCapacity {
  readonly replicas: number;
  readonly memoryRequest: string;
  /** ingester.instance_limits.max_series of each ingester. */
  readonly maxSeriesPerIngester: number;
}

/**
 * Warnings when the tenants' series limits, once replicated, exceed what the ingesters may hold:
 * writes would then be rejected at the instance limit long before any tenant reaches its own.
 */
export function ingesterCapacityWarnings(config: PlatformConfig, capacity: IngesterCapacity): string[] {
  const warnings: string[] = [];
  const file = `overlays/${config.envName}/config.yaml`;
  const memoryHolds = ingesterSeriesCapacity(capacity.memoryRequest);
  if (capacity.maxSeriesPerIngester > memoryHolds) {
    warnings.push(
      `${file}: mimir.ingesterMaxSeries: ${capacity.maxSeriesPerIngester} series per ingester exceeds what a ${capacity.memoryRequest} memory request holds (~${memoryHolds} by the capacity guide with 50% headroom); ingesters may be OOM-killed before the limit applies`,
    );
  }
  const fallback = (config.mimir.limits.max_global_series_per_user as number | undefined) ?? MIMIR_DEFAULT_SERIES_PER_TENANT;
  let total = 0;
  const unlimited: string[] = [];
  for (const tenant of config.tenants) {
    const limit = (tenant.limits?.max_global_series_per_user as number | undefined) ?? fallback;
    if (limit === 0) unlimited.push(tenant.id);
    total += limit;
  }
  if (unlimited.length > 0) {
    warnings.push(
      `${file}: tenants ${unlimited.slice(0, 8).join(", ")}${unlimited.length > 8 ? ", …" : ""} have no series limit (max_global_series_per_user: 0); only the ingesters' instance limit protects them`,
    );
  }
  const inMemory = total * REPLICATION_FACTOR;
  const held = capacity.replicas * capacity.maxSeriesPerIngester;
  if (inMemory > held) {
    warnings.push(
      `${file}: the tenants' series limits add up to ${total} series, ${inMemory} in memory at replication factor ${REPLICATION_FACTOR}, but ${capacity.replicas} ingesters hold at most ${held} (${capacity.maxSeriesPerIngester} each); add ingesters or memory, or lower max_global_series_per_user`,
    );
  }
  return warnings;
}
