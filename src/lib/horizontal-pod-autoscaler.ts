import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";
import type { Autoscaling } from "../config/schema.js";

export interface HorizontalPodAutoscalerOptions {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The Deployment or StatefulSet to scale. */
  readonly target: { readonly kind: "Deployment" | "StatefulSet"; readonly name: string };
  readonly autoscaling: Autoscaling;
  /**
   * Seconds of lower recommendations before scaling in; long for components whose pods are
   * expensive to restart.
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
}

/** Plain autoscaling/v2 HPA on CPU (and optionally memory) utilisation of requests. */
export function horizontalPodAutoscaler(
  scope: Construct,
  options: HorizontalPodAutoscalerOptions,
): k8s.KubeHorizontalPodAutoscalerV2 {
  const { autoscaling } = options;
  const metrics: k8s.MetricSpecV2[] = [
    {
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.targetCpuUtilization } },
    },
  ];
  if (autoscaling.targetMemoryUtilization !== undefined) {
    metrics.push({
      type: "Resource",
      resource: {
        name: "memory",
        target: { type: "Utilization", averageUtilization: autoscaling.targetMemoryUtilization },
      },
    });
  }
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, `${options.name}-hpa`, {
    metadata: { name: options.name, labels: options.labels },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: options.target.kind, name: options.target.name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics,
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: options.scaleDownStabilizationSeconds ?? 300,
          policies: [{ type: "Percent", value: 10, periodSeconds: 60 }],
        },
      },
    },
  });
}
