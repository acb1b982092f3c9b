import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import type { GatewaySettings } from "../config/gateway-schema.js";
import type { Resources } from "../config/schema.js";
import { horizontalPodAutoscaler } from "../lib/horizontal-pod-autoscaler.js";
import { CONFIG_HASH_ANNOTATION, configHash } from "../lib/config-hash.js";
import { DEV_ONLY_LABEL, imageTag, selectorLabels, standardLabels, type WorkloadIdentity } from "../lib/labels.js";
import { podDisruptionBudget } from "../lib/pod-disruption-budget.js";
import { httpProbe } from "../lib/probes.js";
import { mergeResources, resourceRequirements } from "../lib/resources.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";
import { rollingUpdateStrategy } from "../lib/rollout.js";
import { tokenReloaderScript } from "./token-reloader.js";
import { LOG_METRICS_PORT, LOG_METRICS_SOCKET, mtailProgram } from "./log-metrics.js";
import { IMAGES } from "../lib/images.js";
import { externalSecret, type SecretStoreRef } from "../lib/external-secret.js";
import { service } from "../lib/service.js";
import type { ServiceRef } from "../lib/service-ref.js";
import {
  GATEWAY_PORT,
  GATEWAY_STATUS_PATH,
  GATEWAY_STATUS_PORT,
  GATEWAY_TLS_PORT,
  PRODUCTION_TLS_FILES,
  TLS_DIR,
  PRODUCTION_PATHS,
  renderNginxConf,
  TOKEN_MAP_DIR,
  WORKER_SHUTDOWN_TIMEOUT_SECONDS,
  type GatewayUpstreams,
} from "./nginx-conf.js";
import { renderTokenMap, TOKEN_MAP_KEY, tokenMapTemplate, tokenSecretKey } from "./token-map.js";
import { HOSTNAME_TOPOLOGY, spreadConstraints, ZONE_TOPOLOGY } from "../lib/scheduling.js";

export interface GatewayProps {
  readonly namespace: string; // e.g. "mimir"
  readonly instance: string; // app.kubernetes.io/instance, e.g. "mimir"
  readonly settings: GatewaySettings;
  readonly tenants: readonly string[]; // known tenant ids
  /** Upstream host:port per route target; Kubernetes service DNS names, e.g. "distributor-headless.mimir.svc.cluster.local:8080" */
  readonly upstreams: GatewayUpstreams;
  /** DNS resolver nginx uses to re-resolve upstream names, e.g. "kube-dns.kube-system.svc.cluster.local" */
  readonly resolver: string;
  /** Load balancer subnets whose X-Forwarded-For is trusted. @default none: the client IP is the TCP peer */
  readonly trustedProxyCidrs?: readonly string[];
  /** Secret store for the token map (dev/prod/dr); undefined only with settings.devOnlyTokens (local). */
  readonly secretStore?: SecretStoreRef;
  /** mTLS (config security.mtls): serve TLS on port `https` with this cert-manager Secret. @default none */
  readonly tls?: { readonly secretName: string; readonly verifyClient: "on" | "optional" };
}

/** Object names (stable: other charts, docs and runbooks refer to them). */
export const GATEWAY_NAMES = {
  serviceAccount: "gateway",
  configMap: "gateway-nginx",
  deployment: "gateway",
  service: "gateway",
  podDisruptionBudget: "gateway",
  horizontalPodAutoscaler: "gateway",
  tokensSecret: "gateway-tokens",
} as const;

/** uid/gid of the `nginx` user in nginxinc/nginx-unprivileged. */
export const NGINX_UNPRIVILEGED_UID = 101;

/** Port the exporter sidecar serves Prometheus metrics on (nginx-prometheus-exporter's default). */
export const GATEWAY_EXPORTER_PORT = 9113;

/**
 * nginx has no Prometheus endpoint: a sidecar turns its loopback `stub_status` page into metrics
 * (`nginx_connections_*`, `nginx_http_requests_total`, `nginx_up`) on port `http-metrics`. Status
 * codes per tenant and limit come from the log-metrics sidecar below.
 */
