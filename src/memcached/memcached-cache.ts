import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { imageTag, selectorLabels, standardLabels } from "../lib/labels.js";
import { httpProbe } from "../lib/probes.js";
import { podDisruptionBudget } from "../lib/pod-disruption-budget.js";
import { resourceRequirements } from "../lib/resources.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";
import { IMAGES } from "../lib/images.js";
import { service } from "../lib/service.js";
import type { ServiceRef } from "../lib/service-ref.js";

export const MEMCACHED_PORT = 11211;
export const MEMCACHED_EXPORTER_PORT = 9150;

export interface MemcachedCacheProps {
  /** Object name and `app.kubernetes.io/component`, e.g. `chunks-cache`. */
  readonly name: string;
  readonly instance: string;
  readonly replicas: number;
  /** Item memory per pod (`-m`, MiB). */
  readonly memoryMb: number;
  /** Largest item (`-I`, MiB); Mimir's max_item_size must equal this in bytes. */
  readonly maxItemMb: number;
  /** `-c`: simultaneous connections. */
  readonly connectionLimit: number;
}

/**
 * One memcached cluster: StatefulSet (stable pod DNS; Mimir shards keys over every pod it resolves
 * through the headless Service), a memcached-exporter sidecar on :9150, and a PDB.
 */
export class MemcachedCache extends Construct {
  /** Headless: Mimir resolves every pod and shards keys over them client-side. */
  readonly service: ServiceRef;
  readonly maxItemSizeBytes: number;

  constructor(scope: Construct, id: string, props: MemcachedCacheProps) {
    super(scope, id);
    const image = IMAGES.memcached;
    const exporterImage = IMAGES.memcachedExporter;
    const identity = { app: "memcached", instance: props.instance, component: props.name, version: imageTag(image) };
    const selector = selectorLabels(identity);
    const labels = standardLabels(identity);
    this.maxItemSizeBytes = props.maxItemMb * 1024 * 1024;

    // Memory request = limit = item memory + 20% for connections and slab overhead (as upstream sizes it).
    const memoryMi = Math.round(props.memoryMb * 1.2);
    new k8s.KubeStatefulSet(this, "statefulset", {
      metadata: { name: props.name, labels },
      spec: {
        replicas: props.replicas,
        serviceName: props.name,
        podManagementPolicy: "Parallel",
        revisionHistoryLimit: 10,
        selector: { matchLabels: selector },
        updateStrategy: { type: "RollingUpdate" },
        template: {
          metadata: { labels },
          spec: {
            securityContext: restrictedPodSecurityContext(),
            terminationGracePeriodSeconds: 30,
            automountServiceAccountToken: false,
            containers: [
              {
                name: "memcached",
                image,
                imagePullPolicy: "IfNotPresent",
                args: [
                  `-m ${props.memoryMb}`,
                  "--extended=modern",
                  `-I ${props.maxItemMb}m`,
                  `-c ${props.connectionLimit}`,
                  "-v",
                  `-u ${MEMCACHED_PORT}`,
                ],
                ports: [{ name: "client", containerPort: MEMCACHED_PORT, protocol: "TCP" }],
                readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString("client") }, periodSeconds: 10, timeoutSeconds: 1 },
                resources: resourceRequirements({
                  requests: { cpu: "500m", memory: `${memoryMi}Mi` },
                  limits: { memory: `${memoryMi}Mi` },
                }),
                securityContext: restrictedContainerSecurityContext(),
              },
              {
                name: "exporter",
                image: exporterImage,
                imagePullPolicy: "IfNotPresent",
                args: [`--memcached.address=localhost:${MEMCACHED_PORT}`, `--web.listen-address=0.0.0.0:${MEMCACHED_EXPORTER_PORT}`],
                ports: [{ name: "http-metrics", containerPort: MEMCACHED_EXPORTER_PORT, protocol: "TCP" }],
                readinessProbe: httpProbe({ path: "/metrics", port: "http-metrics", timeoutSeconds: 5 }),
                resources: resourceRequirements({ requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } }),
                securityContext: restrictedContainerSecurityContext(),
              },
            ],
          },
        },
      },
    });
    this.service = service(this, {
      name: props.name,
      labels,
      selector,
      headless: true,
      ports: [
        { name: "memcached-client", port: MEMCACHED_PORT, targetPort: "client" },
        { name: "http-metrics", port: MEMCACHED_EXPORTER_PORT, targetPort: "http-metrics" },
      ],
    });
    podDisruptionBudget(this, { name: props.name, labels, selector });
  }
}
