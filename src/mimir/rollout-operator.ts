import { ApiObject } from "cdk8s";
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { IMAGES } from "../lib/images.js";
import { ROLLOUT_OPERATOR_CRDS } from "../../imports/crds/rollout-operator.grafana.com.js";
import { imageTag, selectorLabels, standardLabels } from "../lib/labels.js";
import { podDisruptionBudget } from "../lib/pod-disruption-budget.js";
import { httpProbe } from "../lib/probes.js";
import { resourceRequirements } from "../lib/resources.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";
import { rollingUpdateStrategy } from "../lib/rollout.js";
import { service } from "../lib/service.js";

const CERTIFICATE_SECRET = "certificate";

export interface RolloutOperatorProps {
  readonly namespace: string;
  /** Where the cluster-scoped objects (CRDs, webhook configurations, ClusterRole) go: a chart without a namespace. */
  readonly clusterScope: Construct;
  readonly instance: string;
  /** @default IMAGES.rolloutOperator */
  readonly image?: string;
}

/** Label telling the rollout-operator to write its CA bundle into a webhook configuration. */
const INJECT_CA_LABEL = "grafana.com/inject-rollout-operator-ca";

/** API group of the rollout-operator's custom resources (ZoneAwarePodDisruptionBudget, ReplicaTemplate). */
export const ROLLOUT_OPERATOR_API_GROUP = "rollout-operator.grafana.com";

/**
 * `spec` of a ZoneAwarePodDisruptionBudget (rollout-operator.grafana.com/v1) as rollout-operator v0.34.0 reads it
 * (pkg/zpdb/config.go). An eviction, and every pod deletion of the operator's own rollouts, is allowed only while no
 * other zone has an unavailable pod and the evicted pod's zone stays within the budget.
 */
export interface ZoneAwarePodDisruptionBudgetSpec {
  /** Pods of one zone that may be unavailable at once (0: no voluntary evictions). Upstream's default is 1. */
  readonly maxUnavailable?: number;
  /** The same as a percentage (0–100) of each StatefulSet's replicas; exclusive with maxUnavailable. */
  readonly maxUnavailablePercentage?: number;
  /** Selects both the pods and the StatefulSets (one per zone) the budget covers. */
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  /**
   * Partition mode (ingest storage): a regular expression whose capture group extracts the partition from a pod
   * name; the budget then applies per partition across all zones. Not for the classic architecture.
   */
  readonly podNamePartitionRegex?: string;
  /** Which capture group of podNamePartitionRegex holds the partition (1-based, default 1). */
  readonly podNameRegexGroup?: number;
}

export interface ZoneAwarePodDisruptionBudgetOptions {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly spec: ZoneAwarePodDisruptionBudgetSpec;
}

/**
 * A ZoneAwarePodDisruptionBudget, enforced by the rollout-operator's pod-eviction webhook. Its CRD comes with the
 * RolloutOperator construct, so only create one where the operator is deployed.
 */
export function zoneAwarePodDisruptionBudget(scope: Construct, options: ZoneAwarePodDisruptionBudgetOptions): ApiObject {
  const { spec } = options;
  if (spec.maxUnavailable !== undefined && spec.maxUnavailablePercentage !== undefined) {
    throw new Error(`ZoneAwarePodDisruptionBudget ${options.name}: set maxUnavailable or maxUnavailablePercentage, not both`);
  }
  return new ApiObject(scope, `${options.name}-zpdb`, {
    apiVersion: `${ROLLOUT_OPERATOR_API_GROUP}/v1`,
    kind: "ZoneAwarePodDisruptionBudget",
    metadata: { name: options.name, labels: options.labels },
    spec: {
      maxUnavailable: spec.maxUnavailable,
      maxUnavailablePercentage: spec.maxUnavailablePercentage,
      selector: { matchLabels: { ...spec.selector.matchLabels } },
      podNamePartitionRegex: spec.podNamePartitionRegex,
      podNameRegexGroup: spec.podNameRegexGroup,
    },
  });
}

/** One admission webhook the operator serves on its HTTPS port, registered in a configuration of its own. */
interface OperatorWebhook {
  /** Configuration `<name>-<namespace>`, webhook `<name>-<namespace>.grafana.com`. */
  readonly name: string;
  readonly type: "Validating" | "Mutating";
  /** Handler path on the operator's TLS server (cmd/rollout-operator/main.go, maybeStartTLSServer). */
  readonly path: string;
  readonly rules: k8s.RuleWithOperations[];
  readonly sideEffects: "None" | "NoneOnDryRun";
  readonly matchPolicy?: "Equivalent" | "Exact";
}

