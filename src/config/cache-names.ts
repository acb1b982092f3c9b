export const CACHE_NAMES = ["results", "index", "chunks", "metadata"] as const;
export type CacheName = (typeof CACHE_NAMES)[number];
