import { hostPort } from "../lib/service-ref.js";
import { s3StorageFor } from "../mimir/mimir-config.js";
import type { Family } from "../synth/family.js";
import { Minio } from "./minio.js";

/** Name of the single bucket local MinIO serves (blocks, rules and Alertmanager state under prefixes). */
const LOCAL_BUCKET = "mimir";

/**
 * Object storage for Mimir: the S3 bucket from the Terraform outputs (DR: the replicated bucket in
 * the DR region), or, for the local environment only, MinIO with dev-only credentials.
 */
export const storageFamily: Family = {
  name: "storage",
  layer: "storage",
  build(ctx): void {
    const { config, infra } = ctx;
    if (config.mimir.deploymentMode !== "monolithic") {
      if (!infra) throw new Error(`internal: ${config.envName} needs Terraform outputs for its S3 bucket`);
      ctx.publish("objectStorage", s3StorageFor(config, infra));
      return;
    }
    const credentialsSecret = "minio-credentials";
    const minio = new Minio(ctx.chart("minio"), "minio", {
      instance: ctx.names.instance,
      buckets: [LOCAL_BUCKET],
      credentialsSecret,
      storageClassName: config.storage.storageClassName,
    });
    ctx.publish("objectStorage", {
      kind: "minio",
      service: minio.service,
      endpoint: hostPort(minio.service, "http"),
      bucket: LOCAL_BUCKET,
      credentialsSecret,
    });
  },
};
