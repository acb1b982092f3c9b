import { dump } from "js-yaml";
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { MANAGED_BY } from "../lib/labels.js";

export interface MimirConfigMapsProps {
  readonly instance: string;
  /** ConfigMap holding `mimir.yaml`. */
  readonly configMapName: string;
  /** ConfigMap holding `runtime.yaml`. */
  readonly runtimeConfigMapName: string;
  /** mimir.yaml as rendered by renderConfigYaml (the text the config hash was taken of). */
  readonly mimirYaml: string;
  readonly runtimeConfig: Record<string, unknown>;
}

/** Renders a config document the way it is written into the ConfigMap (stable key order, no wrapping). */
export function renderConfigYaml(doc: Record<string, unknown>): string {
  return dump(doc, { lineWidth: -1, noRefs: true, sortKeys: true });
}


/**
 * The two shared Mimir ConfigMaps: `mimir.yaml` (static config, read at start) and `runtime.yaml`
 * (per-tenant overrides, reloaded every runtime_config.period without restarts).
 */
export class MimirConfigMaps extends Construct {
  constructor(scope: Construct, id: string, props: MimirConfigMapsProps) {
    super(scope, id);
    const labels = {
      "app.kubernetes.io/name": "mimir",
      "app.kubernetes.io/instance": props.instance,
      "app.kubernetes.io/managed-by": MANAGED_BY,
    };
    new k8s.KubeConfigMap(this, "config", {
      metadata: { name: props.configMapName, labels },
      data: { "mimir.yaml": props.mimirYaml },
    });
    new k8s.KubeConfigMap(this, "runtime", {
      metadata: { name: props.runtimeConfigMapName, labels },
      data: { "runtime.yaml": renderConfigYaml(props.runtimeConfig) },
    });
  }
}
