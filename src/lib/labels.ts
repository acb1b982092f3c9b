/** Identity of one workload, from which all its standard labels derive. */
export interface WorkloadIdentity {
  /** `app.kubernetes.io/name`, e.g. `mimir`, `memcached`, `gateway`. */
  readonly app: string;
  /** `app.kubernetes.io/instance`: which installation the object belongs to. */
  readonly instance: string;
  /** `app.kubernetes.io/component`, e.g. `ingester`. */
  readonly component: string;
  /** `app.kubernetes.io/version`: the image tag. */
  readonly version?: string;
  /** `app.kubernetes.io/part-of`; memberlist gossip members use `memberlist` so the gossip Service finds them. */
  readonly partOf?: string;
}

export const MANAGED_BY = "observability-platform";

/** Label (and annotation prefix) on objects that must never be used outside a laptop cluster. */
export const DEV_ONLY_LABEL = "observability-platform/dev-only";

/** Labels used in selectors (Services, PDBs, spread constraints); must never change for a live workload. */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    "app.kubernetes.io/name": id.app,
    "app.kubernetes.io/instance": id.instance,
    "app.kubernetes.io/component": id.component,
  };
}

/** Full label set for objects and pod templates. */
export function standardLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    ...(id.partOf ? { "app.kubernetes.io/part-of": id.partOf } : {}),
    ...(id.version ? { "app.kubernetes.io/version": id.version } : {}),
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}

/** The tag of an image reference (`grafana/mimir:3.0.1` → `3.0.1`), used as the version label. */
export function imageTag(image: string): string | undefined {
  const lastSegment = image.split("/").pop() ?? image;
  const tag = lastSegment.includes("@") ? undefined : lastSegment.split(":")[1];
  return tag && /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(tag) ? tag : undefined;
}

/**
 * Annotation (on a workload or its pod template) justifying a pod's host access: the only exception to Pod
 * Security "restricted" the validation chain accepts (src/validate/pod-security.ts); listed in
 * docs/operations.md ("Security").
 */
export const HOST_ACCESS_ANNOTATION = "observability-platform/host-access";
