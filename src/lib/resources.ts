import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Resources } from "../config/schema.js";

/** Converts config resources to the Kubernetes shape. */
export function resourceRequirements(resources: Resources): k8s.ResourceRequirements {
  const limits: Record<string, k8s.Quantity> = {};
  if (resources.limits?.cpu) limits.cpu = k8s.Quantity.fromString(resources.limits.cpu);
  if (resources.limits?.memory) limits.memory = k8s.Quantity.fromString(resources.limits.memory);
  return {
    requests: {
      cpu: k8s.Quantity.fromString(resources.requests.cpu),
      memory: k8s.Quantity.fromString(resources.requests.memory),
    },
    limits: Object.keys(limits).length > 0 ? limits : undefined,
  };
}

/** Field-wise merge: explicit settings win over component defaults. */
export function mergeResources(defaults: Resources, override?: Resources): Resources {
  if (!override) return defaults;
  return { requests: override.requests, limits: override.limits ?? defaults.limits };
}
