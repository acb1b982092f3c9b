import { z } from "zod";
import { mimirLimitsSchema } from "./mimir-limits.js";
import {
  dnsLabel,
  duration,
  httpsUrl,
  positiveInt,
  quantity,
  replicas,
  tenantId,
} from "./primitives.js";
import { gatewaySchema } from "./gateway-schema.js";
import { gitopsSchema } from "./gitops-schema.js";
import { alertingSchema, checkAlertingAgainstPlatform } from "./alerting-schema.js";
import { checkCollection, COLLECTION_DEFAULTS, collectionSchema } from "./collection-schema.js";
import { checkGrafanaSettings, grafanaSchema } from "./grafana-schema.js";
import { checkSecurity, SECURITY_DEFAULTS, secretStoreSchema, securitySchema } from "./security-schema.js";
import { autoscalingSchema, resourcesSchema } from "./workload-schema.js";
import { unknownValueMessage } from "./bounded-list.js";
import { CACHE_NAMES, type CacheName } from "./cache-names.js";
import {
  COMPONENT_FACTS,
  COMPONENTS_BY_MODE,
  DEPLOYMENT_MODES,
  MIMIR_COMPONENTS,
  REPLICATION_FACTOR,
  type MimirComponentName,
} from "../mimir/components.js";
import { CACHE_DEFAULTS } from "../memcached/defaults.js";
import { IMAGES } from "../lib/images.js";

export { autoscalingSchema, resourcesSchema, type Autoscaling, type Resources } from "./workload-schema.js";
export { CACHE_NAMES, type CacheName } from "./cache-names.js";
export { DEPLOYMENT_MODES, MIMIR_COMPONENTS, type MimirComponentName } from "../mimir/components.js";

/** Settings shared by every Mimir component; unset fields fall back to the component's defaults. */
export const componentSchema = z.strictObject({
  replicas: replicas.optional(),
  resources: resourcesSchema.optional(),
  /** HPA bounds (Deployments only); `false` turns the component's default HPA off. */
  autoscaling: z.union([autoscalingSchema, z.literal(false)]).optional(),
  /** Size of the persistent volume (StatefulSets only). */
  storage: quantity.optional(),
});
export type ComponentSettings = z.infer<typeof componentSchema>;

const componentsSchema = z.strictObject(
  Object.fromEntries(MIMIR_COMPONENTS.map((name) => [name, componentSchema.optional()])) as Record<
    MimirComponentName,
    z.ZodOptional<typeof componentSchema>
  >,
);

export const mimirSchema = z
  .strictObject({
  /**
   * microservices: classic architecture (no Kafka); monolithic: one `-target=all` process (local);
   * read-only: query path only, reading a replicated bucket (DR).
   */
  deploymentMode: z.enum(DEPLOYMENT_MODES).default("microservices"),
  image: z.string().min(1).default(IMAGES.mimir),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Spread ingesters and store-gateways over three availability zones (from Terraform outputs). */
  zoneAwareReplication: z.boolean().default(false),
  /** Default retention for every tenant (compactor_blocks_retention_period); tenants may override. */
  retention: duration.default("400d"),
  /** Defaults for every tenant, in Mimir's own `limits` keys (validated against Mimir's descriptor). */
  limits: mimirLimitsSchema.default({}),
  /**
   * Series one ingester may hold (ingester.instance_limits.max_series): past it, writes creating new
   * series are rejected gracefully instead of the pod being OOM-killed.
   * @default derived from the ingester memory request (capacity guide, 50% headroom)
   */
  ingesterMaxSeries: positiveInt.optional(),
  components: componentsSchema.default({}),
  /** The single `-target=all,alertmanager` process used by the monolithic mode. */
  monolithic: componentSchema.optional(),
})
  .superRefine((mimir, ctx) => checkComponentSettings(mimir, ctx));

interface MimirSection {
  readonly deploymentMode: (typeof DEPLOYMENT_MODES)[number];
  readonly components: Partial<Record<MimirComponentName, ComponentSettings>>;
  readonly monolithic?: ComponentSettings;
  readonly ingesterMaxSeries?: number;
}

