import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { DEV_ONLY_LABEL, imageTag, selectorLabels, standardLabels } from "../lib/labels.js";
import { httpProbe } from "../lib/probes.js";
import { resourceRequirements } from "../lib/resources.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";
import { IMAGES } from "../lib/images.js";
import { service } from "../lib/service.js";
import type { ServiceRef } from "../lib/service-ref.js";

export const MINIO_PORT = 9000;

export interface MinioProps {
  readonly instance: string;
  /** Buckets created by the setup Job. */
  readonly buckets: readonly string[];
  /** Name of the Secret holding MINIO_ROOT_USER / MINIO_ROOT_PASSWORD. */
  readonly credentialsSecret: string;
  /** @default "5Gi" */
  readonly storageSize?: string;
  readonly storageClassName?: string;

}

/**
 * S3-compatible object storage for the local environment only, with a Job that creates the
 * buckets. Its credentials are fixed, public, dev-only values and are marked as such.
 */
export class Minio extends Construct {
  /** Headless (the StatefulSet's governing Service); Mimir addresses the single pod through it. */
  readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: MinioProps) {
    super(scope, id);
    const image = IMAGES.minio;
    const identity = { app: "minio", instance: props.instance, component: "object-storage", version: imageTag(image) };
    const labels = { ...standardLabels(identity), [DEV_ONLY_LABEL]: "true" };
    const selector = selectorLabels(identity);
    const devOnly = { [DEV_ONLY_LABEL]: "true" };

    new k8s.KubeSecret(this, "credentials", {
      metadata: {
        name: props.credentialsSecret,
        labels,
        annotations: {
          [`${DEV_ONLY_LABEL}-reason`]:
            "DEV ONLY: fixed, public MinIO credentials for a laptop kind cluster; never use outside the local environment",
        },
      },
      stringData: { MINIO_ROOT_USER: "mimir-dev", MINIO_ROOT_PASSWORD: "mimir-dev-only-password" },
    });

    new k8s.KubeStatefulSet(this, "statefulset", {
      metadata: { name: "minio", labels },
      spec: {
        replicas: 1,
        serviceName: "minio",
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: devOnly },
          spec: {
            securityContext: restrictedPodSecurityContext(),
            automountServiceAccountToken: false,
            containers: [
              {
                name: "minio",
                image,
                imagePullPolicy: "IfNotPresent",
                // Certs dir and HOME on the writable /tmp: the root filesystem is read-only.
                args: ["server", "/data", "--address", `:${MINIO_PORT}`, "--certs-dir", "/tmp/minio-certs"],
                env: [{ name: "HOME", value: "/tmp" }],
                envFrom: [{ secretRef: { name: props.credentialsSecret } }],
                ports: [{ name: "http", containerPort: MINIO_PORT, protocol: "TCP" }],
                readinessProbe: httpProbe({ path: "/minio/health/ready", port: "http" }),
                resources: resourceRequirements({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } }),
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [
                  { name: "data", mountPath: "/data" },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: props.storageClassName,
              resources: { requests: { storage: k8s.Quantity.fromString(props.storageSize ?? "5Gi") } },
            },
          },
        ],
      },
    });
    this.service = service(this, {
      name: "minio",
      labels,
      selector,
      headless: true,
      ports: [{ name: "http", port: MINIO_PORT, targetPort: "http" }],
    });

    // Idempotent bucket creation; retried by the Job until MinIO answers.
    const script = [
      "set -e",
      `until mc alias set local http://${this.service.fqdn}:${MINIO_PORT} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do sleep 2; done`,
      ...props.buckets.map((bucket) => `mc mb --ignore-existing local/${bucket}`),
    ].join("\n");
    new k8s.KubeJob(this, "create-buckets", {
      metadata: { name: "minio-create-buckets", labels },
      spec: {
        backoffLimit: 10,
        ttlSecondsAfterFinished: 3600,
        template: {
          metadata: { labels, annotations: devOnly },
          spec: {
            restartPolicy: "OnFailure",
            securityContext: restrictedPodSecurityContext(),
            automountServiceAccountToken: false,
            containers: [
              {
                name: "create-buckets",
                image: IMAGES.minioClient,
                imagePullPolicy: "IfNotPresent",
                command: ["/bin/sh", "-c", script],
                env: [{ name: "MC_CONFIG_DIR", value: "/tmp/.mc" }],
                envFrom: [{ secretRef: { name: props.credentialsSecret } }],
                resources: resourceRequirements({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } }),
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    });
  }
}
