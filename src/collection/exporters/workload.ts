import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";
import type { Resources } from "../../config/schema.js";
import { imageTag, selectorLabels, standardLabels } from "../../lib/labels.js";
import { podDisruptionBudget } from "../../lib/pod-disruption-budget.js";
import { httpProbe } from "../../lib/probes.js";
import { mergeResources, resourceRequirements } from "../../lib/resources.js";
import { rollingUpdateStrategy } from "../../lib/rollout.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../lib/security.js";
import { service } from "../../lib/service.js";
import type { ServiceRef } from "../../lib/service-ref.js";
import { METRICS_PORT } from "../monitors.js";
import { spreadConstraints } from "../../lib/scheduling.js";

/** uid/gid `nobody`, which the prom/* and otel images run as. */
export const NOBODY = 65534;

export interface ExporterOptions {
  /** Component name: object names, `app.kubernetes.io/component` and the `job` label. */
  readonly name: string;
  readonly instance: string;
  readonly image: string;
  readonly args?: readonly string[];
  readonly env?: readonly k8s.EnvVar[];
  /** Port of /metrics (container port `http-metrics`). */
  readonly metricsPort: number;
  /** Other ports, also exposed on the Service. */
  readonly ports?: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  /** Readiness/liveness path. */
  readonly healthPath: string;
  /** Named port of healthPath. @default the metrics port */
  readonly healthPort?: string;
  readonly replicas: number;
  readonly defaultResources: Resources;
  readonly resources?: Resources;
  readonly volumes?: readonly k8s.Volume[];
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** Mount the ServiceAccount token (only for exporters that read the Kubernetes API). @default false */
  readonly apiAccess?: boolean;
  /** Annotations of the pod template (config hashes). */
  readonly podAnnotations?: Record<string, string>;
}

export interface Exporter {
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly service: ServiceRef;
  readonly serviceAccount: string;
}

/**
 * A stateless exporter: ServiceAccount, Deployment (restricted security context, requests and a
 * memory limit), ClusterIP Service and, with more than one replica, a PDB. Its pods carry the
 * platform labels and serve /metrics on `http-metrics`, so the platform-components PodMonitor
 * scrapes them (unless a dedicated monitor is needed, see monitors.ts).
 */
export function exporterDeployment(scope: Construct, options: ExporterOptions): Exporter {
  const identity = { app: options.name, instance: options.instance, component: options.name, version: imageTag(options.image) };
  const labels = standardLabels(identity);
  const selector = selectorLabels(identity);
  const apiAccess = options.apiAccess ?? false;
  new k8s.KubeServiceAccount(scope, `${options.name}-service-account`, {
    metadata: { name: options.name, labels },
    automountServiceAccountToken: apiAccess,
  });
  const ports = [{ name: METRICS_PORT, containerPort: options.metricsPort }, ...(options.ports ?? [])];
  const probe = (failureThreshold: number) => httpProbe({ path: options.healthPath, port: options.healthPort ?? METRICS_PORT, timeoutSeconds: 2, failureThreshold });
  new k8s.KubeDeployment(scope, `${options.name}-deployment`, {
    metadata: { name: options.name, labels },
    spec: {
      replicas: options.replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: selector },
      strategy: rollingUpdateStrategy(1, 0),
      template: {
        metadata: { labels, annotations: options.podAnnotations },
        spec: {
          serviceAccountName: options.name,
          automountServiceAccountToken: apiAccess,
          securityContext: restrictedPodSecurityContext(NOBODY),
          topologySpreadConstraints: spreadConstraints(selector),
          containers: [
            {
              name: options.name,
              image: options.image,
              imagePullPolicy: "IfNotPresent",
              args: options.args ? [...options.args] : undefined,
              env: options.env ? [...options.env] : undefined,
              ports: ports.map((port) => ({ ...port, protocol: "TCP" })),
              readinessProbe: probe(3),
              livenessProbe: probe(6),
              resources: resourceRequirements(mergeResources(options.defaultResources, options.resources)),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: options.volumeMounts ? [...options.volumeMounts] : undefined,
            },
          ],
          volumes: options.volumes ? [...options.volumes] : undefined,
        },
      },
    },
  });
  const serviceRef = service(scope, {
    name: options.name,
    labels,
    selector,
    ports: ports.map((port) => ({ name: port.name, port: port.containerPort, targetPort: port.name })),
  });
  // Every workload has a PDB (maxUnavailable 1: with one replica it documents intent and never blocks a drain).
  podDisruptionBudget(scope, { name: options.name, labels, selector, maxUnavailable: 1 });
  return { labels, selector, service: serviceRef, serviceAccount: options.name };
}
