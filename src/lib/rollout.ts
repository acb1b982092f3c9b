import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";

/** Counts or percentages such as 1 or "15%". */
export type SurgeValue = string | number;

const intOrString = (value: SurgeValue) =>
  typeof value === "number" ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);

/** RollingUpdate parameters for Deployments and StatefulSets; unset values keep Kubernetes' defaults. */
export function rollingUpdate(options: { maxSurge?: SurgeValue; maxUnavailable?: SurgeValue }) {
  return {
    ...(options.maxSurge !== undefined ? { maxSurge: intOrString(options.maxSurge) } : {}),
    ...(options.maxUnavailable !== undefined ? { maxUnavailable: intOrString(options.maxUnavailable) } : {}),
  };
}

/** A Deployment strategy that rolls with the given surge/unavailability. */
export function rollingUpdateStrategy(maxSurge: SurgeValue, maxUnavailable: SurgeValue): k8s.DeploymentStrategy {
  return { type: "RollingUpdate", rollingUpdate: rollingUpdate({ maxSurge, maxUnavailable }) };
}
