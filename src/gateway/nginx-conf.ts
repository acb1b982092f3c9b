/**
 * Renders the tenancy gateway's nginx.conf: bearer token → tenant (X-Scope-OrgID), per-tenant and
 * per-client-IP request-rate and concurrency limits, routing to the Mimir components, JSON access
 * log. Pure and deterministic: the Kubernetes ConfigMap and the real-nginx tests both call it.
 */
import { isIP } from "node:net";
import type { GatewaySettings } from "../config/gateway-schema.js";
import { logMetricsNginxLines } from "./log-metrics.js";

/**
 * Upstream `host:port` per route target (Kubernetes Service DNS names, or IPs in tests). A target
 * that is absent (e.g. the write path in a read-only DR deployment) has its routes left out, so
 * they answer 404 instead of 502.
 */
export interface GatewayUpstreams {
  readonly distributor?: string;
  readonly queryFrontend: string;
  readonly ruler?: string;
  readonly alertmanager?: string;
}

/** Files and directories nginx uses; the defaults are where the Deployment mounts them. */
export interface GatewayPaths {
  /** Token map included by the `map` (lines `"<token>" <tenant>;`). */
  readonly tokenMap: string;
  /** Writable directory for the pid file and every *_temp_path (an emptyDir in the pod). */
  readonly runtimeDir: string;
  readonly accessLog: string;
  readonly errorLog: string;
}

export const GATEWAY_PORT = 8080;
/** Loopback-only port of the `stub_status` page in the gateway pod. */
export const GATEWAY_STATUS_PORT = 8081;
/** Path of the `stub_status` page. */
export const GATEWAY_STATUS_PATH = "/stub_status";
/** Bound on a graceful shutdown; the pod's preStop hook and grace period are sized from it. */
export const WORKER_SHUTDOWN_TIMEOUT_SECONDS = 25;
export const TOKEN_MAP_DIR = "/etc/nginx/tenants";
export const TOKEN_MAP_FILE = "tokens.map";

export const PRODUCTION_PATHS: GatewayPaths = {
  tokenMap: `${TOKEN_MAP_DIR}/${TOKEN_MAP_FILE}`,
  runtimeDir: "/tmp",
  accessLog: "/dev/stdout",
  errorLog: "/dev/stderr",
};

/** Which limit a 429 names in its JSON body (`limit`) and in the access log (`limited_by`). */
export const LIMIT_NAMES = {
  perTenant: "per_tenant",
  perClientIp: "per_client_ip",
  concurrencyPerTenant: "concurrency_per_tenant",
  concurrencyPerClientIp: "concurrency_per_client_ip",
} as const;

export type NginxConfSettings = Pick<
  GatewaySettings,
  "rateLimits" | "concurrency" | "clientMaxBodySize" | "workerProcesses"
>;

export interface NginxConfOptions {
  readonly settings: NginxConfSettings;
  readonly upstreams: GatewayUpstreams;
  /**
   * Proxies whose X-Forwarded-For is trusted for the client IP: only the load balancer subnets
   * (Terraform output `load_balancer_subnet_cidrs`). @default none: the client IP is the TCP peer
   */
  readonly trustedProxyCidrs?: readonly string[];
  /**
   * DNS server nginx re-resolves upstream host names with (every 10 s). `null` renders no
   * resolver: only valid when every upstream is a literal IP (tests on loopback).
   */
  readonly resolver: string | null;
  /** @default 8080 on all addresses */
  readonly listen?: { readonly port: number; readonly address?: string };
  /** @default PRODUCTION_PATHS */
  readonly paths?: Partial<GatewayPaths>;
  /** mTLS (config `security.mtls`): an extra TLS listener; @default none */
  readonly tls?: GatewayTls;
  /**
   * Loopback port of nginx's `stub_status` page, read by the metrics exporter sidecar (nginx has
   * no Prometheus endpoint of its own). @default none: no status server
   */
  readonly statusPort?: number;
  /**
   * Unix datagram socket of the per-tenant metrics sidecar (src/gateway/log-metrics.ts), which
   * nginx sends one line per request to. @default none: no metrics log
   */
  readonly metricsSocket?: string;
}

