import { ConfigError } from "../config/errors.js";
import type { Family } from "../synth/family.js";
import { CLIENT_TLS_SUFFIX } from "../lib/mtls.js";
import type { RenderedObject } from "./objects.js";
import { clientSecretName, createCertificates } from "./certificates.js";
import { createNetworkPolicies, deriveFlows } from "./network-policies.js";
import { renderedObjects } from "./objects.js";
import { createSecretStore } from "./secret-store.js";

/**
 * Security (issue #12): the secret store every ExternalSecret reads from, and default-deny NetworkPolicies
 * with the allows derived from the other families' objects (cloud environments; local has none, as a kind
 * cluster's CNI usually ignores them). Runs LAST in FAMILIES so it reads what every other family
 * synthesized (objects.ts); its output lands in the `security` layer, which GitOps applies before the
 * workloads.
 */
export const securityFamily: Family = {
  name: "security",
  layer: "security",
  build(ctx): void {
    const { config, names, infra } = ctx;
    const chart = ctx.chart("security");
    const clusterChart = ctx.clusterChart("security-cluster");
    const policyChart = ctx.chart("network-policies");
    const others = renderedObjects(chart, [chart, clusterChart, policyChart]);
    if (config.secretStore) {
      // The store serves exactly the namespaces whose ExternalSecrets read it.
      const namespaces = new Set([names.namespace]);
      if (config.security.mtls.enabled) namespaces.add(config.security.mtls.clusterResourceNamespace); // the CA's ExternalSecret
      for (const object of others) {
        if (object.kind === "ExternalSecret") namespaces.add(object.metadata.namespace ?? names.namespace);
      }
      createSecretStore(chart, clusterChart, {
        settings: config.secretStore,
        infra,
        namespace: names.namespace,
        namespaces: [...namespaces].sort(),
        instance: names.instance,
        overlayDir: `overlays/${config.envName}`,
      });
    }
    if (infra) {
      // Policies also cover this family's own objects (the store's ServiceAccount runs no pods).
      const derived = deriveFlows({ objects: others, namespace: names.namespace, config, infra, gateway: ctx.find("gateway"), grafana: ctx.find("grafana") });
      if (derived.problems.length > 0) {
        const outputs = `overlays/${config.envName}/terraform-outputs.json`;
        throw new ConfigError(
          derived.problems.map((why) => ({
            file: outputs,
            path: why.startsWith("the load balancers") ? "load_balancer_subnet_cidrs" : "vpc_cidr",
            message: `required output is missing: the NetworkPolicies need it to allow ${why}`,
          })),
        );
      }
      const gateway = ctx.find("gateway");
      if (config.security.mtls.enabled && gateway && config.secretStore) {
        // Clients: every workload with a flow to the gateway's TLS port (the address it reads is the gateway's https URL).
        const serving = derived.groups.filter((g) => g.namespace === gateway.namespace && Object.entries(gateway.selector).every(([k, v]) => g.labels[k] === v));
        const tlsPorts = new Set(serving.flatMap((g) => g.ports.filter((p) => p.name === "https").map((p) => `${g.key}:${p.port}`)));
        const clients = [...new Set(derived.flows.filter((f) => f.to.kind === "group" && tlsPorts.has(`${f.to.group.key}:${f.port}`)).map((f) => f.from.name))].sort();
        const issued = clients.map((name) => ({ name }));
        checkClientSecrets(others, issued.map(clientSecretName));
        createCertificates(chart, clusterChart, { mtls: config.security.mtls, secretStore: config.secretStore, instance: names.instance, gateway, clients: issued });
      }
      const owned = others.filter((o) => o.apiVersion === "v1" && o.kind === "Namespace").map((o) => o.metadata.name).sort();
      createNetworkPolicies(policyChart, derived, owned, names.instance);
    }
  },
};

/**
 * Every client certificate Secret a workload references (`*-client-tls`: mounted, or in a Prometheus
 * remote write's tlsConfig) is one the security family issues, i.e. the workload's address is the
 * gateway's TLS port; a name that drifted from the pod group's would leave the pod waiting for a Secret.
 */
export function checkClientSecrets(objects: readonly RenderedObject[], issued: readonly string[]): void {
  const referenced = new Set<string>();
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if ((key === "secretName" || key === "name") && value.endsWith(CLIENT_TLS_SUFFIX)) referenced.add(value);
    } else if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  for (const o of objects) if (o.kind !== "Certificate") visit(o.spec);
  const missing = [...referenced].filter((name) => !issued.includes(name)).sort();
  if (missing.length > 0) {
    throw new Error(`security: workloads reference client certificate Secrets nothing issues: ${missing.join(", ")} (issued for the gateway's TLS clients: ${issued.join(", ") || "none"})`);
  }
}
