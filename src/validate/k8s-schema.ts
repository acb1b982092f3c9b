/**
 * Validation of built-in Kubernetes objects against the OpenAPI-derived validators that ship precompiled in
 * kubernetes-models (`kubernetes-models/_schemas/*`). Those validators check types, enums, formats and required
 * fields but let unknown properties through; `validateTracked` adds unknown-field detection on top.
 *
 * The validators are imported statically (they are small, already compiled, and ESM-only); nothing is compiled
 * at run time.
 */
import { validate as vAdmissionMutatingWebhookConfiguration } from "kubernetes-models/_schemas/IoK8sApiAdmissionregistrationV1MutatingWebhookConfiguration";
import { validate as vAdmissionValidatingWebhookConfiguration } from "kubernetes-models/_schemas/IoK8sApiAdmissionregistrationV1ValidatingWebhookConfiguration";
import { validate as vDaemonSet } from "kubernetes-models/_schemas/IoK8sApiAppsV1DaemonSet";
import { validate as vDeployment } from "kubernetes-models/_schemas/IoK8sApiAppsV1Deployment";
import { validate as vReplicaSet } from "kubernetes-models/_schemas/IoK8sApiAppsV1ReplicaSet";
import { validate as vStatefulSet } from "kubernetes-models/_schemas/IoK8sApiAppsV1StatefulSet";
import { validate as vHorizontalPodAutoscaler } from "kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler";
import { validate as vCronJob } from "kubernetes-models/_schemas/IoK8sApiBatchV1CronJob";
import { validate as vJob } from "kubernetes-models/_schemas/IoK8sApiBatchV1Job";
import { validate as vConfigMap } from "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap";
import { validate as vEndpoints } from "kubernetes-models/_schemas/IoK8sApiCoreV1Endpoints";
import { validate as vLimitRange } from "kubernetes-models/_schemas/IoK8sApiCoreV1LimitRange";
import { validate as vNamespace } from "kubernetes-models/_schemas/IoK8sApiCoreV1Namespace";
import { validate as vPersistentVolume } from "kubernetes-models/_schemas/IoK8sApiCoreV1PersistentVolume";
import { validate as vPersistentVolumeClaim } from "kubernetes-models/_schemas/IoK8sApiCoreV1PersistentVolumeClaim";
import { validate as vPod } from "kubernetes-models/_schemas/IoK8sApiCoreV1Pod";
import { validate as vResourceQuota } from "kubernetes-models/_schemas/IoK8sApiCoreV1ResourceQuota";
import { validate as vSecret } from "kubernetes-models/_schemas/IoK8sApiCoreV1Secret";
import { validate as vService } from "kubernetes-models/_schemas/IoK8sApiCoreV1Service";
import { validate as vServiceAccount } from "kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount";
import { validate as vIngress } from "kubernetes-models/_schemas/IoK8sApiNetworkingV1Ingress";
import { validate as vIngressClass } from "kubernetes-models/_schemas/IoK8sApiNetworkingV1IngressClass";
import { validate as vNetworkPolicy } from "kubernetes-models/_schemas/IoK8sApiNetworkingV1NetworkPolicy";
import { validate as vPodDisruptionBudget } from "kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget";
import { validate as vClusterRole } from "kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRole";
import { validate as vClusterRoleBinding } from "kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRoleBinding";
import { validate as vRole } from "kubernetes-models/_schemas/IoK8sApiRbacV1Role";
import { validate as vRoleBinding } from "kubernetes-models/_schemas/IoK8sApiRbacV1RoleBinding";
import { validate as vPriorityClass } from "kubernetes-models/_schemas/IoK8sApiSchedulingV1PriorityClass";
import { validate as vStorageClass } from "kubernetes-models/_schemas/IoK8sApiStorageV1StorageClass";
import { validate as vCustomResourceDefinition } from "kubernetes-models/_schemas/IoK8sApiextensionsApiserverPkgApisApiextensionsV1CustomResourceDefinition";
import { joinPath } from "./problem.js";
import { describeValue, validateTracked, type Finding, type ValidateFn } from "./schema-errors.js";

const fn = (v: (data: unknown) => boolean): ValidateFn => v as ValidateFn;

