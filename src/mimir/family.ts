import type { Chart } from "cdk8s";
import { configHash } from "../lib/config-hash.js";
import type { ServiceRef } from "../lib/service-ref.js";
import type { Family, FamilyContext } from "../synth/family.js";
import { Alertmanager } from "./alertmanager.js";
import { ingesterCapacityWarnings, ingesterSeriesCapacity } from "./capacity.js";
import { Compactor } from "./compactor.js";
import { resolveSettings, type MimirComponentProps } from "./component-settings.js";
import { COMPONENT_FACTS, COMPONENTS_BY_MODE, componentDefaults, MONOLITHIC_DEFAULTS, type MimirComponentName } from "./components.js";
import type { MimirContext } from "./context.js";
import { Distributor } from "./distributor.js";
import { GossipRing } from "./gossip-ring.js";
import { Ingester } from "./ingester.js";
import { buildMimirConfig, buildRuntimeConfig } from "./mimir-config.js";
import { MimirConfigMaps, renderConfigYaml } from "./mimir-config-maps.js";
import { Monolithic } from "./monolithic.js";
import { OverridesExporter } from "./overrides-exporter.js";
import { Querier } from "./querier.js";
import { QueryFrontend } from "./query-frontend.js";
import { QueryScheduler } from "./query-scheduler.js";
import { Ruler } from "./ruler.js";
import { MimirServiceAccount } from "./service-account.js";
import { StoreGateway } from "./store-gateway.js";
import { mimirZones } from "./zones.js";

/** The Services a component construct exposes for the rest of the platform. */
interface ComponentServices {
  readonly query?: ServiceRef;
  readonly write?: ServiceRef;
  readonly ruler?: ServiceRef;
  readonly alertmanager?: ServiceRef;
  readonly scheduler?: ServiceRef;
}

/** One constructor per component; the file (chart) name comes from COMPONENT_FACTS. */
const COMPONENT_CONSTRUCTS: Readonly<Record<MimirComponentName, (scope: Chart, props: MimirComponentProps) => ComponentServices>> = {
  distributor: (s, p) => ({ write: new Distributor(s, "distributor", p).headless }),
  ingester: (s, p) => (new Ingester(s, "ingester", p), {}),
  querier: (s, p) => (new Querier(s, "querier", p), {}),
  queryFrontend: (s, p) => ({ query: new QueryFrontend(s, "query-frontend", p).service }),
  queryScheduler: (s, p) => ({ scheduler: new QueryScheduler(s, "query-scheduler", p).headless }),
  storeGateway: (s, p) => (new StoreGateway(s, "store-gateway", p), {}),
  compactor: (s, p) => (new Compactor(s, "compactor", p), {}),
  ruler: (s, p) => ({ ruler: new Ruler(s, "ruler", p).service }),
  alertmanager: (s, p) => ({ alertmanager: new Alertmanager(s, "alertmanager", p).headless }),
  overridesExporter: (s, p) => (new OverridesExporter(s, "overrides-exporter", p), {}),
};

/**
 * Grafana Mimir in the environment's deployment mode: the shared ConfigMaps and ServiceAccount, the
 * gossip seed, one chart per component (or the single local process), and mimir.yaml wired to the
 * Services those components created. Publishes the entry points the gateway routes to.
 */
export const mimirFamily: Family = {
  name: "mimir",
  layer: "mimir",
  build(ctx: FamilyContext): void {
    const { config, infra, names } = ctx;
    const mode = config.mimir.deploymentMode;
    const storage = ctx.need("objectStorage");
    let mimirYamlHash: string | undefined;
    const context: MimirContext = {
      namespace: names.namespace,
      instance: names.instance,
      image: config.mimir.image,
      serviceAccountName: "mimir",
      configMapName: "mimir-config",
      runtimeConfigMapName: "mimir-runtime",
      configHash: () => mimirYamlHash ?? unrendered(),
      storageClassName: config.storage.storageClassName,
      zones: mimirZones(config, infra),
      rulerRules: ctx.find("rulerRules"),
      alertmanagerConfig: ctx.find("alertmanagerConfig"),
    };

    const shared = ctx.chart("mimir-config");
    new MimirServiceAccount(shared, "service-account", { name: context.serviceAccountName, instance: names.instance, roleArn: infra?.mimirRoleArn });
    const gossipRing = new GossipRing(ctx.chart("gossip-ring"), "gossip-ring", { context }).service;

    const services: ComponentServices[] = [];
    if (mode === "monolithic") {
      const single = new Monolithic(ctx.chart("mimir"), "mimir", {
        context,
        settings: resolveSettings(MONOLITHIC_DEFAULTS, config.mimir.monolithic),
        credentialsSecret: storage.kind === "minio" ? storage.credentialsSecret : undefined,
      }).service;
      services.push({ query: single, write: single, ruler: single, alertmanager: single });
    }
    const resolved = new Map<MimirComponentName, ReturnType<typeof resolveSettings>>();
    for (const name of COMPONENTS_BY_MODE[mode]) {
      const facts = COMPONENT_FACTS[name];
      const chart = ctx.chart(facts.name);
      // A component with its own IRSA role (Terraform component_irsa_role_arns) gets its own ServiceAccount.
      const roleArn = infra?.componentRoleArns[facts.terraformKey];
      let componentContext = context;
      if (roleArn) {
        const serviceAccountName = `mimir-${facts.name}`;
        new MimirServiceAccount(chart, "service-account", { name: serviceAccountName, instance: names.instance, roleArn });
        componentContext = { ...context, serviceAccountName };
      }
      const settings = resolveSettings(componentDefaults(name, mode), config.mimir.components[name]);
      resolved.set(name, settings);
      services.push(COMPONENT_CONSTRUCTS[name](chart, { context: componentContext, settings }));
    }
    const found = <K extends keyof ComponentServices>(key: K): ComponentServices[K] => services.find((s) => s[key])?.[key];

    const ingester = resolved.get("ingester");
    const ingesterMaxSeries = ingester ? (config.mimir.ingesterMaxSeries ?? ingesterSeriesCapacity(ingester.resources.requests.memory)) : undefined;
    if (ingester && ingesterMaxSeries !== undefined && mode === "microservices") {
      for (const warning of ingesterCapacityWarnings(config, {
        replicas: ingester.replicas,
        memoryRequest: ingester.resources.requests.memory,
        maxSeriesPerIngester: ingesterMaxSeries,
      })) {
        ctx.warn(warning);
      }
    }

    const mimirConfig = buildMimirConfig({
      config,
      zones: context.zones,
      storage,
      caches: ctx.need("caches"),
      services: { gossipRing, scheduler: found("scheduler"), alertmanager: found("alertmanager") },
      alertmanagerReplicas: resolved.get("alertmanager")?.replicas ?? 1,
      rulerRules: context.rulerRules,
      ingesterMaxSeries,
    });
    // Rendered and hashed once; every pod template reads the hash when the charts are synthesized.
    const mimirYaml = renderConfigYaml(mimirConfig);
    mimirYamlHash = configHash(mimirYaml);
    new MimirConfigMaps(shared, "config-maps", {
      instance: names.instance,
      configMapName: context.configMapName,
      runtimeConfigMapName: context.runtimeConfigMapName,
      mimirYaml,
      runtimeConfig: buildRuntimeConfig(config),
    });

    ctx.publish("mimir", {
      query: found("query")!,
      write: found("write"),
      ruler: found("ruler"),
      alertmanager: found("alertmanager"),
    });
  },
};

function unrendered(): never {
  throw new Error("internal: a Mimir pod template was synthesized before mimir.yaml was rendered");
}
