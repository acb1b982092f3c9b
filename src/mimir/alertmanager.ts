import { dump } from "js-yaml";
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import type { MimirComponentProps } from "./component-settings.js";
import { configHash } from "../lib/config-hash.js";
import { imageTag, standardLabels } from "../lib/labels.js";
import type { ServiceRef } from "../lib/service-ref.js";
import { MIMIR_PATHS, MIMIR_SERVICE_NAMES, type MimirContext } from "./context.js";
import { headlessService, MimirWorkload, type ExtraMount } from "./mimir-workload.js";

export const ALERTMANAGER_FALLBACK_CONFIG_MAP = "alertmanager-fallback-config";
export const ALERTMANAGER_FALLBACK_KEY = "alertmanager_fallback_config.yaml";

/**
 * The configuration used for tenants that have not uploaded one: a single receiver with no
 * integrations, so alerts are kept (visible in the UI/API) but not sent anywhere.
 */
export function alertmanagerFallbackConfig(): string {
  return dump(
    { route: { receiver: "default-receiver", group_wait: "30s", group_interval: "5m", repeat_interval: "4h" }, receivers: [{ name: "default-receiver" }] },
    { lineWidth: -1 },
  );
}

/** Pod annotation carrying a hash of the fallback config: Alertmanager reads that file only at start. */
export const ALERTMANAGER_CONFIG_HASH_ANNOTATION = "observability-platform/alertmanager-config-hash";

export function alertmanagerPodAnnotations(context: Pick<MimirContext, "alertmanagerConfig">): Record<string, string> {
  return { [ALERTMANAGER_CONFIG_HASH_ANNOTATION]: configHash(context.alertmanagerConfig?.config ?? alertmanagerFallbackConfig()) };
}

/** Volumes every Alertmanager process needs besides the shared ones (also used by the monolithic process). */
export function alertmanagerMounts(context?: Pick<MimirContext, "alertmanagerConfig">): ExtraMount[] {
  const secrets = context?.alertmanagerConfig;
  const secretMounts: ExtraMount[] = secrets?.secretName
    ? [{ volume: { name: "alertmanager-secrets", secret: { secretName: secrets.secretName } }, mountPath: secrets.secretsDir }]
    : [];
  return [
    ...secretMounts,
    { volume: { name: "tmp", emptyDir: {} }, mountPath: "/tmp" },
    {
      volume: {
        name: "alertmanager-fallback-config",
        configMap: { name: ALERTMANAGER_FALLBACK_CONFIG_MAP, items: [{ key: ALERTMANAGER_FALLBACK_KEY, path: ALERTMANAGER_FALLBACK_KEY }] },
      },
      mountPath: MIMIR_PATHS.alertmanagerFallbackDir,
    },
  ];
}

/** The fallback-config ConfigMap, labelled as part of the Alertmanager component. */
export function alertmanagerFallbackConfigMap(scope: Construct, context: Pick<MimirContext, "instance" | "image" | "alertmanagerConfig">): k8s.KubeConfigMap {
  const labels = standardLabels({ app: "mimir", instance: context.instance, component: "alertmanager", version: imageTag(context.image) });
  return new k8s.KubeConfigMap(scope, "fallback-config", {
    metadata: { name: ALERTMANAGER_FALLBACK_CONFIG_MAP, labels },
    data: { [ALERTMANAGER_FALLBACK_KEY]: context.alertmanagerConfig?.config ?? alertmanagerFallbackConfig() },
  });
}

/** Multi-tenant Alertmanager: receives alerts from the ruler, replicated 3× through its ring. */
export class Alertmanager extends Construct {
  /** Every replica: the ruler notifies all of them via SRV records, the gateway proxies to them. */
  readonly headless: ServiceRef;

  constructor(scope: Construct, id: string, props: MimirComponentProps) {
    super(scope, id);
    const { settings } = props;
    alertmanagerFallbackConfigMap(this, props.context);
    this.headless = headlessService(this, {
      context: props.context,
      component: "alertmanager",
      name: MIMIR_SERVICE_NAMES.alertmanagerHeadless,
      publishNotReadyAddresses: true,
    });
    new MimirWorkload(this, "workload", {
      context: props.context,
      component: "alertmanager",
      kind: "StatefulSet",
      settings,
      serviceName: this.headless.name,
      // Longer than the 5 min idle timeout of the ruler's HTTP client, so Alertmanager never drops it first.
      extraArgs: ["-server.http-idle-timeout=6m"],
      gossipMember: true,
      terminationGracePeriodSeconds: 900,
      readinessInitialDelaySeconds: 45,
      rollout: { type: "RollingUpdate" },
      extraMounts: alertmanagerMounts(props.context),
      podAnnotations: alertmanagerPodAnnotations(props.context),
    });
  }
}
