import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { diffTrees, formatDiff, isEmpty, readTree } from "../src/diff/semantic-diff.js";

// ---------------------------------------------------------------------------
// Builders

type Obj = Record<string, unknown>;

function yamlDocs(...docs: Obj[]): string {
  return docs.map((d) => `---\n${dump(d)}`).join("");
}

function tree(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

function ingester(opts: { replicas?: number; args?: string[]; sidecarFirst?: boolean; zone?: string } = {}): Obj {
  const ingesterContainer = {
    name: "ingester",
    image: "grafana/mimir:2.14.0",
    args: opts.args ?? ["-target=ingester", "-config.file=/etc/mimir/mimir.yaml", "-ingester.ring.zone-awareness-enabled=true", "-ingester.ring.instance-availability-zone=zone-a"],
  };
  const sidecar = { name: "config-reloader", image: "reloader:1.0" };
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: `ingester-${opts.zone ?? "zone-a"}`, namespace: "mimir" },
    spec: {
      replicas: opts.replicas ?? 3,
      template: {
        spec: { containers: opts.sidecarFirst ? [sidecar, ingesterContainer] : [ingesterContainer, sidecar] },
      },
    },
  };
}

function service(name: string, port = 8080): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "mimir" },
    spec: { ports: [{ name: "http", port }] },
  };
}

function mimirConfigMap(ingestionRate: number, extra: Obj = {}): Obj {
  const mimirYaml = dump({
    target: "all",
    limits: { ingestion_rate: ingestionRate, max_global_series_per_user: 150000, ...extra },
    blocks_storage: { backend: "s3", s3: { bucket_name: "acme-obs-prod-mimir-metrics" } },
  });
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "mimir-config", namespace: "mimir" },
    data: { "mimir.yaml": mimirYaml },
  };
}

function lines(text: string): string[] {
  return text.split("\n");
}

// ---------------------------------------------------------------------------

