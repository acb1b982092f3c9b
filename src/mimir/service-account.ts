import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { MANAGED_BY } from "../lib/labels.js";

export interface MimirServiceAccountProps {
  readonly name: string;
  readonly instance: string;
  /** IAM role assumed through IRSA for S3 and KMS access; no static AWS keys exist anywhere. */
  readonly roleArn?: string;
}

/** The ServiceAccount all Mimir pods share; carries the IRSA role annotation. */
export class MimirServiceAccount extends Construct {
  constructor(scope: Construct, id: string, props: MimirServiceAccountProps) {
    super(scope, id);
    new k8s.KubeServiceAccount(this, "sa", {
      metadata: {
        name: props.name,
        labels: {
          "app.kubernetes.io/name": "mimir",
          "app.kubernetes.io/instance": props.instance,
          "app.kubernetes.io/managed-by": MANAGED_BY,
        },
        annotations: props.roleArn ? { "eks.amazonaws.com/role-arn": props.roleArn } : undefined,
      },
    });
  }
}
