import type { Autoscaling, ComponentSettings, Resources } from "../config/schema.js";
import { mergeResources } from "../lib/resources.js";
import type { MimirContext } from "./context.js";

/** Props every Mimir component construct takes. */
export interface MimirComponentProps {
  /** Shared facts (namespace, image, config names, zones). */
  readonly context: MimirContext;
  /**
   * Overrides from config.yaml `mimir.components.<name>`; unset fields use the component's defaults.
   * @default the component's `<NAME>_DEFAULTS` (replicas, resources, disk, HPA bounds)
   */
  readonly settings?: ComponentSettings;
}

/** A component's built-in sizing, used where config.yaml is silent. */
export interface ComponentDefaults {
  readonly replicas: number;
  readonly resources: Resources;
  readonly storage?: string;
  /** Default HPA; undefined means the component is not autoscaled unless config asks. */
  readonly autoscaling?: Autoscaling;
}

/** Sizing after applying config.yaml over the defaults — the one place component defaults are resolved. */
export interface ResolvedSettings {
  readonly replicas: number;
  readonly resources: Resources;
  readonly storage?: string;
  readonly autoscaling?: Autoscaling;
}

export function resolveSettings(defaults: ComponentDefaults, settings?: ComponentSettings): ResolvedSettings {
  const replicas = settings?.replicas ?? defaults.replicas;
  const autoscaling =
    settings?.autoscaling === false
      ? undefined
      : (settings?.autoscaling ??
        (defaults.autoscaling && settings?.replicas !== undefined
          ? { ...defaults.autoscaling, minReplicas: Math.max(1, replicas), maxReplicas: Math.max(replicas, defaults.autoscaling.maxReplicas) }
          : defaults.autoscaling));
  const storage = settings?.storage ?? defaults.storage;
  return {
    replicas,
    resources: mergeResources(defaults.resources, settings?.resources),
    ...(storage ? { storage } : {}),
    ...(autoscaling ? { autoscaling } : {}),
  };
}

/** GOMEMLIMIT in bytes from a memory quantity, so the Go GC works before the kernel OOM-kills. */
export function goMemLimit(memory: string): string {
  const match = /^([0-9]+)(Ki|Mi|Gi|Ti)?$/.exec(memory);
  if (!match) return memory;
  const factor = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] as "Ki"] ?? 1;
  return String(Number(match[1]) * factor);
}