const STATEFULSET_DOWNSCALE_RULES: k8s.RuleWithOperations[] = [
  {
    apiGroups: ["apps"],
    apiVersions: ["v1"],
    operations: ["UPDATE"],
    resources: ["statefulsets", "statefulsets/scale"],
    scope: "Namespaced",
  },
];

/**
 * The four webhooks of upstream's deployment. All are served whenever `-server-tls.enabled=true`; v0.34 has no
 * flag per webhook.
 */
const OPERATOR_WEBHOOKS: readonly OperatorWebhook[] = [
  // Refuses downscales of StatefulSets labelled grafana.com/no-downscale.
  { name: "no-downscale", type: "Validating", path: "/admission/no-downscale", rules: STATEFULSET_DOWNSCALE_RULES, sideEffects: "None" },
  // Calls the pods' prepare-shutdown endpoint before a downscale of a grafana.com/prepare-downscale StatefulSet.
  {
    name: "prepare-downscale",
    type: "Mutating",
    path: "/admission/prepare-downscale",
    rules: STATEFULSET_DOWNSCALE_RULES,
    sideEffects: "NoneOnDryRun",
    matchPolicy: "Equivalent",
  },
  // Applies the ZoneAwarePodDisruptionBudgets to evictions (node drains, cluster autoscaler).
  {
    name: "pod-eviction",
    type: "Validating",
    path: "/admission/pod-eviction",
    rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods/eviction"], scope: "Namespaced" }],
    sideEffects: "None",
  },
  // Rejects ZoneAwarePodDisruptionBudgets the operator could not use (it parses them the way its informer does).
  {
    name: "zpdb-validation",
    type: "Validating",
    path: "/admission/zpdb-validation",
    rules: [
      {
        apiGroups: [ROLLOUT_OPERATOR_API_GROUP],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["zoneawarepoddisruptionbudgets"],
        scope: "Namespaced",
      },
    ],
    sideEffects: "None",
  },
];

/**
 * Grafana's rollout-operator: rolls the OnDelete zone StatefulSets (ingester, store-gateway) one
 * zone at a time, waiting for each zone to be ready before touching the next. Its admission
 * webhooks call each ingester/store-gateway's prepare-shutdown endpoint before a downscale and
 * refuse downscales that would lose data; its pod-eviction webhook enforces the
 * ZoneAwarePodDisruptionBudgets (one zone disrupted at a time), whose CRDs it ships. It serves the
 * webhooks with a self-signed certificate it keeps in the Secret `certificate` and injects into the
 * webhook configurations itself.
 */
