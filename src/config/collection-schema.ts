import { z } from "zod";
import { duration, durationToSeconds, dnsLabel, positiveInt } from "./primitives.js";
import { resourcesSchema } from "./workload-schema.js";

/** `monitoring.grafana.com/class` values and what they mean for the scrape interval. */
export const SCRAPE_CLASSES = ["app", "infra", "noisy"] as const;
export type ScrapeClass = (typeof SCRAPE_CLASSES)[number];

/** Blackbox exporter modules a Probe may use (icmp is left out: it needs CAP_NET_RAW). */
export const PROBE_MODULES = ["http_2xx", "http_post_2xx", "tcp_connect"] as const;
export type ProbeModule = (typeof PROBE_MODULES)[number];

export const REMOTE_WRITE_BACKENDS = ["gateway", "amp"] as const;

/** Every scrape must finish within this; no class interval may be shorter. */
export const SCRAPE_TIMEOUT = "10s";

const wholeNumber = (min: number, why: string) =>
  z.number().int("must be a whole number").min(min, `must be >= ${min}: ${why}`);

/**
 * Remote-write queue per shard and replica. Defaults sized for ~1M active series per shard at a 30s
 * interval (~35k samples/s): 50 parallel senders x 2000 samples per request absorb that with a
 * request latency up to ~2.5s, and the 10000-sample buffer per sender covers a short gateway outage.
 */
const queueSchema = z.strictObject({
  /** Samples buffered per sender (Prometheus `capacity`). */
  capacity: positiveInt.default(10000),
  minShards: positiveInt.default(1),
  maxShards: positiveInt.default(50),
  maxSamplesPerSend: positiveInt.default(2000),
  batchSendDeadline: duration.default("5s"),
});
const QUEUE_DEFAULTS = queueSchema.parse({});

const prometheusSchema = z
  .strictObject({
    /**
     * `Prometheus`: sharded servers that also evaluate recording rules; `PrometheusAgent`: scrape and
     * forward only (the laptop setup).
     */
    kind: z.enum(["Prometheus", "PrometheusAgent"]).default("Prometheus"),
    /** Targets are split over this many shards (hashmod of the target address). */
    shards: wholeNumber(1, "at least one shard must scrape the targets").default(1),
    /** Identical replicas per shard; Mimir's HA tracker keeps one replica's samples per shard. */
    replicas: wholeNumber(1, "at least one replica per shard").default(2),
    /** Local TSDB retention (Prometheus only): shards forward everything, this only bridges outages. */
    retention: duration.optional(),
    resources: resourcesSchema.optional(),
    queue: queueSchema.default(QUEUE_DEFAULTS),
  })
  .superRefine((prometheus, ctx) => {
    if (prometheus.kind === "PrometheusAgent" && prometheus.retention !== undefined) {
      ctx.addIssue({ code: "custom", path: ["retention"], message: "a PrometheusAgent keeps only a WAL; retention applies to kind Prometheus" });
    }
    if (prometheus.queue.minShards > prometheus.queue.maxShards) {
      ctx.addIssue({ code: "custom", path: ["queue", "minShards"], message: `must be <= queue.maxShards (${prometheus.queue.maxShards})` });
    }
  });
export type PrometheusSettings = z.infer<typeof prometheusSchema>;

const scrapeIntervalsSchema = z.strictObject({
  app: duration.default("30s"),
  infra: duration.default("60s"),
  noisy: duration.default("120s"),
});
const INTERVAL_DEFAULTS = scrapeIntervalsSchema.parse({});

const probeSchema = z
  .strictObject({
    /** Probe object name. */
    name: dnsLabel,
    /** What to check: an http(s) URL for the http modules, `host:port` for tcp_connect. */
    target: z.string().min(1),
    module: z.enum(PROBE_MODULES).default("http_2xx"),
    interval: duration.default("60s"),
  })
  .superRefine((probe, ctx) => {
    if (probe.module === "tcp_connect") {
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$/.test(probe.target)) {
        ctx.addIssue({ code: "custom", path: ["target"], message: "must be host:port for module tcp_connect" });
      }
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(probe.target);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
      ctx.addIssue({ code: "custom", path: ["target"], message: `must be an http(s) URL for module ${probe.module} (got "${probe.target}")` });
    }
  });
