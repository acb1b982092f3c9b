import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";

/** Counts or percentages such as 1 or "15%". */
export type SurgeValue = string | number;

function intOrString(value: SurgeValue | undefined): k8s.IntOrString | undefined {
  if (value === undefined) return undefined;
  return typeof value === "number" ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}

/** A Deployment strategy that rolls with the given surge/unavailability (unset keeps Kubernetes' 25%). */
export function rollingUpdateStrategy(maxSurge?: SurgeValue, maxUnavailable?: SurgeValue): k8s.DeploymentStrategy {
  return {
    type: "RollingUpdate",
    rollingUpdate: { maxSurge: intOrString(maxSurge), maxUnavailable: intOrString(maxUnavailable) },
  };
}

/**
 * A StatefulSet rolling update. StatefulSets have no surge: pods are replaced in place, at most
 * `maxUnavailable` at a time (Kubernetes default 1).
 */
export function statefulSetRollingUpdate(maxUnavailable?: SurgeValue): k8s.StatefulSetUpdateStrategy {
  const unavailable = intOrString(maxUnavailable);
  return { type: "RollingUpdate", rollingUpdate: unavailable === undefined ? undefined : { maxUnavailable: unavailable } };
}