/**
 * Every component setting must change the output: settings of components that do not run in this
 * mode, an HPA on a StatefulSet, or a disk for a component that keeps none are rejected.
 */
function checkComponentSettings(mimir: MimirSection, ctx: z.RefinementCtx): void {
  const mode = mimir.deploymentMode;
  const running = COMPONENTS_BY_MODE[mode];
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
  for (const name of MIMIR_COMPONENTS) {
    const settings = mimir.components[name];
    if (!settings) continue;
    const facts = COMPONENT_FACTS[name];
    if (!running.includes(name)) {
      issue(
        ["components", name],
        mode === "monolithic"
          ? "deploymentMode monolithic runs one process: size it under mimir.monolithic"
          : `${name} does not run in deploymentMode ${mode} (runs: ${running.join(", ")})`,
      );
      continue;
    }
    if (facts.kind === "StatefulSet" && settings.autoscaling !== undefined) {
      issue(
        ["components", name, "autoscaling"],
        `${name} is a StatefulSet holding ring or disk state; an HPA would add and remove members behind the rollout's back. Set replicas instead`,
      );
    }
    if (facts.kind === "Deployment" && settings.storage !== undefined) {
      issue(["components", name, "storage"], `${name} keeps no data on disk (a Deployment with an emptyDir); storage applies to StatefulSets only`);
    }
    if (facts.kind === "Deployment" && settings.autoscaling === false && !facts.defaults.autoscaling) {
      issue(["components", name, "autoscaling"], `${name} has no default autoscaler to turn off`);
    }
    if (facts.kind === "Deployment" && settings.replicas !== undefined && settings.autoscaling) {
      issue(
        ["components", name, "replicas"],
        "set either replicas or autoscaling: under an HPA the replica count is autoscaling.minReplicas..maxReplicas",
      );
    }
    if (name === "ingester" && settings.replicas !== undefined && settings.replicas < REPLICATION_FACTOR) {
      issue(
        ["components", name, "replicas"],
        `must be >= ${REPLICATION_FACTOR}: ingesters replicate every series ${REPLICATION_FACTOR} times and reads need a quorum (got ${settings.replicas})`,
      );
    }
  }
  if (mimir.monolithic && mode !== "monolithic") {
    issue(["monolithic"], `only used with deploymentMode monolithic; size components under mimir.components`);
  }
  if (mimir.monolithic?.autoscaling !== undefined) {
    issue(["monolithic", "autoscaling"], "the monolithic process is a single StatefulSet and cannot be autoscaled");
  }
  if (mimir.ingesterMaxSeries !== undefined && !running.includes("ingester")) {
    issue(["ingesterMaxSeries"], `deploymentMode ${mode} runs no separate ingesters`);
  }
}

const cacheSchema = z.strictObject({
  /** @default true */
  enabled: z.boolean().optional(),
  /** @default 1 */
  replicas: positiveInt.optional(),
  /** Memory memcached may use for items (`-m`, MiB). @default per cache, see src/memcached/defaults.ts */
  memoryMb: positiveInt.optional(),
  /** Largest item memcached accepts (`-I`, MiB); Mimir's client max_item_size is derived from it. */
  maxItemMb: positiveInt.optional(),
  /** `-c`: maximum simultaneous connections. @default 16384 */
  connectionLimit: positiveInt.optional(),
  /** Hit-ratio objective the alerting rules hold this cache to. @default 0.6 results, 0.7 others */
  hitRatioObjective: z.number().gt(0).lt(1).optional(),
});
export type CacheSettings = z.infer<typeof cacheSchema>;