/**
 * mtail: receives nginx's per-request lines on a socket in the shared /tmp and serves
 * `gateway_requests_total{tenant,status,limited_by}` and `gateway_request_duration_seconds{tenant}`
 * on port `metrics` (src/gateway/log-metrics.ts).
 */
function logMetricsSidecar(): k8s.Container {
  return {
    name: "log-metrics",
    image: IMAGES.mtail,
    imagePullPolicy: "IfNotPresent",
    args: [
      `--progs=${MTAIL_PROGRAM_DIR}`,
      `--logs=unixgram://${PRODUCTION_PATHS.runtimeDir}/${LOG_METRICS_SOCKET}`,
      `--port=${LOG_METRICS_PORT}`,
      "--logtostderr",
    ],
    ports: [{ name: "metrics", containerPort: LOG_METRICS_PORT, protocol: "TCP" }],
    readinessProbe: httpProbe({ path: "/metrics", port: "metrics", timeoutSeconds: 5 }),
    resources: resourceRequirements({ requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "128Mi" } }),
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [
      { name: "tmp", mountPath: PRODUCTION_PATHS.runtimeDir },
      { name: "log-metrics-program", mountPath: MTAIL_PROGRAM_DIR, readOnly: true },
    ],
  };
}

/** Where the mtail program is mounted, from the gateway ConfigMap's key MTAIL_PROGRAM_KEY. */
const MTAIL_PROGRAM_DIR = "/etc/mtail";
const MTAIL_PROGRAM_KEY = "gateway.mtail";

function metricsExporter(): k8s.Container {
  return {
    name: "exporter",
    image: IMAGES.nginxExporter,
    imagePullPolicy: "IfNotPresent",
    args: [
      `--nginx.scrape-uri=http://127.0.0.1:${GATEWAY_STATUS_PORT}${GATEWAY_STATUS_PATH}`,
      `--web.listen-address=:${GATEWAY_EXPORTER_PORT}`,
    ],
    ports: [{ name: "http-metrics", containerPort: GATEWAY_EXPORTER_PORT, protocol: "TCP" }],
    readinessProbe: httpProbe({ path: "/metrics", port: "http-metrics", timeoutSeconds: 5 }),
    resources: resourceRequirements({ requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } }),
    securityContext: restrictedContainerSecurityContext(),
  };
}

export const GATEWAY_DEFAULT_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { memory: "256Mi" },
};

export { DEV_ONLY_LABEL } from "../lib/labels.js";

/** Seconds the preStop hook waits for nginx to exit (nginx itself gives up after worker_shutdown_timeout). */
const DRAIN_SECONDS = WORKER_SHUTDOWN_TIMEOUT_SECONDS + 5;

/**
 * The tenancy gateway: nginx in front of Mimir that maps bearer tokens to tenants
 * (X-Scope-OrgID), rate-limits per tenant and per client IP, and routes to the Mimir components.
 * Creates its ServiceAccount, ConfigMap (nginx.conf), Deployment, Service, PDB, HPA and the
 * gateway-tokens Secret (an ExternalSecret, or a DEV ONLY plain Secret for the local environment).
 * The caller decides whether to create it at all (settings.enabled).
 */
export class Gateway extends Construct {
  /** The rendered nginx.conf (also in the ConfigMap). */
  readonly nginxConf: string;
  /** Where clients (and the platform's own collectors) send requests. */
  readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const { settings } = props;
    checkTokens(props);

    const identity: WorkloadIdentity = {
      app: "gateway",
      instance: props.instance,
      component: "gateway",
      version: imageTag(settings.image),
    };
    const selector = selectorLabels(identity);
    const labels = standardLabels(identity);

    this.nginxConf = renderNginxConf({
      settings,
      upstreams: props.upstreams,
      resolver: props.resolver,
      trustedProxyCidrs: props.trustedProxyCidrs,
      tls: props.tls ? { port: GATEWAY_TLS_PORT, ...PRODUCTION_TLS_FILES, verifyClient: props.tls.verifyClient } : undefined,
      statusPort: GATEWAY_STATUS_PORT,
      metricsSocket: `${PRODUCTION_PATHS.runtimeDir}/${LOG_METRICS_SOCKET}`,
    });
    const nginxConfHash = configHash(`${this.nginxConf}\n${mtailProgram()}`);

