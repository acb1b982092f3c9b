import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { MANAGED_BY } from "../lib/labels.js";

export interface Gp3StorageClassProps {
  /** @default "gp3" */
  readonly name?: string;
  /** KMS key for EBS encryption. @default the account's default EBS key */
  readonly kmsKeyArn?: string;
}

/**
 * Encrypted gp3 volumes through the EBS CSI driver. WaitForFirstConsumer places each volume in the
 * zone its pod is scheduled to, which zone-aware StatefulSets rely on; Retain keeps TSDB data if a
 * PVC is deleted by mistake.
 */
export class Gp3StorageClass extends Construct {
  constructor(scope: Construct, id: string, props: Gp3StorageClassProps = {}) {
    super(scope, id);
    new k8s.KubeStorageClass(this, "storage-class", {
      metadata: { name: props.name ?? "gp3", labels: { "app.kubernetes.io/managed-by": MANAGED_BY } },
      provisioner: "ebs.csi.aws.com",
      parameters: storageClassParameters(props.kmsKeyArn),
      reclaimPolicy: "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    });
  }
}

function storageClassParameters(kmsKeyArn: string | undefined): Record<string, string> {
  const parameters: Record<string, string> = { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" };
  if (kmsKeyArn) parameters.kmsKeyId = kmsKeyArn;
  return parameters;
}
