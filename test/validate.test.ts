import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CrdSchemas, crdSchemas } from "../src/validate/crd-schema.js";
import { isCoreKind, validateCoreObject } from "../src/validate/k8s-schema.js";
import { kustomizeBuild } from "../src/validate/kustomize.js";
import { validateManifests } from "../src/validate/manifests.js";
import { checkMimirConfig, checkRuntimeConfig, editDistance, isDurationString } from "../src/validate/mimir-keys.js";
import { checkMimirArgs } from "../src/validate/mimir-flags.js";
import { findPlaceholders, MIMIR_EXPAND_ENV_ALLOWLIST } from "../src/validate/placeholders.js";
import { formatProblem, type Problem } from "../src/validate/problem.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemasDir = path.join(repoRoot, "imports", "schemas");
const ctx = { file: "dist/test/mimir.yaml", object: "ConfigMap/mimir-config" };

function deployment(overrides: { spec?: Record<string, unknown>; container?: Record<string, unknown> } = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "querier", namespace: "mimir", labels: { "app.kubernetes.io/name": "querier" }, annotations: { "a.b/c": "d" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "querier" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "15%", maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: "querier" } },
        spec: {
          containers: [
            {
              name: "querier",
              image: "grafana/mimir:3.0.0",
              args: ["-target=querier", "-config.file=/etc/mimir/mimir.yaml"],
              ports: [{ name: "http-metrics", containerPort: 8080, protocol: "TCP" }],
              resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "1Gi" } },
              readinessProbe: { httpGet: { path: "/ready", port: "http-metrics" }, initialDelaySeconds: 45 },
              env: [{ name: "GOMAXPROCS", value: "5" }],
              ...overrides.container,
            },
          ],
          nodeSelector: { "kubernetes.io/os": "linux" },
        },
      },
      ...overrides.spec,
    },
  };
}

function serviceMonitor(endpoint: Record<string, unknown> = {}) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: "mimir", namespace: "mimir", labels: { team: "obs" } },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/part-of": "mimir" } },
      namespaceSelector: { matchNames: ["mimir"] },
      endpoints: [{ port: "http-metrics", interval: "15s", scheme: "http", ...endpoint }],
    },
  };
}

const validate = (objects: unknown[], file = "dist/test/objects.yaml", allow?: Set<string>): Problem[] =>
  validateManifests([{ file, objects }], allow ? { schemasDir, placeholderAllow: allow } : { schemasDir });

describe("formatProblem", () => {
  it("joins the parts that are present", () => {
    expect(formatProblem({ file: "f.yaml", object: "Service/x", path: "spec.ports[0]", message: "bad" })).toBe("f.yaml: Service/x: spec.ports[0]: bad");
    expect(formatProblem({ file: "f.yaml", message: "bad" })).toBe("f.yaml: bad");
  });
});

describe("Kubernetes schemas", () => {
  it("accepts a valid Deployment", () => {
    expect(validate([deployment()])).toEqual([]);
  });

  it("rejects an unknown container field with its path", () => {
    const problems = validate([deployment({ container: { bogus: true } })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ object: "Deployment/querier", path: "spec.template.spec.containers[0].bogus" });
    expect(problems[0]!.message).toMatch(/unknown field "bogus"/);
  });

  it("rejects a wrong type", () => {
    const problems = validate([deployment({ spec: { replicas: "3" } })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "spec.replicas" });
    expect(problems[0]!.message).toMatch(/expected integer, got string "3"/);
  });

  it("rejects an unknown top-level spec field", () => {
    const problems = validate([deployment({ spec: { replica: 3 } })]);
    expect(problems.map((p) => [p.path, p.message])).toEqual([["spec.replica", 'unknown field "replica"']]);
  });

  it("reports int-or-string, enum and required errors", () => {
    const problems = validateCoreObject({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { type: "Bogus", ports: [{ port: 80, targetPort: true }, {}] },
    })!;
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath["spec.ports[0].targetPort"]).toMatch(/expected string or integer|expected integer or string/);
    expect(byPath["spec.ports[1]"]).toMatch(/missing required field "port"/);
    expect(byPath["spec.type"]).toMatch(/must be one of .*"ClusterIP".*; got string "Bogus"/);
  });

  it("allows free-form maps (labels, annotations, data, resources)", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { "x.y/z": "1" } }, data: { "any.key": "v" } };
    expect(validate([cm])).toEqual([]);
    expect(isCoreKind("apps/v1", "StatefulSet")).toBe(true);
  });

  it("requires metadata.name and a known schema", () => {
    const problems = validate([
      { apiVersion: "v1", kind: "ConfigMap", metadata: {} },
      { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
    ]);
    expect(problems.map((p) => p.message)).toEqual(["metadata.name is required", "no schema for example.com/v1 Widget"]);
  });
});