/** The gateway's TLS listener (certificates from cert-manager's `monitoring-ca`, src/security/certificates.ts). */
export interface GatewayTls {
  readonly port: number;
  readonly address?: string;
  readonly certificate: string;
  readonly key: string;
  /** CA client certificates are verified against. */
  readonly clientCa: string;
  /** on: a client without a valid certificate is refused (400); optional: verified when presented. */
  readonly verifyClient: "on" | "optional";
}

export const GATEWAY_TLS_PORT = 8443;
export const TLS_DIR = "/etc/nginx/tls";
/** Where the gateway pod mounts its cert-manager Secret (tls.crt, tls.key, ca.crt). */
export const PRODUCTION_TLS_FILES = { certificate: `${TLS_DIR}/tls.crt`, key: `${TLS_DIR}/tls.key`, clientCa: `${TLS_DIR}/ca.crt` } as const;

/** Connection and request counters for the exporter sidecar, on loopback only: never reachable from outside the pod. */
function statusServerLines(port: number | undefined): string[] {
  if (port === undefined) return [];
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`gateway: invalid status port ${port}`);
  return [
    "",
    "    # nginx's own counters (connections, requests) for the metrics exporter sidecar.",
    "    server {",
    `        listen 127.0.0.1:${port};`,
    "        access_log off;",
    `        location = ${GATEWAY_STATUS_PATH} {`,
    "            stub_status;",
    "        }",
    "        location / {",
    "            return 404;",
    "        }",
    "    }",
  ];
}

function tlsLines(tls: GatewayTls | undefined): string[] {
  if (!tls) return [];
  if (!Number.isInteger(tls.port) || tls.port < 1 || tls.port > 65535) throw new Error(`gateway: invalid TLS port ${tls.port}`);
  if (tls.address !== undefined && isIP(tls.address) !== 4) throw new Error(`gateway: TLS listen address must be an IPv4 address, got "${tls.address}"`);
  for (const [key, value] of Object.entries({ certificate: tls.certificate, key: tls.key, clientCa: tls.clientCa })) checkPath(`tls.${key}`, value);
  return [
    `        # mTLS: certificates from cert-manager (ClusterIssuer monitoring-ca); clients verified against its CA.`,
    `        listen ${tls.address ? `${tls.address}:${tls.port}` : tls.port} ssl default_server;`,
    `        ssl_certificate ${tls.certificate};`,
    `        ssl_certificate_key ${tls.key};`,
    "        ssl_protocols TLSv1.2 TLSv1.3;",
    `        ssl_client_certificate ${tls.clientCa};`,
    `        ssl_verify_client ${tls.verifyClient};`,
    "        ssl_verify_depth 2;",
  ];
}

/** One route: nginx location modifier + path, and the upstream it proxies to. */
export interface GatewayRoute {
  readonly match: "=" | "prefix";
  readonly path: string;
  readonly target: keyof GatewayUpstreams;
}

/** Public routes in the order they are rendered; nginx picks exact, then the longest prefix. */
export const GATEWAY_ROUTES: readonly GatewayRoute[] = [
  // Write path.
  { match: "=", path: "/api/v1/push", target: "distributor" },
  { match: "prefix", path: "/otlp/v1/metrics", target: "distributor" },
  // Ruler APIs under the Prometheus prefix (longer prefixes win over /prometheus).
  { match: "prefix", path: "/prometheus/config/v1/rules", target: "ruler" },
  { match: "prefix", path: "/prometheus/api/v1/rules", target: "ruler" },
  { match: "prefix", path: "/prometheus/api/v1/alerts", target: "ruler" },
  // Everything else Prometheus-compatible: queries, labels, series, metadata, cardinality.
  { match: "prefix", path: "/prometheus", target: "queryFrontend" },
  // Alertmanager UI/API, configuration API and status page.
  { match: "prefix", path: "/alertmanager", target: "alertmanager" },
  { match: "=", path: "/api/v1/alerts", target: "alertmanager" },
  { match: "prefix", path: "/multitenant_alertmanager/status", target: "alertmanager" },
];

