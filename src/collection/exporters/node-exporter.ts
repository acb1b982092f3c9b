import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";
import { PodMonitor, type PodMonitorSpecPodMetricsEndpointsRelabelings } from "../../../imports/monitoring.coreos.com.js";
import type { CollectionSettings } from "../../config/collection-schema.js";
import { IMAGES } from "../../lib/images.js";
import { imageTag, selectorLabels, standardLabels } from "../../lib/labels.js";
import { httpProbe } from "../../lib/probes.js";
import { mergeResources, resourceRequirements } from "../../lib/resources.js";
import { restrictedContainerSecurityContext } from "../../lib/security.js";
import { jobNamed, METRICS_PORT } from "../monitors.js";
import { ENABLED_LABEL, relabelings } from "../policy.js";
import { NOBODY } from "./workload.js";

export const NODE_EXPORTER_PORT = 9100;

/** Why node-exporter gets host access (also written on the DaemonSet). */
export const NODE_EXPORTER_HOST_ACCESS =
  "hostNetwork: the node's own network interfaces and a stable node address (a pod network namespace would report the pod's). " +
  "Read-only hostPath mounts of /proc, /sys and / (at /host/*): the node's CPU, memory, disk and filesystem statistics. " +
  "Nothing else: no hostPID, no privileged mode, no capabilities, non-root, read-only root filesystem. " +
  "Pod Security restricted (and baseline) forbid hostNetwork and hostPath, so it runs in its own namespace.";

/** Namespace of node-exporter: the platform namespace enforces "restricted", which it cannot meet. */
export function nodeExporterNamespace(platformNamespace: string): string {
  return `${platformNamespace}-node-exporter`;
}

/** node-exporter DaemonSet on every node, in its own namespace, with its PodMonitor. */
export function nodeExporter(scope: Construct, clusterScope: Construct, options: { instance: string; platformNamespace: string; settings: CollectionSettings }): void {
  const namespace = nodeExporterNamespace(options.platformNamespace);
  const identity = { app: "node-exporter", instance: options.instance, component: "node-exporter", version: imageTag(IMAGES.nodeExporter) };
  const labels = standardLabels(identity);
  const selector = selectorLabels(identity);
  new k8s.KubeNamespace(clusterScope, "node-exporter-namespace", {
    metadata: {
      name: namespace,
      labels: {
        "app.kubernetes.io/managed-by": labels["app.kubernetes.io/managed-by"]!,
        // hostNetwork + hostPath: only the "privileged" level admits them; warn/audit at baseline keep
        // anything beyond node-exporter's needs visible.
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/warn": "baseline",
        "pod-security.kubernetes.io/audit": "baseline",
        [ENABLED_LABEL]: "true",
      },
      annotations: { "observability-platform/host-access": NODE_EXPORTER_HOST_ACCESS },
    },
  });
  new k8s.KubeServiceAccount(scope, "node-exporter-service-account", {
    metadata: { name: "node-exporter", namespace, labels },
    automountServiceAccountToken: false,
  });
  const hostMounts = [
    { name: "proc", host: "/proc", at: "/host/proc" },
    { name: "sys", host: "/sys", at: "/host/sys" },
    { name: "root", host: "/", at: "/host/root" },
  ];
  const probe = (failureThreshold: number) => httpProbe({ path: "/", port: METRICS_PORT, timeoutSeconds: 2, failureThreshold });
  new k8s.KubeDaemonSet(scope, "node-exporter-daemon-set", {
    metadata: { name: "node-exporter", namespace, labels, annotations: { "observability-platform/host-access": NODE_EXPORTER_HOST_ACCESS } },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString("10%") } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: "node-exporter",
          automountServiceAccountToken: false,
          hostNetwork: true,
          dnsPolicy: "ClusterFirstWithHostNet",
          // Every node, whatever its taints.
          tolerations: [{ operator: "Exists" }],
          securityContext: { runAsUser: NOBODY, runAsGroup: NOBODY, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "node-exporter",
              image: IMAGES.nodeExporter,
              imagePullPolicy: "IfNotPresent",
              args: [
                "--path.procfs=/host/proc",
                "--path.sysfs=/host/sys",
                "--path.rootfs=/host/root",
                `--web.listen-address=:${NODE_EXPORTER_PORT}`,
                "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
              ],
              ports: [{ name: METRICS_PORT, containerPort: NODE_EXPORTER_PORT, protocol: "TCP" }],
              readinessProbe: probe(3),
              livenessProbe: probe(6),
              resources: resourceRequirements(
                mergeResources({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } }, options.settings.exporters.nodeExporter.resources),
              ),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: hostMounts.map((m) => ({
                name: m.name,
                mountPath: m.at,
                readOnly: true,
                mountPropagation: m.name === "root" ? "HostToContainer" : undefined,
              })),
            },
          ],
          volumes: hostMounts.map((m) => ({ name: m.name, hostPath: { path: m.host, type: "Directory" } })),
        },
      },
    },
  });
  new PodMonitor(scope, "node-exporter-monitor", {
    metadata: { name: "node-exporter", namespace, labels },
    spec: {
      selector: { matchLabels: selector },
      podMetricsEndpoints: [
        {
          port: METRICS_PORT,
          path: "/metrics",
          relabelings: relabelings<PodMonitorSpecPodMetricsEndpointsRelabelings>([
            jobNamed("node-exporter"),
            // One target per node: the node name is the instance.
            { action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "instance" },
          ]),
        },
      ],
    },
  });
}
