import type * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";

/** Non-root UID/GID every platform container runs as (matches the Mimir images' user). */
export const PLATFORM_UID = 10001;

/** Pod-level context meeting Pod Security Standards "restricted". */
export function restrictedPodSecurityContext(uid = PLATFORM_UID): k8s.PodSecurityContext {
  return {
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level context meeting "restricted": no privilege escalation, no capabilities, read-only root. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
  };
}
