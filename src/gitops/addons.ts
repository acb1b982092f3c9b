/**
 * Platform add-ons: third-party controllers installed from pinned Helm charts in the `addons` layer. Each is
 * declared once here (chart, exact version, typed values) and rendered twice: as an Argo CD Application with a
 * Helm source (argocd.ts) and as a Flux HelmRepository + HelmRelease (flux.ts), with byte-identical values.
 */
import type { InfraOutputs } from "../config/infra-outputs.js";
import type { Problem } from "../validate/problem.js";

/** A Helm chart repository, shared by the add-ons that install from it. */
export interface ChartRepository {
  /** Name of the Flux HelmRepository. */
  readonly name: string;
  readonly url: string;
}

export const CHART_REPOSITORIES = {
  prometheusCommunity: { name: "prometheus-community", url: "https://prometheus-community.github.io/helm-charts" },
  jetstack: { name: "jetstack", url: "https://charts.jetstack.io" },
  externalSecrets: { name: "external-secrets", url: "https://charts.external-secrets.io" },
  metricsServer: { name: "metrics-server", url: "https://kubernetes-sigs.github.io/metrics-server" },
  eks: { name: "eks", url: "https://aws.github.io/eks-charts" },
  autoscaler: { name: "autoscaler", url: "https://kubernetes.github.io/autoscaler" },
} as const satisfies Record<string, ChartRepository>;

/** IRSA: the annotation EKS reads to give a ServiceAccount's pods an IAM role. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

interface ServiceAccountValues {
  readonly create: boolean;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** kube-prometheus-stack reduced to the Prometheus Operator and its CRDs (collection brings its own Prometheus and exporters). */
export interface PrometheusOperatorValues {
  readonly fullnameOverride: string;
  readonly crds: { readonly enabled: boolean };
  readonly defaultRules: { readonly create: boolean };
  readonly alertmanager: { readonly enabled: boolean };
  readonly grafana: { readonly enabled: boolean };
  readonly prometheus: { readonly enabled: boolean };
  readonly kubeStateMetrics: { readonly enabled: boolean };
  readonly nodeExporter: { readonly enabled: boolean };
  readonly kubeApiServer: { readonly enabled: boolean };
  readonly kubelet: { readonly enabled: boolean };
  readonly kubeControllerManager: { readonly enabled: boolean };
  readonly coreDns: { readonly enabled: boolean };
  readonly kubeEtcd: { readonly enabled: boolean };
  readonly kubeScheduler: { readonly enabled: boolean };
  readonly kubeProxy: { readonly enabled: boolean };
  readonly prometheusOperator: { readonly enabled: boolean; readonly admissionWebhooks: { readonly enabled: boolean } };
}

export interface CertManagerValues {
  readonly crds: { readonly enabled: boolean; readonly keep: boolean };
  readonly replicaCount: number;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable: number };
}

export interface ExternalSecretsValues {
  readonly installCRDs: boolean;
  readonly replicaCount: number;
  readonly serviceAccount: ServiceAccountValues;
}

export interface MetricsServerValues {
  readonly replicas: number;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable: number };
}

export interface LoadBalancerControllerValues {
  readonly clusterName: string;
  readonly region: string;
  readonly replicaCount: number;
  readonly serviceAccount: ServiceAccountValues;
}

export interface ClusterAutoscalerValues {
  readonly autoDiscovery: { readonly clusterName: string };
  readonly awsRegion: string;
  readonly rbac: { readonly serviceAccount: ServiceAccountValues };
  readonly extraArgs: Readonly<Record<string, string>>;
}

export interface AddOn {
  /** Release name, Argo Application suffix and Flux HelmRelease name. */
  readonly name: string;
  /** Namespace the chart installs into (created by Argo/Flux). */
  readonly namespace: string;
  readonly repository: ChartRepository;
  readonly chart: string;
  /** Exact chart version: no ranges, no `latest`. */
  readonly version: string;
  readonly values: object;
  /** The chart installs CRDs or other objects too large for client-side apply's last-applied annotation. */
  readonly serverSideApply: boolean;
  /** API groups whose CRDs the chart installs (checked against the custom resources in dist/). */
  readonly providesApiGroups: readonly string[];
  /** Cluster-scoped kinds the chart creates (allow-listed in the AppProject). */
  readonly clusterKinds: readonly { readonly group: string; readonly kind: string }[];
}

