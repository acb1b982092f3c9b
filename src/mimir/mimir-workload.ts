import { Lazy } from "cdk8s";
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import type { ResolvedSettings } from "./component-settings.js";
import { CONFIG_HASH_ANNOTATION } from "../lib/config-hash.js";
import { horizontalPodAutoscaler } from "../lib/horizontal-pod-autoscaler.js";
import { podDisruptionBudget } from "../lib/pod-disruption-budget.js";
import { imageTag, selectorLabels, standardLabels, type WorkloadIdentity } from "../lib/labels.js";
import { httpProbe } from "../lib/probes.js";
import { rollingUpdateStrategy, statefulSetRollingUpdate } from "../lib/rollout.js";
import { resourceRequirements } from "../lib/resources.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";
import { service } from "../lib/service.js";
import type { ServiceRef } from "../lib/service-ref.js";
import { MIMIR_PATHS, MIMIR_PORTS, type MimirContext, type MimirZone } from "./context.js";
import { spreadConstraints } from "../lib/scheduling.js";

/** How a workload is rolled out (StatefulSets have no surge). */
export type Rollout =
  | { readonly type: "RollingUpdate"; readonly maxSurge?: string | number; readonly maxUnavailable?: string | number }
  | { readonly type: "OnDelete" };

/** An extra volume mounted into the Mimir container. */
export interface ExtraMount {
  readonly volume: k8s.Volume;
  readonly mountPath: string;
  readonly subPath?: string;
}

export interface MimirWorkloadProps {
  readonly context: MimirContext;
  /** Component name: `-target`, container name and `app.kubernetes.io/component`. */
  readonly component: string;
  /** Value of -target. @default component */
  readonly target?: string;
  /** Object name of the workload. @default component */
  readonly name?: string;
  readonly kind: "Deployment" | "StatefulSet";
  /** Replicas, resources, disk and HPA, with the component's defaults applied. */
  readonly settings: ResolvedSettings;
  /** Flags beyond -target/-config.*, in order. */
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Secrets whose keys become env vars (referenced from mimir.yaml via -config.expand-env). */
  readonly envFromSecrets?: readonly string[];
  /** Joins the memberlist gossip ring (exposes 7946 and carries the part-of label). */
  readonly gossipMember: boolean;
  readonly terminationGracePeriodSeconds: number;
  readonly readinessInitialDelaySeconds: number;
  /** Also probe liveness on /ready (only the overrides-exporter does). @default false */
  readonly livenessProbe?: boolean;
  readonly rollout: Rollout;
  /** StatefulSet pod management. @default "OrderedReady" */
  readonly podManagementPolicy?: "OrderedReady" | "Parallel";
  /** StatefulSet governing Service. @default name */
  readonly serviceName?: string;
  /** Zone of a zone-aware StatefulSet: adds rollout-group/zone labels and pins pods to the AWS zone. */
  readonly zone?: MimirZone;
  /** Extra labels/annotations on the workload object (e.g. rollout-operator conventions). */
  readonly workloadLabels?: Readonly<Record<string, string>>;
  readonly workloadAnnotations?: Readonly<Record<string, string>>;
  /** Extra pod-template annotations (e.g. a hash of another file the pod reads, so a change rolls it). */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  readonly extraMounts?: readonly ExtraMount[];
  /** Create a ClusterIP Service named like the workload, for scraping and HTTP access. @default true */
  readonly clusterIpService?: boolean;
  /** Ports of that Service. @default http-metrics and grpc */
  readonly servicePorts?: ReadonlyArray<"http-metrics" | "grpc">;
  /** Give this workload its own PDB (zone-aware components share one instead). @default true */
  readonly podDisruptionBudget?: boolean;
}

/**
 * One Mimir Deployment or StatefulSet with everything the upstream deployment gives it: shared
 * config and runtime-config mounts, restricted security contexts, /ready readiness probe,
 * hostname spreading, and its ClusterIP Service.
 */
export class MimirWorkload extends Construct {
  readonly name: string;
  readonly identity: WorkloadIdentity;
  /** The ClusterIP Service named like the workload, when it has one. */
  readonly service?: ServiceRef;