export type ProbeSettings = z.infer<typeof probeSchema>;

const replicatedExporter = (replicas: number) =>
  z.strictObject({
    enabled: z.boolean().default(true),
    replicas: wholeNumber(1, "set enabled: false to run none").default(replicas),
    resources: resourcesSchema.optional(),
  });
const singleExporter = z.strictObject({ enabled: z.boolean().default(true), resources: resourcesSchema.optional() });

const exportersSchema = z.strictObject({
  /** DaemonSet with read-only host access, in its own namespace (it cannot meet Pod Security "restricted"). */
  nodeExporter: singleExporter.default({ enabled: true }),
  /** One replica: kube-state-metrics is not sharded here, and two would double every series. */
  kubeStateMetrics: singleExporter.default({ enabled: true }),
  /** Runs the `probes`. */
  blackbox: replicatedExporter(2).default({ enabled: true, replicas: 2 }),
  /** One replica: pushed metrics live in its memory only, two would each hold half. */
  pushgateway: singleExporter.default({ enabled: true }),
  otelCollector: z
    .strictObject({
      enabled: z.boolean().default(true),
      replicas: wholeNumber(1, "set enabled: false to run none").default(2),
      resources: resourcesSchema.optional(),
      /** Tempo's OTLP gRPC endpoint (`host:port`) for traces; absent: the collector accepts metrics only. */
      tracesEndpoint: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$/, "must be host:port of Tempo's OTLP gRPC receiver, e.g. tempo-distributor.tempo.svc.cluster.local:4317")
        .optional(),
    })
    .default({ enabled: true, replicas: 2 }),
});
export type ExporterSettings = z.infer<typeof exportersSchema>;

export const collectionSchema = z
  .strictObject({
    /** The scraping Prometheus (servers or an agent); absent: no Prometheus of this environment's own. */
    prometheus: prometheusSchema.optional(),
    /** Scrape interval per `monitoring.grafana.com/class`. */
    scrapeIntervals: scrapeIntervalsSchema.default(INTERVAL_DEFAULTS),
    /** Class of targets without a (known) `monitoring.grafana.com/class` label. */
    defaultClass: z.enum(SCRAPE_CLASSES).default("infra"),
    /** Synthetic checks run by the blackbox exporter. */
    probes: z.array(probeSchema).default([]),
    /**
     * Where the Prometheus writes: `gateway` (this environment's Mimir, through the tenancy gateway) or
     * `amp` (Amazon Managed Prometheus with SigV4; workspace, region and IRSA role from Terraform outputs).
     */
    remoteWrite: z.strictObject({ backend: z.enum(REMOTE_WRITE_BACKENDS).default("gateway") }).default({ backend: "gateway" }),
    /** Exporters; they run where a Prometheus scrapes them (collection.prometheus). */
    exporters: exportersSchema.default(() => exportersSchema.parse({})),
  })
  .superRefine((collection, ctx) => {
    for (const name of SCRAPE_CLASSES) {
      const interval = collection.scrapeIntervals[name];
      if (durationToSeconds(interval) < durationToSeconds(SCRAPE_TIMEOUT)) {
        ctx.addIssue({
          code: "custom",
          path: ["scrapeIntervals", name],
          message: `must be at least the ${SCRAPE_TIMEOUT} scrape timeout (got ${interval})`,
        });
      }
    }
    const seen = new Map<string, number>();
    collection.probes.forEach((probe, index) => {
      const first = seen.get(probe.name);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["probes", index, "name"], message: `duplicate probe name "${probe.name}" (also probes[${first}])` });
      } else seen.set(probe.name, index);
    });
  });
export type CollectionSettings = z.infer<typeof collectionSchema>;
export const COLLECTION_DEFAULTS: CollectionSettings = collectionSchema.parse({});

