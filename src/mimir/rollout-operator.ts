import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
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
  /** Where the cluster-scoped objects (webhook configurations, ClusterRole) go: a chart without a namespace. */
  readonly clusterScope: Construct;
  readonly instance: string;
  /** @default "grafana/rollout-operator:v0.34.0" */
  readonly image?: string;
}

/** Label telling the rollout-operator to write its CA bundle into a webhook configuration. */
const INJECT_CA_LABEL = "grafana.com/inject-rollout-operator-ca";

/**
 * Grafana's rollout-operator: rolls the OnDelete zone StatefulSets (ingester, store-gateway) one
 * zone at a time, waiting for each zone to be ready before touching the next. Its admission
 * webhooks call each ingester/store-gateway's prepare-shutdown endpoint before a downscale and
 * refuse downscales that would lose data. It serves them with a self-signed certificate it keeps
 * in the Secret `certificate` and injects into the webhook configurations itself.
 */
export class RolloutOperator extends Construct {
  constructor(scope: Construct, id: string, props: RolloutOperatorProps) {
    super(scope, id);
    const image = props.image ?? "grafana/rollout-operator:v0.34.0";
    const name = "rollout-operator";
    const identity = { app: name, instance: props.instance, component: name, version: imageTag(image) };
    const labels = standardLabels(identity);
    const selector = selectorLabels(identity);

    new k8s.KubeServiceAccount(this, "sa", { metadata: { name, labels } });
    podDisruptionBudget(this, { name, labels, selector });
    new k8s.KubeRole(this, "role", {
      metadata: { name, labels },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["list", "get", "watch", "delete"] },
        { apiGroups: ["apps"], resources: ["statefulsets"], verbs: ["list", "get", "watch", "patch"] },
        { apiGroups: ["apps"], resources: ["statefulsets/status"], verbs: ["update"] },
        {
          apiGroups: ["rollout-operator.grafana.com"],
          resources: ["zoneawarepoddisruptionbudgets"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["rollout-operator.grafana.com"],
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
    const webhookCommon = {
      admissionReviewVersions: ["v1"],
      clientConfig: { service: { name, namespace: props.namespace, port: 443 } },
      failurePolicy: "Fail",
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": props.namespace } },
      timeoutSeconds: 10,
    };
    const downscaleRules = [
      {
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        operations: ["UPDATE"],
        resources: ["statefulsets", "statefulsets/scale"],
        scope: "Namespaced",
      },
    ];
    const webhookLabels = { ...labels, [INJECT_CA_LABEL]: "true", "grafana.com/namespace": props.namespace };
    new k8s.KubeValidatingWebhookConfiguration(props.clusterScope, `no-downscale-${props.namespace}`, {
      metadata: { name: `no-downscale-${props.namespace}`, labels: webhookLabels },
      webhooks: [
        {
          ...webhookCommon,
          name: `no-downscale-${props.namespace}.grafana.com`,
          clientConfig: { service: { ...webhookCommon.clientConfig.service, path: "/admission/no-downscale" } },
          rules: downscaleRules,
          sideEffects: "None",
        },
      ],
    });
    new k8s.KubeMutatingWebhookConfiguration(props.clusterScope, `prepare-downscale-${props.namespace}`, {
      metadata: { name: `prepare-downscale-${props.namespace}`, labels: webhookLabels },
      webhooks: [
        {
          ...webhookCommon,
          name: `prepare-downscale-${props.namespace}.grafana.com`,
          clientConfig: { service: { ...webhookCommon.clientConfig.service, path: "/admission/prepare-downscale" } },
          rules: downscaleRules,
          sideEffects: "NoneOnDryRun",
          matchPolicy: "Equivalent",
        },
      ],
    });
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
