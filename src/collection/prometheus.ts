import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import {
  Prometheus,
  PrometheusSpecLogFormat,
  PrometheusSpecResourcesLimits,
  PrometheusSpecResourcesRequests,
  PrometheusSpecServiceDiscoveryRole,
  type PrometheusSpec,
  type PrometheusSpecRemoteWriteTlsConfig,
  type PrometheusSpecScrapeClasses,
} from "../../imports/monitoring.coreos.com.js";
import { PrometheusAgent, type PrometheusAgentSpec } from "../../imports/monitoring.coreos.com.js";
import type { PrometheusSettings } from "../config/collection-schema.js";
import type { Resources } from "../config/schema.js";
import { externalSecret, type SecretStoreRef } from "../lib/external-secret.js";
import { IMAGES } from "../lib/images.js";
import { DEV_ONLY_LABEL, imageTag } from "../lib/labels.js";
import { podDisruptionBudget } from "../lib/pod-disruption-budget.js";
import { TLS_SECRET_KEYS } from "../lib/mtls.js";
import { mergeResources } from "../lib/resources.js";
import { restrictedPodSecurityContext } from "../lib/security.js";
import { HA_REPLICA_LABEL } from "./ha.js";
import { clusterReader } from "./rbac.js";
import { ENABLED_LABEL, RECORDING_RULE_SELECTOR, relabelings, type Relabel } from "./policy.js";
import { spreadConstraints } from "../lib/scheduling.js";

/** uid/gid `nobody`, which the Prometheus image runs as. */
export const PROMETHEUS_UID = 65534;

export const PROMETHEUS_DEFAULT_RESOURCES: Resources = {
  requests: { cpu: "500m", memory: "2Gi" },
  limits: { memory: "4Gi" },
};

/** Pod labels the operator puts on every pod of a Prometheus/PrometheusAgent (prometheus-operator makeSelectorLabels). */
export function operatorPodSelector(name: string): Record<string, string> {
  return { "operator.prometheus.io/name": name };
}

/** Where the shards send their samples and how they authenticate. */
export type RemoteWriteTarget =
  | {
      readonly kind: "gateway";
      /** The gateway's `/api/v1/push` (https when the gateway serves TLS). */
      readonly url: string;
      /** mTLS: the cert-manager Secret of the shards' client certificate (tls.crt, tls.key, ca.crt); absent: plaintext. */
      readonly clientTls?: { readonly secretName: string };
      /** Secret (created here) holding the bearer token of the tenant the shards write as. */
      readonly token:
        | { readonly kind: "secretStore"; readonly store: SecretStoreRef; readonly remoteKey: string; readonly property?: string }
        | { readonly kind: "devOnly"; readonly value: string };
    }
  | {
      /** Amazon Managed Prometheus: SigV4 with the credentials of the IRSA role on the ServiceAccount. */
      readonly kind: "amp";
      readonly url: string;
      readonly region: string;
      readonly roleArn: string;
    };

export interface CollectionPrometheusProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly settings: PrometheusSettings;
  readonly externalLabels: Record<string, string>;
  readonly remoteWrite: RemoteWriteTarget;
  /** Interval of targets without a class, also rule evaluation. */
  readonly scrapeInterval: string;
  readonly scrapeTimeout: string;
  /** Relabelings of the default scrape class (the labeling policy), applied to every monitor. */
  readonly policy: readonly Relabel[];
}

/** Object names, stable for runbooks. */
export const PROMETHEUS_NAMES = {
  serviceAccount: "prometheus",
  tokenSecret: "prometheus-remote-write-token",
  tokenKey: "token",
  scrapeClass: "platform-policy",
} as const;

/**
 * The platform's scraping Prometheus as a Prometheus Operator custom resource: `shards` x `replicas`
 * pods (the operator renders the StatefulSets), forwarding everything to the gateway with the default
 * tenant's token, plus its ServiceAccount, the token Secret and a PDB over all its pods. RBAC lives in
 * the cluster chart (see discoveryRbac).
 */