describe("CRD schemas", () => {
  it("accepts a valid ServiceMonitor (int-or-string targetPort both ways)", () => {
    expect(validate([serviceMonitor({ targetPort: 8080 })])).toEqual([]);
    expect(validate([serviceMonitor({ targetPort: "http" })])).toEqual([]);
  });

  it("rejects an unknown ServiceMonitor field", () => {
    const problems = validate([serviceMonitor({ intervall: "15s" })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ object: "ServiceMonitor/mimir", path: "spec.endpoints[0].intervall" });
    expect(problems[0]!.message).toMatch(/unknown field/);
  });

  it("rejects enum and pattern violations and checks CR metadata", () => {
    const sm = serviceMonitor({ scheme: "HTTPX", interval: "15 seconds" });
    (sm.metadata as Record<string, unknown>).lables = {};
    const paths = validate([sm]).map((p) => p.path).sort();
    expect(paths).toEqual(["metadata.lables", "spec.endpoints[0].interval", "spec.endpoints[0].scheme"]);
  });

  it("compiles per object shape, then once for the whole schema, with the same findings", () => {
    const crds = new CrdSchemas(schemasDir);
    const extras: Array<Record<string, unknown>> = [
      { jobLabel: "app" }, { targetLabels: ["a"] }, { podTargetLabels: ["b"] }, { sampleLimit: 1 }, { targetLimit: 1 },
      { labelLimit: 1 }, { labelNameLengthLimit: 1 }, { labelValueLengthLimit: 1 }, { keepDroppedTargets: 1 }, { attachMetadata: { node: true } },
    ];
    extras.forEach((extra, i) => {
      const sm = serviceMonitor({ scheme: "HTTPX" });
      Object.assign(sm.spec, extra, { [`bogus${i}`]: i });
      expect(crds.validate(sm)!.map((f) => f.path).sort()).toEqual([`spec.bogus${i}`, "spec.endpoints[0].scheme"]);
    });
    expect(crds.validate(serviceMonitor())).toEqual([]);
    expect(crds.compileCount).toBe(9); // 8 shapes, then the full schema once
  });

  it("caches the compiled schema per process", () => {
    const crds = crdSchemas(schemasDir);
    expect(crds).toBe(crdSchemas(path.join(schemasDir, ".")));
    expect(crds.has("monitoring.coreos.com/v1", "ServiceMonitor")).toBe(true);
    expect(crds.has("monitoring.coreos.com/v1", "Nope")).toBe(false);
  });
});