describe("diffTrees / formatDiff", () => {
  it("reports nothing for identical trees, and ignores formatting and key order", () => {
    const committed = tree({
      "dist/prod/ingester.yaml": yamlDocs(ingester(), service("ingester")),
      "dist/prod/config.yaml": yamlDocs(mimirConfigMap(10000)),
    });
    expect(isEmpty(diffTrees(committed, committed))).toBe(true);
    expect(formatDiff(diffTrees(committed, committed))).toBe("No differences.");

    // Same content, different layout: flow style, reordered keys, quoted scalars.
    const reformatted = tree({
      "dist/prod/ingester.yaml": yamlDocs(ingester()) +
        "---\n" +
        'spec: {ports: [{port: 8080, name: "http"}]}\nmetadata: {namespace: mimir, name: "ingester"}\nkind: Service\napiVersion: v1\n',
      "dist/prod/config.yaml": yamlDocs(mimirConfigMap(10000)),
    });
    const report = diffTrees(committed, reformatted);
    expect(isEmpty(report)).toBe(true);
  });

  it("reports a changed replica count", () => {
    const report = diffTrees(
      tree({ "dist/prod/ingester.yaml": yamlDocs(ingester({ replicas: 3 })) }),
      tree({ "dist/prod/ingester.yaml": yamlDocs(ingester({ replicas: 4 })) }),
    );
    expect(report.changed).toHaveLength(1);
    expect(report.changed[0]!.changes).toEqual([{ op: "changed", path: "spec.replicas", old: 3, new: 4 }]);
    expect(lines(formatDiff(report))).toEqual([
      "~ StatefulSet mimir/ingester-zone-a (dist/prod/ingester.yaml)",
      "  spec.replicas: 3 → 4",
      "1 object(s) differ: 1 changed, 0 moved, 0 added, 0 removed; files: 0 added, 0 removed, 0 unparseable",
    ]);
  });

  it("matches list items by name, so reordering containers does not hide an argument change", () => {
    const oldArgs = ["-target=ingester", "-a", "-b", "-ingester.max-series=100"];
    const newArgs = ["-target=ingester", "-a", "-b", "-ingester.max-series=200"];
    const report = diffTrees(
      tree({ "dist/prod/ingester.yaml": yamlDocs(ingester({ args: oldArgs })) }),
      tree({ "dist/prod/ingester.yaml": yamlDocs(ingester({ args: newArgs, sidecarFirst: true })) }),
    );
    expect(lines(formatDiff(report))).toEqual([
      "~ StatefulSet mimir/ingester-zone-a (dist/prod/ingester.yaml)",
      '  spec.template.spec.containers[name=ingester].args[3]: "-ingester.max-series=100" → "-ingester.max-series=200"',
      "  spec.template.spec.containers: order ingester, config-reloader → config-reloader, ingester",
      "1 object(s) differ: 1 changed, 0 moved, 0 added, 0 removed; files: 0 added, 0 removed, 0 unparseable",
    ]);
  });

  it("aligns scalar lists so an inserted argument is one addition, not a shifted tail", () => {
    const report = diffTrees(
      tree({ "dist/prod/ingester.yaml": yamlDocs(ingester({ args: ["-a", "-b", "-c"] })) }),
      tree({ "dist/prod/ingester.yaml": yamlDocs(ingester({ args: ["-a", "-x", "-b", "-c"] })) }),
    );
    expect(report.changed[0]!.changes).toEqual([
      { op: "added", path: "spec.template.spec.containers[name=ingester].args[1]", value: "-x" },
    ]);
  });

  it("falls back to indexes when list items have no unique name", () => {
    const withVolumes = (paths: string[]): Obj => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "mimir" },
      spec: { volumeMounts: paths.map((mountPath) => ({ name: "data", mountPath })) },
    });
    const report = diffTrees(
      tree({ "dist/prod/pod.yaml": yamlDocs(withVolumes(["/a", "/b"])) }),
      tree({ "dist/prod/pod.yaml": yamlDocs(withVolumes(["/a", "/c", "/d"])) }),
    );
    expect(lines(formatDiff(report)).slice(0, 3)).toEqual([
      "~ Pod mimir/p (dist/prod/pod.yaml)",
      '  spec.volumeMounts[1].mountPath: "/b" → "/c"',
      '  + spec.volumeMounts[2]: {"name":"data","mountPath":"/d"}',
    ]);
  });

  it("reports added and removed objects", () => {
    const report = diffTrees(
      tree({ "dist/prod/services.yaml": yamlDocs(service("distributor"), service("querier")) }),
      tree({ "dist/prod/services.yaml": yamlDocs(service("distributor"), service("query-frontend")) }),
    );
    expect(report.added.map((r) => r.name)).toEqual(["query-frontend"]);
    expect(report.removed.map((r) => r.name)).toEqual(["querier"]);
    expect(lines(formatDiff(report))).toEqual([
      "- Service mimir/querier (dist/prod/services.yaml)",
      "+ Service mimir/query-frontend (dist/prod/services.yaml)",
      "2 object(s) differ: 0 changed, 0 moved, 1 added, 1 removed; files: 0 added, 0 removed, 0 unparseable",
    ]);
  });

  it("reports an object moved to another file, with any change made on the way", () => {
    const report = diffTrees(
      tree({
        "dist/prod/ingester.yaml": yamlDocs(ingester(), service("ingester")),
        "dist/prod/services.yaml": yamlDocs(service("distributor")),
      }),
      tree({
        "dist/prod/ingester.yaml": yamlDocs(ingester()),
        "dist/prod/services.yaml": yamlDocs(service("distributor"), service("ingester", 9095)),
      }),
    );
    expect(report.added).toEqual([]);
    expect(report.removed).toEqual([]);
    expect(report.moved).toHaveLength(1);
    expect(lines(formatDiff(report))).toEqual([
      "> Service mimir/ingester (dist/prod/ingester.yaml → dist/prod/services.yaml)",
      "  spec.ports[name=http].port: 8080 → 9095",
      "1 object(s) differ: 0 changed, 1 moved, 0 added, 0 removed; files: 0 added, 0 removed, 0 unparseable",
    ]);
  });

  it("keeps environments apart: the same object in dist/prod and dist/dev is not a move", () => {
    const committed = tree({
      "dist/dev/ingester.yaml": yamlDocs(ingester({ replicas: 1 })),
      "dist/prod/ingester.yaml": yamlDocs(ingester({ replicas: 3 })),
    });
    const fresh = tree({
      "dist/dev/ingester.yaml": yamlDocs(ingester({ replicas: 2 })),
      "dist/prod/ingester-zone-a.yaml": yamlDocs(ingester({ replicas: 3 })),
    });
    expect(lines(formatDiff(diffTrees(committed, fresh)))).toEqual([
      "~ StatefulSet mimir/ingester-zone-a (dist/dev/ingester.yaml)",
      "  spec.replicas: 1 → 2",
      "+ file dist/prod/ingester-zone-a.yaml",
      "> StatefulSet mimir/ingester-zone-a (dist/prod/ingester.yaml → dist/prod/ingester-zone-a.yaml)",
      "- file dist/prod/ingester.yaml",
      "2 object(s) differ: 1 changed, 1 moved, 0 added, 0 removed; files: 1 added, 1 removed, 0 unparseable",
    ]);

    // Moving across environments is an addition plus a removal.
    const crossEnv = diffTrees(
      tree({ "dist/dev/extra.yaml": yamlDocs(service("debug")) }),
      tree({ "dist/prod/extra.yaml": yamlDocs(service("debug")) }),
    );
    expect(crossEnv.moved).toEqual([]);
    expect(crossEnv.added.map((r) => r.file)).toEqual(["dist/prod/extra.yaml"]);
    expect(crossEnv.removed.map((r) => r.file)).toEqual(["dist/dev/extra.yaml"]);
  });

  it("diffs a ConfigMap's embedded mimir.yaml as nested fields", () => {
    const report = diffTrees(
      tree({ "dist/prod/config.yaml": yamlDocs(mimirConfigMap(10000)) }),
      tree({ "dist/prod/config.yaml": yamlDocs(mimirConfigMap(20000, { max_label_names_per_series: 40 })) }),
    );
    expect(lines(formatDiff(report))).toEqual([
      "~ ConfigMap mimir/mimir-config (dist/prod/config.yaml)",
      '  data["mimir.yaml"].limits.ingestion_rate: 10000 → 20000',
      '  + data["mimir.yaml"].limits.max_label_names_per_series: 40',
      "1 object(s) differ: 1 changed, 0 moved, 0 added, 0 removed; files: 0 added, 0 removed, 0 unparseable",
    ]);
  });

  it("says so when embedded YAML only changed in comments or layout", () => {
    const cm = (text: string): Obj => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "runtime", namespace: "mimir" },
      data: { "runtime.yaml": text },
    });
    const report = diffTrees(
      tree({ "dist/prod/runtime.yaml": yamlDocs(cm("overrides:\n  tenant-a: {ingestion_rate: 5}\n")) }),
      tree({ "dist/prod/runtime.yaml": yamlDocs(cm("# per-tenant limits\noverrides:\n  tenant-a:\n    ingestion_rate: 5\n")) }),
    );
    expect(report.changed[0]!.changes).toEqual([{ op: "reformatted", path: 'data["runtime.yaml"]' }]);
  });

  it("diffs multi-line strings that are not documents line by line", () => {
    const script = (body: string[]): Obj => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "scripts", namespace: "mimir" },
      data: { "run.sh": `${body.join("\n")}\n` },
    });
    const before = ["#!/bin/sh", "set -eu", "echo one", "echo two", "echo three", "echo four", "echo five", "exit 0"];
    const after = [...before];
    after[4] = "echo THREE";
    const report = diffTrees(
      tree({ "dist/prod/scripts.yaml": yamlDocs(script(before)) }),
      tree({ "dist/prod/scripts.yaml": yamlDocs(script(after)) }),
    );
    expect(lines(formatDiff(report))).toEqual([
      "~ ConfigMap mimir/scripts (dist/prod/scripts.yaml)",
      '  data["run.sh"]:',
      "    @@ -3,5 +3,5 @@",
      "     echo one",
      "     echo two",
      "    -echo three",
      "    +echo THREE",
      "     echo four",
      "     echo five",
      "1 object(s) differ: 1 changed, 0 moved, 0 added, 0 removed; files: 0 added, 0 removed, 0 unparseable",
    ]);
  });

  it("compares non-object documents by file and position, and treats Flux Kustomizations as objects", () => {
    const kustomization = (resources: string[]): Obj => ({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources,
    });
    const flux = (path: string): Obj => ({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "mimir-prod", namespace: "flux-system" },
      spec: { path },
    });
    const report = diffTrees(
      tree({
        "dist/prod/kustomization.yaml": yamlDocs(kustomization(["ingester.yaml"])),
        "flux/prod.yaml": yamlDocs(flux("./dist/prod")),
      }),
      tree({
        "dist/prod/kustomization.yaml": yamlDocs(kustomization(["ingester.yaml", "services.yaml"])),
        "flux/prod.yaml": yamlDocs(flux("./dist/prod-eu")),
      }),
    );
    expect(lines(formatDiff(report))).toEqual([
      "~ Kustomization #0 (dist/prod/kustomization.yaml)",
      '  + resources[1]: "services.yaml"',
      "~ Kustomization flux-system/mimir-prod (flux/prod.yaml)",
      '  spec.path: "./dist/prod" → "./dist/prod-eu"',
      "2 object(s) differ: 2 changed, 0 moved, 0 added, 0 removed; files: 0 added, 0 removed, 0 unparseable",
    ]);
  });

  it("reports files without objects and unparseable files", () => {
    const report = diffTrees(
      tree({
        "dist/prod/old-notes.yaml": "# nothing here any more\n",
        "dist/prod/ingester.yaml": yamlDocs(ingester()),
      }),
      tree({
        "dist/prod/empty.yaml": "---\n",
        "dist/prod/ingester.yaml": yamlDocs(ingester()).replace("replicas: 3", "replicas: 3\n  replicas: 4"),
      }),
    );
    expect(report.filesAdded).toEqual([{ file: "dist/prod/empty.yaml", documents: 0 }]);
    expect(report.filesRemoved).toEqual([{ file: "dist/prod/old-notes.yaml", documents: 0 }]);
    expect(report.unparsed.map((u) => [u.file, u.side])).toEqual([["dist/prod/ingester.yaml", "fresh"]]);
    const out = lines(formatDiff(report));
    expect(out[0]).toBe("+ file dist/prod/empty.yaml (no objects)");
    expect(out[1]).toMatch(/^! dist\/prod\/ingester\.yaml: not parseable \(fresh: duplicated mapping key/);
    expect(out).toContain("    +  replicas: 4");
    expect(out).toContain("- file dist/prod/old-notes.yaml (no objects)");
  });

  it("shows the neighbourhood of the difference in long strings", () => {
    const cm = (value: string): Obj => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "long", namespace: "mimir" },
      data: { value },
    });
    const base = "x".repeat(150);
    const report = diffTrees(
      tree({ "dist/prod/long.yaml": yamlDocs(cm(`${base}AAA${base}`)) }),
      tree({ "dist/prod/long.yaml": yamlDocs(cm(`${base}BBB${base}`)) }),
    );
    const ctx = "x".repeat(20);
    expect(lines(formatDiff(report))[1]).toBe(`  data.value: …"${ctx}AAA${ctx}"… → …"${ctx}BBB${ctx}"…`);
  });

  it("is deterministic regardless of input order", () => {
    const committedFiles: Array<[string, string]> = [
      ["dist/prod/a.yaml", yamlDocs(service("b"), service("a"))],
      ["dist/dev/a.yaml", yamlDocs(service("a"), ingester())],
      ["argocd/prod.yaml", yamlDocs(service("argo"))],
    ];
    const freshFiles: Array<[string, string]> = [
      ["dist/prod/a.yaml", yamlDocs(service("a", 1), service("c"))],
      ["dist/dev/b.yaml", yamlDocs(ingester({ replicas: 9 }), service("a", 2))],
      ["argocd/prod.yaml", yamlDocs(service("argo", 3))],
    ];
    const forward = formatDiff(diffTrees(new Map(committedFiles), new Map(freshFiles)));
    const backward = formatDiff(diffTrees(new Map([...committedFiles].reverse()), new Map([...freshFiles].reverse())));
    expect(backward).toBe(forward);
    expect(lines(forward)).toEqual([
      "~ Service mimir/argo (argocd/prod.yaml)",
      "  spec.ports[name=http].port: 8080 → 3",
      "- file dist/dev/a.yaml",
      "+ file dist/dev/b.yaml",
      "> Service mimir/a (dist/dev/a.yaml → dist/dev/b.yaml)",
      "  spec.ports[name=http].port: 8080 → 2",
      "> StatefulSet mimir/ingester-zone-a (dist/dev/a.yaml → dist/dev/b.yaml)",
      "  spec.replicas: 3 → 9",
      "~ Service mimir/a (dist/prod/a.yaml)",
      "  spec.ports[name=http].port: 8080 → 1",
      "- Service mimir/b (dist/prod/a.yaml)",
      "+ Service mimir/c (dist/prod/a.yaml)",
      "6 object(s) differ: 2 changed, 2 moved, 1 added, 1 removed; files: 1 added, 1 removed, 0 unparseable",
    ]);
  });
});

describe("readTree", () => {
  it("reads manifests below the given directories with forward-slash relative paths", async () => {
    const root = await mkdtemp(join(tmpdir(), "semantic-diff-"));
    try {
      await mkdir(join(root, "dist", "prod", "mimir"), { recursive: true });
      await mkdir(join(root, "argocd"), { recursive: true });
      await writeFile(join(root, "dist", "prod", "mimir", "ingester.yaml"), "a: 1\n");
      await writeFile(join(root, "dist", "prod", "kustomization.yml"), "b: 2\n");
      await writeFile(join(root, "dist", "prod", "dashboard.json"), "{}\n");
      await writeFile(join(root, "dist", "prod", "README.md"), "# not a manifest\n");
      await writeFile(join(root, "argocd", "app.yaml"), "c: 3\n");
      await writeFile(join(root, "outside.yaml"), "d: 4\n");

      const read = await readTree(root, ["dist", "argocd/", "flux"]);
      expect([...read.keys()]).toEqual([
        "argocd/app.yaml",
        "dist/prod/dashboard.json",
        "dist/prod/kustomization.yml",
        "dist/prod/mimir/ingester.yaml",
      ]);
      expect(read.get("dist/prod/mimir/ingester.yaml")).toBe("a: 1\n");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