const UPSTREAM_VARIABLES: Record<keyof GatewayUpstreams, string> = {
  distributor: "$upstream_distributor",
  queryFrontend: "$upstream_query_frontend",
  ruler: "$upstream_ruler",
  alertmanager: "$upstream_alertmanager",
};

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;

interface HostPort {
  readonly host: string;
  readonly port: number;
  readonly isIp: boolean;
}

function parseHostPort(what: string, value: string): HostPort {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):([0-9]{1,5})$/.exec(value);
  const host = match?.[1];
  const port = Number(match?.[2]);
  if (!host || !(port >= 1 && port <= 65535)) throw new Error(`gateway: ${what} must be host:port, got "${value}"`);
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  const ip = isIP(bare);
  if (host.startsWith("[") ? ip !== 6 : ip === 0 && !HOST_NAME.test(host)) {
    throw new Error(`gateway: ${what} has an invalid host "${host}"`);
  }
  return { host, port, isIp: ip !== 0 };
}

function checkPath(what: string, value: string): string {
  if (!SAFE_PATH.test(value)) throw new Error(`gateway: ${what} must be an absolute path of [A-Za-z0-9._/-], got "${value}"`);
  return value;
}

/** nginx rate syntax: whole requests per second, else whole requests per minute. */
export function nginxRate(rate: number): string {
  if (!(rate > 0)) throw new Error(`gateway: rate must be > 0, got ${rate}`);
  if (Number.isInteger(rate)) return `${rate}r/s`;
  const perMinute = Math.round(rate * 60);
  if (Math.abs(rate * 60 - perMinute) > 1e-9 || perMinute < 1) {
    throw new Error(`gateway: rate ${rate} r/s is not a whole number of requests per second or minute`);
  }
  return `${perMinute}r/m`;
}

/** nginx location matcher for a route. */
function locationMatcher(route: GatewayRoute): string {
  return route.match === "=" ? `= ${route.path}` : route.path;
}

