import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { ENABLED_LABEL } from "../collection/policy.js";
import { MANAGED_BY } from "../lib/labels.js";
import { Gp3StorageClass } from "../storage/storage-class.js";
import type { Family } from "../synth/family.js";

/**
 * Cluster-scoped foundation: the platform namespace (enforcing Pod Security "restricted", which every
 * platform pod meets) and, optionally, the encrypted gp3 StorageClass every PVC uses.
 */
export const clusterFamily: Family = {
  name: "cluster",
  layer: "foundation",
  build(ctx): void {
    const chart = ctx.clusterChart("cluster");
    new k8s.KubeNamespace(chart, "namespace", {
      metadata: {
        name: ctx.names.namespace,
        labels: {
          "app.kubernetes.io/managed-by": MANAGED_BY,
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
          [ENABLED_LABEL]: "true", // metrics collection: the platform's monitors live here (src/collection/policy.ts)
        },
      },
    });
    if (ctx.config.storage.createStorageClass) {
      new Gp3StorageClass(chart, "storage-class", { name: ctx.config.storage.storageClassName });
    }
  },
};