const cachesSchema = z
  .strictObject(
    Object.fromEntries(CACHE_NAMES.map((name) => [name, cacheSchema.optional()])) as Record<
      CacheName,
      z.ZodOptional<typeof cacheSchema>
    >,
  )
  .superRefine((caches, ctx) => {
    for (const name of CACHE_NAMES) {
      const settings = caches[name];
      if (!settings) continue;
      const { maxMemoryMb } = CACHE_DEFAULTS[name];
      if (settings.memoryMb !== undefined && settings.memoryMb > maxMemoryMb) {
        ctx.addIssue({
          code: "custom",
          path: [name, "memoryMb"],
          message: `at most ${maxMemoryMb} MiB per pod; add replicas instead of growing pods (got ${settings.memoryMb})`,
        });
      }
      const others = Object.keys(settings).filter((key) => key !== "enabled");
      if (settings.enabled === false && others.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: [name, others[0]!],
          message: `has no effect while the cache is disabled (enabled: false); remove ${others.join(", ")}`,
        });
      }
    }
  });

const tenantSchema = z.strictObject({
  id: tenantId,
  /** Removed: nothing deployed reads it; a YAML comment documents a tenant just as well. */
  description: z.unknown().optional(),
  /** Overrides mimir.retention for this tenant. */
  retention: duration.optional(),
  /** Per-tenant overrides in Mimir `limits` keys, written to runtime.yaml. */
  limits: mimirLimitsSchema.optional(),
});
export type Tenant = z.infer<typeof tenantSchema>;