export class RolloutOperator extends Construct {
  constructor(scope: Construct, id: string, props: RolloutOperatorProps) {
    super(scope, id);
    const image = props.image ?? IMAGES.rolloutOperator;
    const name = "rollout-operator";
    const identity = { app: name, instance: props.instance, component: name, version: imageTag(image) };
    const labels = standardLabels(identity);
    const selector = selectorLabels(identity);

    // The CRDs must exist before the operator starts and before any ZoneAwarePodDisruptionBudget is applied.
    // v0.34 waits, without a timeout, for its ZoneAwarePodDisruptionBudget informer to sync before it starts its
    // webhook server and reports ready (cmd/rollout-operator/main.go: evictionController.Start() runs before
    // maybeStartTLSServer; pkg/zpdb/config_observer.go: WaitForCacheSync). Without the CRD that never happens, and
    // the fail-closed webhooks below then reject every StatefulSet update and pod eviction in the namespace. So the
    // CRDs are the first objects of the cluster-scoped file (`kubectl apply -f` follows file order), and
    // `kubectl kustomize`, Flux and Argo CD all apply CustomResourceDefinitions before other kinds anyway.
    // ReplicaTemplate is not needed at startup; it ships with the operator as upstream does.
    for (const crd of ROLLOUT_OPERATOR_CRDS) {
      new ApiObject(props.clusterScope, `crd-${crd.spec.names.plural}`, {
        apiVersion: crd.apiVersion,
        kind: crd.kind,
        metadata: { name: crd.metadata.name, labels },
        spec: structuredClone(crd.spec),
      });
    }

    new k8s.KubeServiceAccount(this, "sa", { metadata: { name, labels } });
    podDisruptionBudget(this, { name, labels, selector });
    new k8s.KubeRole(this, "role", {
      metadata: { name, labels },
      rules: [
        // Rollouts (informer, delete) and the pod-eviction webhook (pkg/zpdb: pod informer, get and list).
        { apiGroups: [""], resources: ["pods"], verbs: ["list", "get", "watch", "delete"] },
        // Rollouts and downscales; the pod-eviction webhook gets a pod's owner and lists the zones' StatefulSets.
        { apiGroups: ["apps"], resources: ["statefulsets"], verbs: ["list", "get", "watch", "patch"] },
        { apiGroups: ["apps"], resources: ["statefulsets/status"], verbs: ["update"] },
        // The ZoneAwarePodDisruptionBudget informer the operator waits for at startup (pkg/zpdb/config_observer.go).
        // Nothing more is needed for the new webhooks: the operator never calls the eviction API itself, it deletes
        // pods after checking them against the budget, and zpdb-validation only parses the object under review.
        {
          apiGroups: [ROLLOUT_OPERATOR_API_GROUP],
          resources: ["zoneawarepoddisruptionbudgets"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: [ROLLOUT_OPERATOR_API_GROUP],
          resources: ["replicatemplates/scale", "replicatemplates/status"],
          verbs: ["get", "patch"],
        },
        { apiGroups: [""], resources: ["secrets"], resourceNames: [CERTIFICATE_SECRET], verbs: ["get", "update"] },
        { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
      ],
    });
    new k8s.KubeRoleBinding(this, "role-binding", {
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: props.namespace }],
    });
    const clusterName = `${name}-${props.namespace}`;
    new k8s.KubeClusterRole(props.clusterScope, `${clusterName}-webhook-role`, {
      metadata: { name: `${clusterName}-webhook`, labels },
      rules: [
        {
          apiGroups: ["admissionregistration.k8s.io"],
          resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"],
          verbs: ["list", "patch", "watch"],
        },
      ],
    });
    new k8s.KubeClusterRoleBinding(props.clusterScope, `${clusterName}-webhook-binding`, {
      metadata: { name: `${clusterName}-webhook`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${clusterName}-webhook` },
      subjects: [{ kind: "ServiceAccount", name, namespace: props.namespace }],
    });
    const webhookLabels = { ...labels, [INJECT_CA_LABEL]: "true", "grafana.com/namespace": props.namespace };
    for (const hook of OPERATOR_WEBHOOKS) {
      const configName = `${hook.name}-${props.namespace}`;
      const metadata = { name: configName, labels: webhookLabels };
      const webhooks = [
        {
          name: `${configName}.grafana.com`,
          admissionReviewVersions: ["v1"],
          clientConfig: { service: { name, namespace: props.namespace, port: 443, path: hook.path } },
          // Fail closed, as upstream: an unanswered webhook must not let an unsafe downscale or eviction through.
          failurePolicy: "Fail",
          matchPolicy: hook.matchPolicy,
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": props.namespace } },
          rules: hook.rules,
          sideEffects: hook.sideEffects,
          timeoutSeconds: 10,
        },
      ];
      if (hook.type === "Mutating") new k8s.KubeMutatingWebhookConfiguration(props.clusterScope, configName, { metadata, webhooks });
      else new k8s.KubeValidatingWebhookConfiguration(props.clusterScope, configName, { metadata, webhooks });
    }
    service(this, {
      name,
      labels,
      selector,
      ports: [{ name: "https", port: 443, targetPort: "https" }],
    });

    new k8s.KubeDeployment(this, "deployment", {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        minReadySeconds: 10,
        selector: { matchLabels: selector },
        strategy: rollingUpdateStrategy(0, 1),
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            securityContext: restrictedPodSecurityContext(),
            containers: [
              {
                name,
                image,
                imagePullPolicy: "IfNotPresent",
                args: [
                  `-kubernetes.namespace=${props.namespace}`,
                  "-server-tls.enabled=true",
                  `-server-tls.self-signed-cert.secret-name=${CERTIFICATE_SECRET}`,
                  `-server-tls.self-signed-cert.dns-name=${name}.${props.namespace}.svc`,
                ],
                ports: [
                  { name: "http-metrics", containerPort: 8001, protocol: "TCP" },
                  { name: "https", containerPort: 8443, protocol: "TCP" },
                ],
                readinessProbe: httpProbe({ path: "/ready", port: "http-metrics", initialDelaySeconds: 5, timeoutSeconds: 5 }),
                resources: resourceRequirements({ requests: { cpu: "100m", memory: "100Mi" }, limits: { memory: "200Mi" } }),
                securityContext: restrictedContainerSecurityContext(),
              },
            ],
          },
        },
      },
    });
  }
}