/** "<apiVersion> <Kind>" → validator for every built-in kind the platform may emit. */
const CORE_VALIDATORS: ReadonlyMap<string, ValidateFn> = new Map<string, ValidateFn>([
  ["v1 ConfigMap", fn(vConfigMap)],
  ["v1 Secret", fn(vSecret)],
  ["v1 Service", fn(vService)],
  ["v1 ServiceAccount", fn(vServiceAccount)],
  ["v1 Namespace", fn(vNamespace)],
  ["v1 PersistentVolumeClaim", fn(vPersistentVolumeClaim)],
  ["v1 PersistentVolume", fn(vPersistentVolume)],
  ["v1 Pod", fn(vPod)],
  ["v1 Endpoints", fn(vEndpoints)],
  ["v1 LimitRange", fn(vLimitRange)],
  ["v1 ResourceQuota", fn(vResourceQuota)],
  ["apps/v1 Deployment", fn(vDeployment)],
  ["apps/v1 StatefulSet", fn(vStatefulSet)],
  ["apps/v1 DaemonSet", fn(vDaemonSet)],
  ["apps/v1 ReplicaSet", fn(vReplicaSet)],
  ["batch/v1 Job", fn(vJob)],
  ["batch/v1 CronJob", fn(vCronJob)],
  ["policy/v1 PodDisruptionBudget", fn(vPodDisruptionBudget)],
  ["autoscaling/v2 HorizontalPodAutoscaler", fn(vHorizontalPodAutoscaler)],
  ["storage.k8s.io/v1 StorageClass", fn(vStorageClass)],
  ["rbac.authorization.k8s.io/v1 Role", fn(vRole)],
  ["rbac.authorization.k8s.io/v1 RoleBinding", fn(vRoleBinding)],
  ["rbac.authorization.k8s.io/v1 ClusterRole", fn(vClusterRole)],
  ["rbac.authorization.k8s.io/v1 ClusterRoleBinding", fn(vClusterRoleBinding)],
  ["networking.k8s.io/v1 NetworkPolicy", fn(vNetworkPolicy)],
  ["networking.k8s.io/v1 Ingress", fn(vIngress)],
  ["networking.k8s.io/v1 IngressClass", fn(vIngressClass)],
  ["scheduling.k8s.io/v1 PriorityClass", fn(vPriorityClass)],
  ["admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration", fn(vAdmissionValidatingWebhookConfiguration)],
  ["admissionregistration.k8s.io/v1 MutatingWebhookConfiguration", fn(vAdmissionMutatingWebhookConfiguration)],
  ["apiextensions.k8s.io/v1 CustomResourceDefinition", fn(vCustomResourceDefinition)],
]);

/** True when apiVersion/kind is a built-in kind this module can validate. */
export function isCoreKind(apiVersion: string, kind: string): boolean {
  return CORE_VALIDATORS.has(`${apiVersion} ${kind}`);
}

/** The "<apiVersion> <Kind>" pairs supported, sorted (for docs and tests). */
export function coreKinds(): string[] {
  return [...CORE_VALIDATORS.keys()].sort();
}

/**
 * Validates one built-in object: types, enums, formats, required fields and unknown fields.
 * Returns undefined when the apiVersion/kind is not a supported built-in (the caller decides what that means).
 */
export function validateCoreObject(obj: object): Finding[] | undefined {
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  const key = `${String(apiVersion)} ${String(kind)}`;
  const v = CORE_VALIDATORS.get(key);
  if (!v) return undefined;
  if (key !== CRD_KEY) return validateTracked(v, obj);
  const findings: Finding[] = [];
  const stripped = withoutSchemaDocs(obj, "", findings);
  return [...validateTracked(v, stripped), ...findings];
}

const CRD_KEY = "apiextensions.k8s.io/v1 CustomResourceDefinition";
/** Keys of a JSON schema node whose values are maps of sub-schemas, keyed by field name. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "dependencies"]);
/** Keys of a JSON schema node holding one sub-schema, or a list of them. */
const SCHEMA_CHILDREN = new Set(["items", "additionalProperties", "additionalItems", "not", "allOf", "anyOf", "oneOf"]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * kubernetes-models builds its validators from the OpenAPI definitions without their `description` fields, which
 * also drops the real `description` fields of JSONSchemaProps and CustomResourceColumnDefinition, and it has no
 * JSONSchemaProps `x-kubernetes-*` extensions: the unknown-field walk would flag every documented CRD. A CRD is
 * therefore validated as a copy without those keys; descriptions are checked to be strings here, the extensions
 * are left to the API server. Field names inside `properties` maps are kept, whatever they are called.
 */
function withoutSchemaDocs(node: unknown, path: string, findings: Finding[], inSchema = false): unknown {
  if (Array.isArray(node)) return node.map((item, i) => withoutSchemaDocs(item, joinPath(path, i), findings, inSchema));
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const at = joinPath(path, key);
    if (key === "description" && (inSchema || /^spec\.versions\[\d+\]\.additionalPrinterColumns\[\d+\]$/.test(path))) {
      if (typeof value !== "string") findings.push({ path: at, message: `expected string, got ${describeValue(value)}` });
      continue;
    }
    if (inSchema && key.startsWith("x-kubernetes-")) continue;
    if (inSchema && SCHEMA_MAPS.has(key) && isRecord(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSchemaDocs(v, joinPath(at, k), findings, true)]));
    } else {
      const childIsSchema = inSchema ? SCHEMA_CHILDREN.has(key) : key === "openAPIV3Schema";
      out[key] = withoutSchemaDocs(value, at, findings, childIsSchema);
    }
  }
  return out;
}

/**
 * Validates an ObjectMeta value (used for custom resources, whose CRD schemas leave metadata free-form).
 * ObjectMeta's validator lives in a transitive package, so it is reached through ConfigMap's, which embeds it.
 */
export function validateObjectMetadata(metadata: unknown): Finding[] {
  return validateTracked(fn(vConfigMap), { apiVersion: "v1", kind: "ConfigMap", metadata });
}