export const platformConfigSchema = z
  .strictObject({
    /** Short project name; Terraform names the bucket `<project>-<env>-mimir-metrics`. */
    project: dnsLabel,
    /** Environment label on every series and object (old scripts: ENVIRONMENT). */
    environment: dnsLabel.default("prod"),
    /** Cluster label (old scripts: CLUSTER_NAME). */
    clusterLabel: dnsLabel.default("primary"),
    /** Namespace every platform object lives in. */
    namespace: dnsLabel.default("mimir"),
    /** Base DNS domain (old scripts: BASE_DOMAIN). */
    baseDomain: z
      .string()
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a DNS domain such as obs.example.com"),
    /** Grafana root URL (old scripts: GF_ROOT_URL); default https://grafana.<baseDomain>. */
    grafanaRootUrl: httpsUrl.optional(),
    /** Base URL for alert runbook links (old scripts: RUNBOOK_BASE_URL); default https://runbooks.<baseDomain>. */
    runbookBaseUrl: httpsUrl.optional(),
    /** Where pages go when nothing more specific matches. */
    onCallEmail: z.email("must be an email address"),
    /** Tenant used by the platform's own collectors (old scripts: TENANT_ID). */
    defaultTenant: tenantId.default("single"),
    /** Where secrets live; config only ever holds references into it. Required outside local. */
    secretStore: secretStoreSchema.optional(),
    /** The environment that produced the replicated bucket a read-only (DR) deployment reads. */
    drSourceEnvironment: dnsLabel.optional(),
    storage: z
      .strictObject({
        /** StorageClass for every PVC. */
        storageClassName: dnsLabel.default("gp3"),
        /** Create an encrypted gp3 StorageClass with that name (EBS CSI driver). */
        createStorageClass: z.boolean().default(true),
      })
      .default({ storageClassName: "gp3", createStorageClass: true }),
    mimir: mimirSchema.default(() => mimirSchema.parse({})),
    caches: cachesSchema.default({}),
    tenants: z.array(tenantSchema).min(1, "at least one tenant is required"),
    /** How ArgoCD/Flux reconcile dist/<env>; environments without it (local) are applied by hand. */
    gitops: gitopsSchema.optional(),
    gateway: gatewaySchema.default(() => gatewaySchema.parse({})),
    alerting: alertingSchema.default(() => alertingSchema.parse({})),
    collection: collectionSchema.default(COLLECTION_DEFAULTS),
    /** mTLS with cert-manager (src/security/); secret stores are `secretStore`. */
    security: securitySchema.default(SECURITY_DEFAULTS),
    /** Grafana (src/grafana/); absent: no Grafana in this environment. */
    grafana: grafanaSchema.optional(),
  })
  .superRefine((config, ctx) => {
    checkCollection(config, ctx);
    checkSecurity(config, ctx);
    checkAlertingAgainstPlatform(config, ctx);
    const seen = new Map<string, number>();
    config.tenants.forEach((tenant, index) => {
      if (tenant.description !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["tenants", index, "description"],
          message: "not used by anything the platform deploys, so it would be silently ignored: write it as a YAML comment",
        });
      }
      const first = seen.get(tenant.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["tenants", index, "id"],
          message: `duplicate tenant id "${tenant.id}" (also tenants[${first}])`,
        });
      } else {
        seen.set(tenant.id, index);
      }
      if (tenant.retention && tenant.limits && "compactor_blocks_retention_period" in tenant.limits) {
        ctx.addIssue({
          code: "custom",
          path: ["tenants", index, "retention"],
          message: "set either retention or limits.compactor_blocks_retention_period, not both",
        });
      }
    });
    if (!seen.has(config.defaultTenant)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultTenant"],
        message: `${unknownValueMessage("tenant", config.defaultTenant, [...seen.keys()])}: it must be listed in tenants`,
      });
    }
    const mode = config.mimir.deploymentMode;
    if (mode !== "monolithic" && !config.secretStore) {
      ctx.addIssue({
        code: "custom",
        path: ["secretStore"],
        message: `required for deploymentMode ${mode}: secrets come from the secret store`,
      });
    }
    if (mode === "read-only" && !config.drSourceEnvironment) {
      ctx.addIssue({
        code: "custom",
        path: ["drSourceEnvironment"],
        message: "required for deploymentMode read-only: names the environment whose bucket is replicated",
      });
    }
    if (mode === "monolithic" && config.mimir.zoneAwareReplication) {
      ctx.addIssue({
        code: "custom",
        path: ["mimir", "zoneAwareReplication"],
        message: "zone-aware replication needs deploymentMode microservices",
      });
    }
    if (config.mimir.zoneAwareReplication) {
      for (const name of ["ingester", "storeGateway"] as const) {
        const count = config.mimir.components[name]?.replicas;
        if (count !== undefined && count % 3 !== 0) {
          ctx.addIssue({
            code: "custom",
            path: ["mimir", "components", name, "replicas"],
            message: `must be a multiple of 3 with zone-aware replication (one StatefulSet per zone), got ${count}`,
          });
        }
      }
    }
    config.gateway.tokens.forEach((token, index) => {
      if (!seen.has(token.tenant)) {
        ctx.addIssue({
          code: "custom",
          path: ["gateway", "tokens", index, "tenant"],
          message: unknownValueMessage("tenant", token.tenant, [...seen.keys()]),
        });
      }
    });
    Object.keys(config.gateway.devOnlyTokens ?? {}).forEach((token) => {
      const tenant = config.gateway.devOnlyTokens![token]!;
      if (!seen.has(tenant)) {
        ctx.addIssue({
          code: "custom",
          path: ["gateway", "devOnlyTokens", token],
          message: unknownValueMessage("tenant", tenant, [...seen.keys()]),
        });
      }
    });
    if (config.gateway.enabled && mode !== "monolithic" && config.gateway.replicas < 2) {
      ctx.addIssue({
        code: "custom",
        path: ["gateway", "replicas"],
        message: `must be >= 2 outside the local environment: the gateway is the only way in (got ${config.gateway.replicas})`,
      });
    }
    if (config.gateway.enabled && mode !== "monolithic" && config.gateway.tokens.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["gateway", "tokens"],
        message: "at least one token reference is required: without tokens the gateway rejects every request",
      });
    }
    if (config.gateway.devOnlyTokens && mode !== "monolithic") {
      ctx.addIssue({
        code: "custom",
        path: ["gateway", "devOnlyTokens"],
        message: "plaintext tokens are only allowed for the local (monolithic) environment; use gateway.tokens",
      });
    }
    checkGrafanaSettings(config, ctx);
  });

export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
type ParsedConfig = z.output<typeof platformConfigSchema>;

/** The validated platform configuration of one environment, with derived defaults filled in. */
export type PlatformConfig = ParsedConfig & {
  /** Directory name under overlays/ and dist/. */
  readonly envName: string;
  readonly grafanaRootUrl: string;
  readonly runbookBaseUrl: string;
};
