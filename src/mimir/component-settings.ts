import type { Autoscaling, ComponentSettings, Resources } from "../config/schema.js";
import { mergeResources } from "../lib/resources.js";
import type { ComponentDefaults } from "./components.js";
import type { MimirContext } from "./context.js";

/** Sizing after applying config.yaml over the defaults — resolved once, by the Mimir family. */
export interface ResolvedSettings {
  readonly replicas: number;
  readonly resources: Resources;
  /** PVC size (StatefulSets). */
  readonly storage?: string;
  /** HPA bounds (Deployments); the workload then carries no fixed replica count. */
  readonly autoscaling?: Autoscaling;
}

/** Props every Mimir component construct takes. */
export interface MimirComponentProps {
  /** Shared facts (namespace, image, config names, zones). */
  readonly context: MimirContext;
  /** Sizing, with the component's defaults (src/mimir/components.ts) already applied. */
  readonly settings: ResolvedSettings;
}

/**
 * Applies config.yaml over a component's defaults. Replicas given without autoscaling become the
 * default HPA's minimum, so the setting is never lost under an HPA.
 */
export function resolveSettings(defaults: ComponentDefaults, settings?: ComponentSettings): ResolvedSettings {
  const replicas = settings?.replicas ?? defaults.replicas;
  let autoscaling: Autoscaling | undefined;
  if (settings?.autoscaling === false) autoscaling = undefined;
  else if (settings?.autoscaling) autoscaling = settings.autoscaling;
  else if (defaults.autoscaling && settings?.replicas !== undefined) {
    autoscaling = { ...defaults.autoscaling, minReplicas: replicas, maxReplicas: Math.max(replicas, defaults.autoscaling.maxReplicas) };
  } else autoscaling = defaults.autoscaling;
  return {
    replicas,
    resources: mergeResources(defaults.resources, settings?.resources),
    storage: settings?.storage ?? defaults.storage,
    autoscaling,
  };
}

/** GOMEMLIMIT in bytes from a memory quantity, so the Go GC works before the kernel OOM-kills. */
export function goMemLimit(memory: string): string {
  const match = /^([0-9]+)(Ki|Mi|Gi|Ti)?$/.exec(memory);
  if (!match) return memory;
  const factor = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] as "Ki"] ?? 1;
  return String(Number(match[1]) * factor);
}