export class CollectionPrometheus extends Construct {
  constructor(scope: Construct, id: string, props: CollectionPrometheusProps) {
    super(scope, id);
    const { settings, labels } = props;

    new k8s.KubeServiceAccount(this, "service-account", {
      metadata: {
        name: PROMETHEUS_NAMES.serviceAccount,
        labels,
        annotations: props.remoteWrite.kind === "amp" ? { "eks.amazonaws.com/role-arn": props.remoteWrite.roleArn } : undefined,
      },
      // Prometheus reads the Kubernetes API for service discovery with this account's token.
      automountServiceAccountToken: true,
    });
    this.tokenSecret(props);

    const resources = mergeResources(PROMETHEUS_DEFAULT_RESOURCES, settings.resources);
    const scrapeClass: PrometheusSpecScrapeClasses = {
      name: PROMETHEUS_NAMES.scrapeClass,
      default: true,
      relabelings: relabelings(props.policy),
    };
    const opensIn = { matchLabels: { [ENABLED_LABEL]: "true" } };
    const common = {
      image: IMAGES.prometheus,
      version: imageTag(IMAGES.prometheus),
      shards: settings.shards,
      replicas: settings.replicas,
      serviceAccountName: PROMETHEUS_NAMES.serviceAccount,
      // The operator sets name, instance and managed-by on its pods itself (reserved keys).
      podMetadata: { labels: { "app.kubernetes.io/component": labels["app.kubernetes.io/component"] ?? "prometheus" } },
      securityContext: restrictedPodSecurityContext(PROMETHEUS_UID) as PrometheusSpec["securityContext"],
      resources: {
        requests: {
          cpu: PrometheusSpecResourcesRequests.fromString(resources.requests.cpu),
          memory: PrometheusSpecResourcesRequests.fromString(resources.requests.memory),
        },
        limits: resources.limits?.memory ? { memory: PrometheusSpecResourcesLimits.fromString(resources.limits.memory) } : undefined,
      },
      logFormat: PrometheusSpecLogFormat.JSON,
      scrapeInterval: props.scrapeInterval,
      scrapeTimeout: props.scrapeTimeout,
      // Endpoint discovery through EndpointSlices (the RBAC grants no more than that needs).
      serviceDiscoveryRole: PrometheusSpecServiceDiscoveryRole.ENDPOINT_SLICE,
      externalLabels: props.externalLabels,
      // The operator's `prometheus: <namespace>/<name>` label is the same on every shard and useless as
      // an HA cluster; the shard label in externalLabels replaces it (see ha.ts).
      prometheusExternalLabelName: "",
      replicaExternalLabelName: HA_REPLICA_LABEL,
      scrapeClasses: [scrapeClass],
      // Monitors and probes of every namespace that opted in; all of them, whatever their labels.
      serviceMonitorSelector: {},
      serviceMonitorNamespaceSelector: opensIn,
      podMonitorSelector: {},
      podMonitorNamespaceSelector: opensIn,
      probeSelector: {},
      probeNamespaceSelector: opensIn,
      scrapeConfigSelector: {},
      scrapeConfigNamespaceSelector: opensIn,
      remoteWrite: [
        {
          name: props.remoteWrite.kind,
          url: props.remoteWrite.url,
          authorization:
            props.remoteWrite.kind === "gateway"
              ? { type: "Bearer", credentials: { name: PROMETHEUS_NAMES.tokenSecret, key: PROMETHEUS_NAMES.tokenKey } }
              : undefined,
          tlsConfig: remoteWriteTls(props.remoteWrite),
          // IRSA: the AWS SDK default chain picks up the role from the ServiceAccount's web identity token.
          sigv4: props.remoteWrite.kind === "amp" ? { region: props.remoteWrite.region } : undefined,
          queueConfig: {
            capacity: settings.queue.capacity,
            minShards: settings.queue.minShards,
            maxShards: settings.queue.maxShards,
            maxSamplesPerSend: settings.queue.maxSamplesPerSend,
            batchSendDeadline: settings.queue.batchSendDeadline,
            // 429 from the gateway or Mimir: back off and retry instead of dropping samples.
            retryOnRateLimit: true,
          },
          sendExemplars: true,
        },
      ],
      topologySpreadConstraints: spreadConstraints(operatorPodSelector(props.name)),
    } satisfies Partial<PrometheusSpec>;

    if (settings.kind === "Prometheus") {
      new Prometheus(this, "prometheus", {
        metadata: { name: props.name, labels },
        spec: {
          ...common,
          retention: settings.retention ?? "6h",
          evaluationInterval: props.scrapeInterval,
          // Shards evaluate recording rules only; alerting lives in the Mimir ruler.
          ruleSelector: { matchLabels: RECORDING_RULE_SELECTOR },
          ruleNamespaceSelector: opensIn,
          // The shards only forward: no Alertmanager, and the WAL in an emptyDir bridges short outages.
        } as PrometheusSpec,
      });
    } else {
      new PrometheusAgent(this, "prometheus-agent", {
        metadata: { name: props.name, labels },
        // Same fields (CommonPrometheusFields); the generated types differ only in their enum names.
        spec: common as unknown as PrometheusAgentSpec,
      });
    }

    if (settings.shards * settings.replicas > 1) {
      podDisruptionBudget(this, { name: `prometheus-${props.name}`, labels, selector: operatorPodSelector(props.name), maxUnavailable: 1 });
    }
  }

