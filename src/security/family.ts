import { ConfigError } from "../config/errors.js";
import type { Family } from "../synth/family.js";
import { createCertificates } from "./certificates.js";
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
        // Clients: every workload with a flow to the gateway's pods.
        const serving = new Set(derived.groups.filter((g) => g.namespace === gateway.namespace && Object.entries(gateway.selector).every(([k, v]) => g.labels[k] === v)));
        const clients = [...new Set(derived.flows.filter((f) => f.to.kind === "group" && serving.has(f.to.group)).map((f) => f.from.name))].sort();
        createCertificates(chart, clusterChart, { mtls: config.security.mtls, secretStore: config.secretStore, instance: names.instance, gateway, clients: clients.map((name) => ({ name })) });
      }
      const owned = others.filter((o) => o.apiVersion === "v1" && o.kind === "Namespace").map((o) => o.metadata.name).sort();
      createNetworkPolicies(policyChart, derived, owned, names.instance);
    }
  },
};