  constructor(scope: Construct, id: string, props: MimirWorkloadProps) {
    super(scope, id);
    const { context } = props;
    // settings.storage: persistent /data of that size, otherwise /data is an emptyDir.
    // settings.autoscaling: a CPU/memory HPA; the workload then leaves `replicas` to it.
    const { replicas, resources, storage: storageSize, autoscaling } = props.settings;
    this.name = props.name ?? props.component;
    this.identity = {
      app: "mimir",
      instance: context.instance,
      component: props.component,
      version: imageTag(context.image),
      partOf: props.gossipMember ? "memberlist" : undefined,
    };
    const zoneLabels: Record<string, string> = props.zone
      ? { name: this.name, "rollout-group": props.component, zone: props.zone.name }
      : {};
    const selector = { ...selectorLabels(this.identity), ...zoneLabels };
    const labels = { ...standardLabels(this.identity), ...zoneLabels };

    const ports: k8s.ContainerPort[] = [
      { name: "http-metrics", containerPort: MIMIR_PORTS.http, protocol: "TCP" },
      { name: "grpc", containerPort: MIMIR_PORTS.grpc, protocol: "TCP" },
      ...(props.gossipMember ? [{ name: "memberlist", containerPort: MIMIR_PORTS.memberlist, protocol: "TCP" }] : []),
    ];

    const volumes: k8s.Volume[] = [
      { name: "config", configMap: { name: context.configMapName, items: [{ key: "mimir.yaml", path: "mimir.yaml" }] } },
      {
        name: "runtime-config",
        configMap: { name: context.runtimeConfigMapName, items: [{ key: "runtime.yaml", path: "runtime.yaml" }] },
      },
      { name: "active-queries", emptyDir: {} },
      ...(storageSize ? [] : [{ name: "storage", emptyDir: {} }]),
      ...(props.extraMounts ?? []).map((mount) => mount.volume),
    ];
    const volumeMounts: k8s.VolumeMount[] = [
      { name: "config", mountPath: MIMIR_PATHS.configDir },
      { name: "runtime-config", mountPath: MIMIR_PATHS.runtimeDir },
      { name: "storage", mountPath: MIMIR_PATHS.dataDir },
      { name: "active-queries", mountPath: MIMIR_PATHS.activeQueryTrackerDir },
      ...(props.extraMounts ?? []).map(
        (mount): k8s.VolumeMount => ({ name: mount.volume.name, mountPath: mount.mountPath, subPath: mount.subPath }),
      ),
    ];

    const readiness = httpProbe({
      path: "/ready",
      port: "http-metrics",
      initialDelaySeconds: props.readinessInitialDelaySeconds,
    });
    const container: k8s.Container = {
      name: props.component,
      image: context.image,
      imagePullPolicy: "IfNotPresent",
      args: [
        `-target=${props.target ?? props.component}`,
        "-config.expand-env=true",
        `-config.file=${MIMIR_PATHS.configFile}`,
        ...(props.extraArgs ?? []),
      ],
      env: props.env && Object.keys(props.env).length > 0 ? Object.entries(props.env).map(([name, value]) => ({ name, value })) : undefined,
      envFrom: props.envFromSecrets?.length ? props.envFromSecrets.map((name) => ({ secretRef: { name } })) : undefined,
      ports,
      readinessProbe: readiness,
      livenessProbe: props.livenessProbe ? readiness : undefined,
      resources: resourceRequirements(resources),
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts,
    };

    const podSpec: k8s.PodSpec = {
      serviceAccountName: context.serviceAccountName,
      // Mimir never calls the Kubernetes API. IRSA still works: the EKS webhook mounts its own
      // projected web-identity token.
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext(),
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      topologySpreadConstraints: spreadConstraints(selector),
      nodeSelector: props.zone ? { "topology.kubernetes.io/zone": props.zone.awsZone } : undefined,
      containers: [container],
      volumes,
    };
    const template: k8s.PodTemplateSpec = {
      // Lazy: mimir.yaml is rendered after every component has published its Services.
      metadata: { labels, annotations: { [CONFIG_HASH_ANNOTATION]: Lazy.any({ produce: () => context.configHash() }), ...props.podAnnotations } },
      spec: podSpec,
    };
    const metadata: k8s.ObjectMeta = {
      name: this.name,
      labels: { ...labels, ...props.workloadLabels },
      annotations: props.workloadAnnotations ? { ...props.workloadAnnotations } : undefined,
    };

    if (props.kind === "Deployment") {
      if (props.rollout.type !== "RollingUpdate") throw new Error(`${this.name}: Deployments roll out with RollingUpdate`);
      new k8s.KubeDeployment(this, "deployment", {
        metadata,
        spec: {
          // Under an HPA the replica count is the HPA's to manage; a fixed value would fight it on every sync.
          replicas: autoscaling ? undefined : replicas,
          revisionHistoryLimit: 10,
          selector: { matchLabels: selector },
          strategy: rollingUpdateStrategy(props.rollout.maxSurge, props.rollout.maxUnavailable),
          template,
        },
      });
    } else {
      if (autoscaling) throw new Error(`${this.name}: StatefulSets are not autoscaled`);
      if (props.rollout.type === "RollingUpdate" && props.rollout.maxSurge !== undefined) {
        throw new Error(`${this.name}: StatefulSets replace pods in place and have no maxSurge`);
      }
      new k8s.KubeStatefulSet(this, "statefulset", {
        metadata,
        spec: {
          replicas: replicas,
          // The governing Service gives each pod a stable DNS name; it must be headless to do that.
          serviceName:
            props.serviceName ?? headlessService(this, { context, component: props.component, name: `${this.name}-headless` }).name,
          podManagementPolicy: props.podManagementPolicy ?? "OrderedReady",
          revisionHistoryLimit: 10,
          selector: { matchLabels: selector },
          updateStrategy:
            props.rollout.type === "OnDelete" ? { type: "OnDelete" } : statefulSetRollingUpdate(props.rollout.maxUnavailable),
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template,
          volumeClaimTemplates: storageSize
            ? [
                {
                  metadata: { name: "storage" },
                  spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: context.storageClassName,
                    resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
                  },
                },
              ]
            : undefined,
        },
      });
    }

