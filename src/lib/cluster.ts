/** Kubernetes cluster DNS domain every in-cluster address is qualified with. */
export const CLUSTER_DOMAIN = "cluster.local";

/** The cluster DNS Service; nginx re-resolves upstream names through it. */
export const KUBE_DNS = `kube-dns.kube-system.svc.${CLUSTER_DOMAIN}`;