    new k8s.KubeServiceAccount(this, "service-account", {
      metadata: { name: GATEWAY_NAMES.serviceAccount, labels },
      automountServiceAccountToken: false,
    });

    new k8s.KubeConfigMap(this, "config-map", {
      metadata: { name: GATEWAY_NAMES.configMap, labels },
      data: { "nginx.conf": this.nginxConf, [MTAIL_PROGRAM_KEY]: mtailProgram() },
    });

    this.tokensSecret(props, labels);

    const probe = (failureThreshold: number) =>
      httpProbe({ path: "/ready", port: "http", timeoutSeconds: 2, periodSeconds: 10, failureThreshold });

    const container: k8s.Container = {
      name: "nginx",
      image: settings.image,
      imagePullPolicy: "IfNotPresent",
      // nginx in the foreground under a small supervisor that reloads it when the token map changes
      // (no restart needed to rotate tokens). The image's entrypoint scripts are blanked by the empty
      // /docker-entrypoint.d.
      command: [
        "/bin/sh",
        "-c",
        tokenReloaderScript({
          nginx: "nginx",
          tokenMap: PRODUCTION_PATHS.tokenMap,
          extraFiles: props.tls ? [PRODUCTION_TLS_FILES.certificate, PRODUCTION_TLS_FILES.clientCa] : undefined,
        }),
      ],
      ports: [
        { name: "http", containerPort: GATEWAY_PORT, protocol: "TCP" },
        ...(props.tls ? [{ name: "https", containerPort: GATEWAY_TLS_PORT, protocol: "TCP" }] : []),
      ],
      readinessProbe: probe(3),
      livenessProbe: probe(6),
      lifecycle: {
        // Kubernetes sends SIGTERM (nginx: fast shutdown, dropping in-flight requests) as soon as this
        // hook returns. Instead: wait for the endpoint removal to propagate, ask nginx to quit
        // gracefully, and return once it has exited (its pid file is removed on exit).
        preStop: {
          exec: {
            command: [
              "/bin/sh",
              "-c",
              // SIGQUIT to the master rather than `nginx -s quit`, which would need a parseable config.
              `sleep 5; kill -QUIT "$(cat ${PRODUCTION_PATHS.runtimeDir}/nginx.pid)"; i=0; while [ -e ${PRODUCTION_PATHS.runtimeDir}/nginx.pid ] && [ $i -lt ${DRAIN_SECONDS} ]; do sleep 1; i=$((i+1)); done`,
            ],
          },
        },
      },
      resources: resourceRequirements(mergeResources(GATEWAY_DEFAULT_RESOURCES, settings.resources)),
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [
        { name: "config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf", readOnly: true },
        { name: "tokens", mountPath: TOKEN_MAP_DIR, readOnly: true },
        { name: "tmp", mountPath: PRODUCTION_PATHS.runtimeDir },
        { name: "entrypoint-scripts", mountPath: "/docker-entrypoint.d", readOnly: true },
        ...(props.tls ? [{ name: "tls", mountPath: TLS_DIR, readOnly: true }] : []),
      ],
    };