/** The parts of the whole config the collection section is checked against. */
interface CollectionContext {
  readonly collection: CollectionSettings;
  readonly defaultTenant: string;
  readonly mimir: { readonly deploymentMode: string };
  readonly gateway: {
    readonly enabled: boolean;
    readonly tokens: ReadonlyArray<{ readonly tenant: string }>;
    readonly devOnlyTokens?: Readonly<Record<string, string>>;
  };
}

/**
 * Cross-section checks (called from the top-level schema): the Prometheus writes as `defaultTenant`
 * through the gateway, so the gateway must run and hold a token for that tenant.
 */
export function checkCollection(config: CollectionContext, ctx: z.RefinementCtx): void {
  const prometheus = config.collection.prometheus;
  const at = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path: ["collection", ...path], message });
  if (!prometheus) {
    if (config.collection.probes.length > 0) at(["probes"], "probes are scraped by collection.prometheus, which this environment does not run");
    for (const key of ["scrapeIntervals", "defaultClass", "remoteWrite", "exporters"] as const) {
      if (JSON.stringify(config.collection[key]) !== JSON.stringify(COLLECTION_DEFAULTS[key])) {
        at([key], "has no effect without collection.prometheus (nothing in this environment scrapes or forwards)");
      }
    }
    return;
  }
  if (config.collection.probes.length > 0 && !config.collection.exporters.blackbox.enabled) {
    at(["exporters", "blackbox", "enabled"], "the blackbox exporter runs the probes listed in collection.probes");
  }
  if (config.collection.remoteWrite.backend === "amp") {
    if (config.mimir.deploymentMode === "monolithic") {
      at(["remoteWrite", "backend"], "amp needs the AWS environment's Terraform outputs (workspace, region, IRSA role); the local environment has none");
    }
    if (config.collection.exporters.otelCollector.enabled) {
      at(["exporters", "otelCollector", "enabled"], "the collector sends OTLP metrics to the gateway as defaultTenant; with backend amp set it to false");
    }
    if (prometheus.shards > 1 && prometheus.replicas > 1) {
      at(
        ["remoteWrite", "backend"],
        `AMP de-duplicates HA pairs by the \`cluster\` label, which every shard shares: with ${prometheus.shards} shards x ${prometheus.replicas} replicas it would keep one shard's samples. Use shards: 1 or replicas: 1 with amp`,
      );
    }
    return;
  }
  if (!config.gateway.enabled) {
    at(["prometheus"], "remote-writes through the gateway, which is disabled (gateway.enabled: false)");
    return;
  }
  const hasToken =
    config.gateway.tokens.some((token) => token.tenant === config.defaultTenant) ||
    Object.values(config.gateway.devOnlyTokens ?? {}).includes(config.defaultTenant);
  if (!hasToken) {
    at(["prometheus"], `writes as defaultTenant "${config.defaultTenant}", but gateway.tokens has no token for that tenant`);
  }
  if (prometheus.kind === "PrometheusAgent" && config.mimir.deploymentMode !== "monolithic") {
    at(["prometheus", "kind"], "PrometheusAgent is the laptop setup (deploymentMode monolithic); use Prometheus shards, which also evaluate recording rules");
  }
}

/** The Terraform outputs the amp backend reads, in the order they are reported. */
export const AMP_OUTPUTS = ["amp_workspace_url", "amp_region", "amp_remote_write_role_arn"] as const;

/**
 * Names the Terraform outputs collection needs but the environment lacks (backend amp), for the
 * config/outputs cross-check in load.ts.
 */
export function missingCollectionOutputs(
  collection: CollectionSettings,
  amp: { readonly workspaceUrl?: string; readonly region?: string; readonly remoteWriteRoleArn?: string },
): string[] {
  if (!collection.prometheus || collection.remoteWrite.backend !== "amp") return [];
  const present = { amp_workspace_url: amp.workspaceUrl, amp_region: amp.region, amp_remote_write_role_arn: amp.remoteWriteRoleArn };
  return AMP_OUTPUTS.filter((name) => present[name] === undefined);
}