    if (props.podDisruptionBudget ?? true) {
      podDisruptionBudget(this, { name: this.name, labels, selector });
    }
    if (autoscaling) {
      horizontalPodAutoscaler(this, {
        name: this.name,
        labels,
        target: { kind: props.kind, name: this.name },
        autoscaling: autoscaling,
      });
    }

    if (props.clusterIpService ?? true) {
      const wanted = props.servicePorts ?? ["http-metrics", "grpc"];
      this.service = service(this, {
        name: this.name,
        labels,
        selector,
        ports: [
          { name: "http-metrics", port: MIMIR_PORTS.http, targetPort: "http-metrics" },
          { name: "grpc", port: MIMIR_PORTS.grpc, targetPort: "grpc" },
        ].filter((port) => wanted.includes(port.name as "http-metrics" | "grpc")),
      });
    }
  }
}

/** Headless Service over a component's pods (stable pod DNS / every-pod DNS answers). */
export function headlessService(
  scope: Construct,
  workload: { context: MimirContext; component: string; name: string; publishNotReadyAddresses?: boolean },
): ServiceRef {
  const identity: WorkloadIdentity = {
    app: "mimir",
    instance: workload.context.instance,
    component: workload.component,
    version: imageTag(workload.context.image),
  };
  return service(scope, {
    name: workload.name,
    // Headless Services are excluded from scraping so each pod is scraped once, via its ClusterIP Service.
    labels: { ...standardLabels(identity), "prometheus.io/service-monitor": "false" },
    selector: selectorLabels(identity),
    headless: true,
    publishNotReadyAddresses: workload.publishNotReadyAddresses ?? false,
    ports: [
      { name: "http-metrics", port: MIMIR_PORTS.http, targetPort: "http-metrics" },
      { name: "grpc", port: MIMIR_PORTS.grpc, targetPort: "grpc" },
    ],
  });
}