describe("Mimir config keys", () => {
  const good = {
    target: "all",
    multitenancy_enabled: true,
    server: { http_listen_port: 8080, graceful_shutdown_timeout: "30s" },
    blocks_storage: { backend: "s3", s3: { bucket_name: "mimir-blocks", endpoint: null } },
    ingester: { ring: { replication_factor: 3 } },
    memberlist: { join_members: ["dns+gossip-ring:7946"] },
    limits: { ingestion_rate: 10000, compactor_blocks_retention_period: "15d", max_global_series_per_user: 0 },
    runtime_config: { file: "/var/mimir/runtime.yaml" },
  };

  it("accepts real keys", () => {
    expect(checkMimirConfig(good, ctx)).toEqual([]);
  });

  it("rejects a misspelled key with a suggestion", () => {
    const problems = checkMimirConfig({ blocks_storage: { s3: { bucketname: "x" } } }, ctx);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe('unknown Mimir config key "blocks_storage.s3.bucketname" (did you mean "blocks_storage.s3.bucket_name"?)');
    expect(formatProblem(problems[0]!)).toMatch(/^dist\/test\/mimir\.yaml: ConfigMap\/mimir-config: unknown/);
  });

  it("suggests the right block for a key in the wrong place", () => {
    const [p] = checkMimirConfig({ blocks_storage: { bucket_name: "x" } }, ctx);
    expect(p!.message).toMatch(/did you mean "blocks_storage\.[a-z0-9_]+\.bucket_name"/);
  });

  it("rejects an int key given a string", () => {
    const problems = checkMimirConfig({ server: { http_listen_port: "8080" } }, ctx);
    expect(problems.map((p) => p.message)).toEqual(['Mimir config key "server.http_listen_port" expects an int, got string "8080"']);
    expect(checkMimirConfig({ ingester: { ring: { replication_factor: 1.5 } } }, ctx)).toHaveLength(1);
  });

  it("checks durations, booleans and lists", () => {
    expect(checkMimirConfig({ server: { graceful_shutdown_timeout: "30 seconds" } }, ctx)[0]!.message).toMatch(/expects a duration/);
    expect(checkMimirConfig({ multitenancy_enabled: "true" }, ctx)).toHaveLength(1);
    expect(checkMimirConfig({ memberlist: { join_members: "gossip-ring" } }, ctx)).toHaveLength(1);
    expect(checkMimirConfig({ server: { http_listen_port: null } }, ctx)).toEqual([]);
    for (const d of ["30s", "1h30m", "15d", "0", "0s", "500ms", "1.5h", "2w"]) expect(isDurationString(d)).toBe(true);
    for (const d of ["", "30", "1 h", "h", "10x"]) expect(isDurationString(d)).toBe(false);
  });

  it("rejects a block given a scalar", () => {
    expect(checkMimirConfig({ blocks_storage: "s3" }, ctx)[0]!.message).toMatch(/must be a mapping/);
  });

  it("computes edit distance", () => {
    expect(editDistance("bucketname", "bucket_name")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});

describe("Mimir runtime config", () => {
  it("accepts per-tenant overrides and instance limits", () => {
    const doc = {
      overrides: { "team-a": { ingestion_rate: 1000 }, "team-b": null },
      ingester_limits: { max_series: 1500000 },
      distributor_limits: { max_ingestion_rate: 100000 },
    };
    expect(checkRuntimeConfig(doc, ctx)).toEqual([]);
  });

  it("rejects a misspelled tenant limit", () => {
    const problems = checkRuntimeConfig({ overrides: { "team-a": { ingestion_rat: 1 } } }, ctx);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(
      'unknown Mimir runtime config key "overrides.team-a.ingestion_rat" (did you mean "overrides.team-a.ingestion_rate"?)',
    );
  });

  it("rejects unknown top-level keys and wrongly typed limits", () => {
    expect(checkRuntimeConfig({ override: {} }, ctx)[0]!.message).toMatch(/unknown Mimir runtime config key "override" \(did you mean "overrides"\?\)/);
    expect(checkRuntimeConfig({ overrides: { t: { max_global_series_per_user: "lots" } } }, ctx)).toHaveLength(1);
  });

  it("is applied to ConfigMap data by validateManifests", () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "mimir-config", namespace: "mimir" },
      data: {
        "mimir.yaml": "server:\n  http_listen_port: 8080\nblocks_storage:\n  s3:\n    bucketname: x\n",
        "runtime.yaml": "overrides:\n  team-a:\n    ingestion_rat: 1\n",
      },
    };
    const problems = validate([cm]);
    expect(problems.map((p) => p.path)).toEqual(['data["mimir.yaml"]', 'data["runtime.yaml"]']);
    expect(validate([{ ...cm, data: { "mimir.yaml": "a: [" } }])[0]!.message).toMatch(/invalid YAML/);
  });
});

describe("placeholders", () => {
  it("flags ${NAME} not on the allow-list, with the field path", () => {
    const problems = findPlaceholders({ data: { "mimir.yaml": "access_key_id: ${S3_KEY}\nsecret: ${S3_SECRET:fallback}" } }, new Set(["S3_KEY"]), { file: "f" });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('data["mimir.yaml"]');
    expect(problems[0]!.message).toMatch(/"\$\{S3_SECRET\}"/);
  });

  it("ignores $NAME, $(NAME) and allowed names", () => {
    expect(findPlaceholders(["$HOME", "$(POD_IP)", "{{ $labels.x }}", "${OK}"], new Set(["OK"]))).toEqual([]);
    expect(MIMIR_EXPAND_ENV_ALLOWLIST.size).toBe(0);
  });

  it("runs over every object in validateManifests and honours placeholderAllow", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { x: "${TOKEN}" } };
    expect(validate([cm]).map((p) => p.path)).toEqual(["data.x"]);
    expect(validate([cm], undefined, new Set(["TOKEN"]))).toEqual([]);
  });
});

