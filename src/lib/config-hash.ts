import { createHash } from "node:crypto";

/** Pod-template annotation carrying a hash of the config a pod reads, so a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = "observability-platform/config-hash";

/** Short content hash for CONFIG_HASH_ANNOTATION. */
export function configHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
