import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { imageTag, selectorLabels, standardLabels } from "../lib/labels.js";
import { httpProbe } from "../lib/probes.js";
import { resourceRequirements } from "../lib/resources.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";

export interface RolloutOperatorProps {
  readonly namespace: string;
  readonly instance: string;
  /** @default "grafana/rollout-operator:v0.34.0" */
  readonly image?: string;
}

/**
 * Grafana's rollout-operator: rolls the OnDelete zone StatefulSets (ingester, store-gateway) one
 * zone at a time, waiting for each zone to be ready before touching the next.
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
    new k8s.KubeRole(this, "role", {
      metadata: { name, labels },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["list", "get", "watch", "delete"] },
        { apiGroups: ["apps"], resources: ["statefulsets"], verbs: ["list", "get", "watch", "patch"] },
        { apiGroups: ["apps"], resources: ["statefulsets/status"], verbs: ["update"] },
      ],
    });
    new k8s.KubeRoleBinding(this, "role-binding", {
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: props.namespace }],
    });
    new k8s.KubeDeployment(this, "deployment", {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        minReadySeconds: 10,
        selector: { matchLabels: selector },
        strategy: {
          type: "RollingUpdate",
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) },
        },
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
                args: [`-kubernetes.namespace=${props.namespace}`],
                ports: [{ name: "http-metrics", containerPort: 8001, protocol: "TCP" }],
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