/** Renders nginx.conf. Throws on inputs that would produce an unsafe or invalid configuration. */
export function renderNginxConf(options: NginxConfOptions): string {
  const { settings } = options;
  const paths: GatewayPaths = { ...PRODUCTION_PATHS, ...options.paths };
  for (const [key, value] of Object.entries(paths)) checkPath(`paths.${key}`, value);
  const run = paths.runtimeDir.replace(/\/+$/, "") || "/";
  const listenPort = options.listen?.port ?? GATEWAY_PORT;
  if (!Number.isInteger(listenPort) || listenPort < 1 || listenPort > 65535) throw new Error(`gateway: invalid listen port ${listenPort}`);
  const listenAddress = options.listen?.address;
  if (listenAddress !== undefined && isIP(listenAddress) !== 4) throw new Error(`gateway: listen address must be an IPv4 address, got "${listenAddress}"`);

  const targets = (Object.keys(UPSTREAM_VARIABLES) as Array<keyof GatewayUpstreams>).filter(
    (key) => options.upstreams[key] !== undefined,
  );
  const upstreams = Object.fromEntries(
    targets.map((key) => [key, parseHostPort(`upstreams.${key}`, options.upstreams[key]!)]),
  ) as Partial<Record<keyof GatewayUpstreams, HostPort>>;
  if (options.resolver === null) {
    const named = Object.entries(upstreams).find(([, upstream]) => !upstream!.isIp);
    if (named) throw new Error(`gateway: upstreams.${named[0]} is a host name (${named[1]!.host}); a resolver is required`);
  } else {
    const resolver = /^(.+?)(?::([0-9]{1,5}))?$/.exec(options.resolver);
    const host = resolver?.[1] ?? "";
    if (!(isIP(host) === 4 || HOST_NAME.test(host))) throw new Error(`gateway: invalid resolver "${options.resolver}"`);
  }

  const workerProcesses = settings.workerProcesses;
  if (workerProcesses !== "auto" && !(Number.isInteger(workerProcesses) && workerProcesses > 0)) {
    throw new Error(`gateway: workerProcesses must be "auto" or a positive integer`);
  }
  if (!/^[0-9]+[kKmMgG]?$/.test(settings.clientMaxBodySize)) throw new Error(`gateway: invalid clientMaxBodySize "${settings.clientMaxBodySize}"`);
  const { perTenant, perClientIp } = settings.rateLimits;
  for (const [name, limit] of [["perTenant", perTenant], ["perClientIp", perClientIp]] as const) {
    if (!Number.isInteger(limit.burst) || limit.burst < 0) throw new Error(`gateway: rateLimits.${name}.burst must be a whole number >= 0`);
  }
  for (const [name, value] of Object.entries(settings.concurrency)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`gateway: concurrency.${name} must be a whole number >= 1`);
  }
  const trusted = (options.trustedProxyCidrs ?? []).map((cidr) => {
    const [address, bits] = cidr.split("/");
    if (!address || !isIP(address) || !/^[0-9]{1,3}$/.test(bits ?? "")) throw new Error(`gateway: invalid trusted proxy CIDR "${cidr}"`);
    return cidr;
  });

  const listen = listenAddress ? `${listenAddress}:${listenPort}` : `${listenPort}`;
  const L = LIMIT_NAMES;

  const routeBlocks = GATEWAY_ROUTES.filter((route) => upstreams[route.target] !== undefined).map((route) =>
    [
      `        location ${locationMatcher(route)} {`,
      `            if ($tenant_from_token = "") {`,
      `                return 401;`,
      `            }`,
      `            limit_req zone=req_per_client_ip burst=${perClientIp.burst} nodelay;`,
      `            limit_req zone=req_per_tenant burst=${perTenant.burst} nodelay;`,
      `            limit_conn conn_per_client_ip ${settings.concurrency.perClientIp};`,
      `            limit_conn conn_per_tenant ${settings.concurrency.perTenant};`,
      `            proxy_pass ${UPSTREAM_VARIABLES[route.target]};`,
      `        }`,
    ].join("\n"),
  ).join("\n\n");

  const upstreamSets = targets
    .map((key) => `        set ${UPSTREAM_VARIABLES[key]} http://${upstreams[key]!.host}:${upstreams[key]!.port};`)
    .join("\n");

  const resolverLines =
    options.resolver === null
      ? ["    # No resolver: every upstream is a literal IP address."]
      : [
          "    # Upstreams are proxied through variables, so nginx re-resolves their names at run time",
          "    # (headless Services return every ready pod) instead of once at start-up.",
          `    resolver ${options.resolver} valid=10s ipv6=off;`,
          "    resolver_timeout 5s;",
        ];

  const realIpLines =
    trusted.length === 0
      ? ["    # No trusted proxies: the client IP is the TCP peer; X-Forwarded-For is ignored."]
      : [
          "    # The client IP is the right-most X-Forwarded-For address not in a trusted proxy range.",
          ...trusted.map((cidr) => `    set_real_ip_from ${cidr};`),
          "    real_ip_header X-Forwarded-For;",
          "    real_ip_recursive on;",
        ];

  const lines = [
    "# Tenancy gateway for Grafana Mimir. Generated by src/gateway/nginx-conf.ts: do not edit by hand.",
    "#",
    "# Clients authenticate with `Authorization: Bearer <token>`; the token map (mounted from the",
    "# gateway-tokens Secret) resolves the token to a tenant, which is sent upstream as X-Scope-OrgID.",
    "# Any X-Scope-OrgID or Authorization header from the client is dropped.",
    "",
    `worker_processes ${workerProcesses};`,
    `pid ${run}/nginx.pid;`,
    "# On graceful shutdown (nginx -s quit), close connections still open after this long.",
    `worker_shutdown_timeout ${WORKER_SHUTDOWN_TIMEOUT_SECONDS}s;`,
    `error_log ${paths.errorLog} warn;`,
    "",
    "events {",
    "    worker_connections 4096;",
    "}",
    "",
    "http {",
    "    server_tokens off;",
    "    # Must precede every map; sized for tokens up to 200 characters.",
    "    map_hash_bucket_size 256;",
    "    default_type application/json;",
    "",
    `    client_body_temp_path ${run}/client_temp;`,
    `    proxy_temp_path ${run}/proxy_temp;`,
    `    fastcgi_temp_path ${run}/fastcgi_temp;`,
    `    uwsgi_temp_path ${run}/uwsgi_temp;`,
    `    scgi_temp_path ${run}/scgi_temp;`,
    "",
    `    client_max_body_size ${settings.clientMaxBodySize};`,
    "    client_body_buffer_size 128k;",
    "    # Remote-write bodies are already snappy-compressed; nothing is compressed on the way back either.",
    "    gzip off;",
    "",
    "    log_format gateway_json escape=json",
    "        '{'",
    `        '"time":"$time_iso8601",'`,
    `        '"tenant":"$tenant_from_token",'`,
    `        '"client_ip":"$remote_addr",'`,
    `        '"method":"$request_method",'`,
    `        '"path":"$uri",'`,
    `        '"status":$status,'`,
    `        '"bytes_sent":$bytes_sent,'`,
    `        '"request_time":$request_time,'`,
    `        '"upstream_addr":"$upstream_addr",'`,
    `        '"upstream_response_time":"$upstream_response_time",'`,
    `        '"limited_by":"$gateway_limit_name",'`,
    `        '"request_id":"$request_id",'`,
    `        '"user_agent":"$http_user_agent"'`,
    "        '}';",
    `    access_log ${paths.accessLog} gateway_json;`,
    ...(options.metricsSocket ? ["", ...logMetricsNginxLines(checkPath("metricsSocket", options.metricsSocket))] : []),
    "",
    ...resolverLines,
    "",
    ...realIpLines,
    "",
    "    # --- Authentication -------------------------------------------------------------------",
    "    # RFC 6750 bearer token (scheme case-insensitive); anything else yields an empty token.",
    "    map $http_authorization $gateway_bearer_token {",
    '        default "";',
    '        "~*^bearer\\s+([A-Za-z0-9._~+/-]+=*)$" $1;',
    "    }",
    "",
    "    # Token -> tenant. nginx compares these keys case-insensitively; tokens are long random strings.",
    "    map $gateway_bearer_token $tenant_from_token {",
    '        default "";',
    `        include ${paths.tokenMap};`,
    "    }",
    "",
    "    map $http_authorization $gateway_unauthorized_message {",
    '        "" "missing bearer token: send Authorization: Bearer <token>";',
    '        default "invalid or unknown bearer token";',
    "    }",
    "",
    "    map $http_authorization $gateway_www_authenticate {",
    `        "" 'Bearer realm="mimir"';`,
    `        default 'Bearer realm="mimir", error="invalid_token"';`,
    "    }",
    "",
    "    # --- Limits -----------------------------------------------------------------------------",
    "    # Each location applies the per-client-IP limit first, then the per-tenant one; nginx stops at",
    "    # the first limit that rejects, so a client over its own limit does not use up its tenant's.",
    `    limit_req_zone $binary_remote_addr zone=req_per_client_ip:10m rate=${nginxRate(perClientIp.rate)};`,
    `    limit_req_zone $gateway_req_tenant_key zone=req_per_tenant:1m rate=${nginxRate(perTenant.rate)};`,
    "    limit_conn_zone $binary_remote_addr zone=conn_per_client_ip:10m;",
    "    limit_conn_zone $gateway_conn_tenant_key zone=conn_per_tenant:1m;",
    "    limit_req_status 429;",
    "    limit_conn_status 429;",
    "    limit_req_log_level warn;",
    "    limit_conn_log_level warn;",
    "",
    "    # Telling which limit fired. Within one limit_req (or limit_conn) check nginx evaluates the",
    "    # zone keys in order and stops at the first zone that rejects. The per-tenant keys below are",
    "    # ordinary (cached) map variables, so once evaluated they keep their value for the request:",
    "    # - evaluated during the check (the per-client-IP zone passed): the tenant id;",
    "    # - first evaluated afterwards, by the 429 page, when the module's status is REJECTED: empty.",
    "    # An empty per-tenant key on a rejected request therefore means the per-client-IP limit fired.",
    "    map $limit_req_status $gateway_req_tenant_key {",
    "        default $tenant_from_token;",
    '        REJECTED "";',
    "    }",
    "",
    "    map $limit_conn_status $gateway_conn_tenant_key {",
    "        default $tenant_from_token;",
    '        REJECTED "";',
    "    }",
    "",
    '    map "$limit_conn_status:$gateway_conn_tenant_key|$limit_req_status:$gateway_req_tenant_key" $gateway_limit_name {',
    '        default "";',
    `        "~^REJECTED:\\|" ${L.concurrencyPerClientIp};`,
    `        "~^REJECTED:[^|]" ${L.concurrencyPerTenant};`,
    `        "~\\|REJECTED:$" ${L.perClientIp};`,
    `        "~\\|REJECTED:." ${L.perTenant};`,
    "    }",
    "",
    "    map $gateway_limit_name $gateway_limit_message {",
    '        default "too many requests";',
    `        ${L.perTenant} "request rate limit of this tenant exceeded";`,
    `        ${L.perClientIp} "request rate limit of this client IP exceeded";`,
    `        ${L.concurrencyPerTenant} "too many concurrent requests for this tenant";`,
    `        ${L.concurrencyPerClientIp} "too many concurrent requests from this client IP";`,
    "    }",
    "",
    "    # --- Proxying ---------------------------------------------------------------------------",
    "    proxy_http_version 1.1;",
    "    proxy_connect_timeout 5s;",
    "    proxy_read_timeout 300s;",
    "    # These replace any client-sent header of the same name.",
    "    proxy_set_header Host $proxy_host;",
    "    proxy_set_header X-Scope-OrgID $tenant_from_token;",
    '    proxy_set_header Authorization "";',
    "    proxy_set_header X-Real-IP $remote_addr;",
    "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "    proxy_set_header X-Request-ID $request_id;",
    "",
    "    server {",
    `        listen ${listen} default_server;`,
    ...tlsLines(options.tls),
    "        server_name _;",
    "",
    upstreamSets,
    "",
    "        add_header X-Request-ID $request_id always;",
    "",
    "        error_page 401 = @unauthorized;",
    "        error_page 413 = @payload_too_large;",
    "        error_page 429 = @rate_limited;",
    "        error_page 502 = @bad_gateway;",
    "        error_page 504 = @gateway_timeout;",
    "",
    "        location = /ready {",
    "            access_log off;",
    "            default_type text/plain;",
    "            return 200 'ready\\n';",
    "        }",
    "",
    routeBlocks,
    "",
    "        location / {",
    `            return 404 '{"error":"not_found","message":"no route for this path"}\\n';`,
    "        }",
    "",
    "        location @unauthorized {",
    "            add_header WWW-Authenticate $gateway_www_authenticate always;",
    "            add_header X-Request-ID $request_id always;",
    `            return 401 '{"error":"unauthorized","message":"$gateway_unauthorized_message"}\\n';`,
    "        }",
    "",
    "        location @rate_limited {",
    "            add_header Retry-After 1 always;",
    "            add_header X-Request-ID $request_id always;",
    `            return 429 '{"error":"rate_limited","limit":"$gateway_limit_name","message":"$gateway_limit_message"}\\n';`,
    "        }",
    "",
    "        location @payload_too_large {",
    `            return 413 '{"error":"payload_too_large","message":"request body exceeds ${settings.clientMaxBodySize}"}\\n';`,
    "        }",
    "",
    "        location @bad_gateway {",
    `            return 502 '{"error":"bad_gateway","message":"upstream unavailable"}\\n';`,
    "        }",
    "",
    "        location @gateway_timeout {",
    `            return 504 '{"error":"gateway_timeout","message":"upstream timed out"}\\n';`,
    "        }",
    "    }",
    ...statusServerLines(options.statusPort),
    "}",
    "",
  ];
  return lines.join("\n");
}