    new k8s.KubeDeployment(this, "deployment", {
      metadata: { name: GATEWAY_NAMES.deployment, labels },
      spec: {
        // No fixed replica count: the HPA below owns it (settings.replicas is its minimum), and a
        // fixed value would be reset on every GitOps sync.
        revisionHistoryLimit: 10,
        selector: { matchLabels: selector },
        // Surge first: a new pod that cannot load its config never takes an old one down.
        strategy: rollingUpdateStrategy(1, 0),
        template: {
          metadata: { labels, annotations: { [CONFIG_HASH_ANNOTATION]: nginxConfHash } },
          spec: {
            serviceAccountName: GATEWAY_NAMES.serviceAccount,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(NGINX_UNPRIVILEGED_UID),
            terminationGracePeriodSeconds: DRAIN_SECONDS + 15,
            topologySpreadConstraints: spreadConstraints(selector, [HOSTNAME_TOPOLOGY, ZONE_TOPOLOGY]),
            containers: [container, metricsExporter(), logMetricsSidecar()],
            volumes: [
              { name: "config", configMap: { name: GATEWAY_NAMES.configMap, items: [{ key: "nginx.conf", path: "nginx.conf" }] } },
              {
                name: "log-metrics-program",
                configMap: { name: GATEWAY_NAMES.configMap, items: [{ key: MTAIL_PROGRAM_KEY, path: MTAIL_PROGRAM_KEY }] },
              },
              {
                name: "tokens",
                secret: {
                  secretName: GATEWAY_NAMES.tokensSecret,
                  items: [{ key: TOKEN_MAP_KEY, path: TOKEN_MAP_KEY }],
                  defaultMode: 0o440,
                },
              },
              { name: "tmp", emptyDir: {} },
              { name: "entrypoint-scripts", emptyDir: {} },
              ...(props.tls ? [{ name: "tls", secret: { secretName: props.tls.secretName, defaultMode: 0o440 } }] : []),
            ],
          },
        },
      },
    });

    this.service = service(this, {
      name: GATEWAY_NAMES.service,
      labels,
      selector,
      ports: [
        { name: "http", port: 80, targetPort: "http" },
        { name: "http-metrics", port: GATEWAY_EXPORTER_PORT, targetPort: "http-metrics" },
        ...(props.tls ? [{ name: "https", port: 443, targetPort: "https" }] : []),
      ],
    });

    podDisruptionBudget(this, { name: GATEWAY_NAMES.podDisruptionBudget, labels, selector, maxUnavailable: 1 });

    horizontalPodAutoscaler(this, {
      name: GATEWAY_NAMES.horizontalPodAutoscaler,
      labels,
      target: { kind: "Deployment", name: GATEWAY_NAMES.deployment },
      autoscaling: settings.autoscaling ?? {
        minReplicas: settings.replicas,
        maxReplicas: settings.replicas * 3,
        targetCpuUtilization: 75,
      },
    });
  }

  /** gateway-tokens: DEV ONLY plain Secret (local), else an ExternalSecret rendering the map. */
  private tokensSecret(props: GatewayProps, labels: Record<string, string>): void {
    const { settings } = props;
    if (settings.devOnlyTokens) {
      new k8s.KubeSecret(this, "tokens-dev-only", {
        metadata: {
          name: GATEWAY_NAMES.tokensSecret,
          labels: { ...labels, [DEV_ONLY_LABEL]: "true" },
          annotations: {
            [DEV_ONLY_LABEL]:
              "DEV ONLY: plaintext bearer tokens from gateway.devOnlyTokens, committed to git for the local environment. Never use these tokens, or this mechanism, anywhere else.",
          },
        },
        type: "Opaque",
        stringData: { [TOKEN_MAP_KEY]: renderTokenMap(settings.devOnlyTokens) },
      });
      return;
    }
    if (!props.secretStore) {
      throw new Error("gateway: a secretStore is required for the token map (only the local environment may use gateway.devOnlyTokens)");
    }
    externalSecret(this, {
      name: GATEWAY_NAMES.tokensSecret,
      labels,
      secretStore: props.secretStore,
      values: settings.tokens.map((token, index) => ({
        secretKey: tokenSecretKey(index),
        remoteKey: token.remoteKey,
        property: token.property,
      })),
      template: { [TOKEN_MAP_KEY]: tokenMapTemplate(settings.tokens) },
    });
  }
}

/** Defensive re-check of what the config schema already enforces. */
function checkTokens(props: GatewayProps): void {
  const known = new Set(props.tenants);
  const { settings } = props;
  settings.tokens.forEach((token, index) => {
    if (!known.has(token.tenant)) throw new Error(`gateway: tokens[${index}].tenant "${token.tenant}" is not a known tenant`);
  });
  for (const tenant of Object.values(settings.devOnlyTokens ?? {})) {
    if (!known.has(tenant)) throw new Error(`gateway: devOnlyTokens maps a token to unknown tenant "${tenant}"`);
  }
  if (settings.devOnlyTokens && settings.tokens.length > 0) {
    throw new Error("gateway: set either tokens or devOnlyTokens, not both");
  }
}