  private tokenSecret(props: CollectionPrometheusProps): void {
    if (props.remoteWrite.kind !== "gateway") return;
    const { token } = props.remoteWrite;
    if (token.kind === "devOnly") {
      new k8s.KubeSecret(this, "token-dev-only", {
        metadata: {
          name: PROMETHEUS_NAMES.tokenSecret,
          labels: { ...props.labels, [DEV_ONLY_LABEL]: "true" },
          annotations: {
            [DEV_ONLY_LABEL]: "DEV ONLY: the local gateway's plaintext token of the default tenant (gateway.devOnlyTokens). Never use it anywhere else.",
          },
        },
        type: "Opaque",
        stringData: { [PROMETHEUS_NAMES.tokenKey]: token.value },
      });
      return;
    }
    externalSecret(this, {
      name: PROMETHEUS_NAMES.tokenSecret,
      labels: props.labels,
      secretStore: token.store,
      values: [{ secretKey: PROMETHEUS_NAMES.tokenKey, remoteKey: token.remoteKey, property: token.property }],
    });
  }
}

/**
 * mTLS to the gateway: the client certificate and the CA that signed the gateway's certificate, from the
 * cert-manager Secret (the operator copies them into the pods' tls-assets; Prometheus re-reads them, so
 * renewals need no restart). The server name is the URL's host, one of the gateway certificate's DNS names.
 */
function remoteWriteTls(target: RemoteWriteTarget): PrometheusSpecRemoteWriteTlsConfig | undefined {
  if (target.kind !== "gateway" || !target.clientTls) return undefined;
  const name = target.clientTls.secretName;
  return {
    ca: { secret: { name, key: TLS_SECRET_KEYS.ca } },
    cert: { secret: { name, key: TLS_SECRET_KEYS.certificate } },
    keySecret: { name, key: TLS_SECRET_KEYS.privateKey },
  };
}

/**
 * Read-only discovery permissions for the Prometheus ServiceAccount, cluster-wide (monitors may live
 * in any opted-in namespace): exactly the objects Kubernetes service discovery lists and watches.
 */
export function discoveryRbac(scope: Construct, options: { name: string; namespace: string; labels: Record<string, string> }): void {
  const verbs = ["get", "list", "watch"];
  clusterReader(scope, {
    name: options.name,
    labels: options.labels,
    rules: [
      // Pod monitors discover pods; service monitors read Services and their EndpointSlices.
      { apiGroups: [""], resources: ["pods", "services"], verbs },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs },
    ],
    serviceAccount: { name: PROMETHEUS_NAMES.serviceAccount, namespace: options.namespace },
  });
}