describe("duplicates", () => {
  const svc = (name: string, namespace?: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: namespace ? { name, namespace } : { name },
    spec: { ports: [{ port: 80 }] },
  });

  it("rejects the same Kind/namespace/name across files of one env", () => {
    const problems = validateManifests(
      [
        { file: "dist/prod/a.yaml", objects: [svc("gw", "mimir")] },
        { file: "dist/prod/b.yaml", objects: [svc("gw", "mimir")] },
      ],
      { schemasDir },
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "dist/prod/b.yaml", object: "Service/gw" });
    expect(problems[0]!.message).toMatch(/duplicate object Service mimir\/gw \(first defined in dist\/prod\/a\.yaml\)/);
  });

  it("allows the same name in another namespace or kind", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "gw", namespace: "mimir" } };
    expect(validate([svc("gw", "mimir"), svc("gw", "other"), cm])).toEqual([]);
  });
});

describe.skipIf(!existsSync("/usr/bin/kubectl"))("kustomize", () => {
  it("builds a directory and reports failures", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kustomize-test-"));
    try {
      writeFileSync(path.join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
      writeFileSync(path.join(dir, "kustomization.yaml"), "resources:\n  - cm.yaml\n");
      const ok = kustomizeBuild(dir);
      expect(ok.ok).toBe(true);
      expect(ok.stdout).toMatch(/name: c/);
      writeFileSync(path.join(dir, "kustomization.yaml"), "resources:\n  - missing.yaml\n");
      expect(kustomizeBuild(dir).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Mimir container flags", () => {
  const ctx = { file: "dist/prod/ingester.yaml", object: "StatefulSet/ingester-zone-a", path: "spec.template.spec.containers[0].args" };

  it("accepts real flags, typed values and the CLI-only flags", () => {
    expect(
      checkMimirArgs(
        ["-target=ingester", "-config.expand-env=true", "-config.file=/etc/mimir/mimir.yaml", "-shutdown-delay=90s", "-memberlist.abort-if-fast-join-fails=true", "-server.grpc-max-send-msg-size-bytes=209715200"],
        ctx,
      ),
    ).toEqual([]);
  });

  it("rejects unknown flags with a suggestion, and values of the wrong type", () => {
    expect(checkMimirArgs(["-shutdown-dealy=90s", "-server.grpc-max-send-msg-size-bytes=200MB", "-shutdown-delay=soon"], ctx)).toEqual([
      { ...ctx, path: `${ctx.path}[0]`, message: "unknown Mimir flag -shutdown-dealy (did you mean -shutdown-delay?)" },
      { ...ctx, path: `${ctx.path}[1]`, message: "-server.grpc-max-send-msg-size-bytes=200MB: expected an integer (sets server.grpc_server_max_send_msg_size)" },
      { ...ctx, path: `${ctx.path}[2]`, message: "-shutdown-delay=soon: expected a duration such as 30s or 5m (sets shutdown_delay)" },
    ]);
  });

  it("is applied to Mimir containers by validateManifests", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "querier", namespace: "mimir" },
      spec: {
        selector: { matchLabels: { app: "q" } },
        template: {
          metadata: { labels: { app: "q" } },
          spec: { containers: [{ name: "querier", image: "grafana/mimir:3.0.1", args: ["-target=querier", "-querier.max-concurrent-queries=8"] }] },
        },
      },
    };
    const problems = validateManifests([{ file: "dist/prod/querier.yaml", objects: [deployment] }], { schemasDir });
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^dist\/prod\/querier\.yaml: Deployment\/querier: spec\.template\.spec\.containers\[0\]\.args\[1\]: unknown Mimir flag -querier\.max-concurrent-queries/),
    ]);
  });
});