const RBAC = [
  { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
  { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
];
const CRD = { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" };
const WEBHOOKS = [
  { group: "admissionregistration.k8s.io", kind: "ValidatingWebhookConfiguration" },
  { group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration" },
];

/** Terraform's key in `addon_irsa_role_arns` for each add-on that needs an IAM role. */
export const ADDON_ROLE_KEYS = {
  "aws-load-balancer-controller": "aws_load_balancer_controller",
  "cluster-autoscaler": "cluster_autoscaler",
} as const;

/** The cluster an environment's add-ons run in, as Terraform describes it. */
export interface AddOnCluster {
  readonly name: string;
  readonly region: string;
  /** The Terraform output holding the add-ons' IRSA roles (`addon_irsa_role_arns`, or `dr_addon_irsa_role_arns`). */
  readonly roleOutput: string;
  readonly roleArns: Readonly<Record<string, string>>;
  readonly externalSecretsRoleArn: string | undefined;
}

/** The cluster of an environment: its own, or for the read-only DR environment the DR cluster in dr_region. */
export function addOnCluster(infra: InfraOutputs, readOnly: boolean): AddOnCluster | undefined {
  if (!readOnly) {
    return { name: infra.clusterName, region: infra.region, roleOutput: "addon_irsa_role_arns", roleArns: infra.addonRoleArns ?? {}, externalSecretsRoleArn: infra.externalSecretsRoleArn };
  }
  if (!infra.drCluster || !infra.dr) return undefined;
  return { name: infra.drCluster.name, region: infra.dr.region, roleOutput: "dr_addon_irsa_role_arns", roleArns: infra.drCluster.addonRoleArns, externalSecretsRoleArn: infra.externalSecretsRoleArn };
}

/**
 * The add-ons of one cloud environment, or the problems (a missing IRSA role names the Terraform output to add).
 */
export function platformAddOns(cluster: AddOnCluster, file: string): { addOns: AddOn[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const role = (addOn: keyof typeof ADDON_ROLE_KEYS): string => {
    const key = ADDON_ROLE_KEYS[addOn];
    const arn = cluster.roleArns[key];
    if (arn) return arn;
    problems.push({
      file,
      path: `${cluster.roleOutput}.value.${key}`,
      message: `required output is missing: the IRSA role ARN of the ${addOn} add-on's ServiceAccount (add "${key}" to the Terraform output ${cluster.roleOutput})`,
    });
    return "";
  };
  const serviceAccount = (name: string, arn: string | undefined): ServiceAccountValues => ({
    create: true,
    name,
    annotations: arn ? { [IRSA_ANNOTATION]: arn } : {},
  });

  const prometheusOperator: PrometheusOperatorValues = {
    fullnameOverride: "prometheus-operator",
    crds: { enabled: true },
    defaultRules: { create: false },
    alertmanager: { enabled: false },
    grafana: { enabled: false },
    prometheus: { enabled: false },
    kubeStateMetrics: { enabled: false },
    nodeExporter: { enabled: false },
    kubeApiServer: { enabled: false },
    kubelet: { enabled: false },
    kubeControllerManager: { enabled: false },
    coreDns: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: { enabled: true, admissionWebhooks: { enabled: true } },
  };
  const certManager: CertManagerValues = { crds: { enabled: true, keep: true }, replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
  const externalSecrets: ExternalSecretsValues = {
    installCRDs: true,
    replicaCount: 2,
    serviceAccount: serviceAccount("external-secrets", cluster.externalSecretsRoleArn),
  };
  const metricsServer: MetricsServerValues = { replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
  const loadBalancerController: LoadBalancerControllerValues = {
    clusterName: cluster.name,
    region: cluster.region,
    replicaCount: 2,
    serviceAccount: serviceAccount("aws-load-balancer-controller", role("aws-load-balancer-controller")),
  };
  const clusterAutoscaler: ClusterAutoscalerValues = {
    autoDiscovery: { clusterName: cluster.name },
    awsRegion: cluster.region,
    rbac: { serviceAccount: serviceAccount("cluster-autoscaler", role("cluster-autoscaler")) },
    extraArgs: { "balance-similar-node-groups": "true", expander: "least-waste", "skip-nodes-with-local-storage": "false" },
  };

  const addOns: AddOn[] = [
    {
      name: "prometheus-operator",
      namespace: "prometheus-operator",
      repository: CHART_REPOSITORIES.prometheusCommunity,
      chart: "kube-prometheus-stack",
      version: "88.2.0", // Prometheus Operator v0.93.0, the version of the CRD schemas in imports/
      values: prometheusOperator,
      serverSideApply: true, // the Prometheus CRDs exceed the 256 KiB last-applied annotation
      providesApiGroups: ["monitoring.coreos.com"],
      clusterKinds: [CRD, ...RBAC, ...WEBHOOKS],
    },
    {
      name: "cert-manager",
      namespace: "cert-manager",
      repository: CHART_REPOSITORIES.jetstack,
      chart: "cert-manager",
      version: "v1.19.1",
      values: certManager,
      serverSideApply: true,
      providesApiGroups: ["cert-manager.io", "acme.cert-manager.io"],
      clusterKinds: [CRD, ...RBAC, ...WEBHOOKS],
    },
    {
      name: "external-secrets",
      namespace: "external-secrets",
      repository: CHART_REPOSITORIES.externalSecrets,
      chart: "external-secrets",
      version: "0.19.2",
      values: externalSecrets,
      serverSideApply: true,
      providesApiGroups: ["external-secrets.io", "generators.external-secrets.io"],
      clusterKinds: [CRD, ...RBAC, ...WEBHOOKS],
    },
    {
      name: "metrics-server",
      namespace: "kube-system",
      repository: CHART_REPOSITORIES.metricsServer,
      chart: "metrics-server",
      version: "3.12.0",
      values: metricsServer,
      serverSideApply: false,
      providesApiGroups: ["metrics.k8s.io"],
      clusterKinds: [...RBAC, { group: "apiregistration.k8s.io", kind: "APIService" }],
    },
    {
      name: "aws-load-balancer-controller",
      namespace: "kube-system",
      repository: CHART_REPOSITORIES.eks,
      chart: "aws-load-balancer-controller",
      version: "1.7.1",
      values: loadBalancerController,
      serverSideApply: true,
      providesApiGroups: ["elbv2.k8s.aws"],
      clusterKinds: [CRD, ...RBAC, ...WEBHOOKS, { group: "networking.k8s.io", kind: "IngressClass" }, { group: "elbv2.k8s.aws", kind: "IngressClassParams" }],
    },
    {
      name: "cluster-autoscaler",
      namespace: "kube-system",
      repository: CHART_REPOSITORIES.autoscaler,
      chart: "cluster-autoscaler",
      version: "9.34.1",
      values: clusterAutoscaler,
      serverSideApply: false,
      providesApiGroups: [],
      clusterKinds: RBAC,
    },
  ];
  return { addOns, problems };
}
