import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Testing } from "cdk8s";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backupCronJob, BACKUP_SCHEDULE } from "../src/backup/family.js";
import { BACKUP_SCRIPT } from "../src/backup/script.js";
import { synthesizeAll } from "../src/synth/pipeline.js";
import { envObjects } from "./helpers/env-objects.js";
import { REPO_ROOT } from "./helpers/cli.js";

/**
 * The backup script against stubbed wget, pg_dump and aws: the aws stub is a small fake S3 on the local file
 * system (s3://bucket/key → $FAKE_S3/bucket/key) that understands the three calls the script makes.
 */
const STUBS: Record<string, string> = {
  wget: `#!/bin/sh
echo "wget $*" >> "$CALLS"
[ -n "$FAIL_WGET" ] && exit 1
while [ $# -gt 0 ]; do case "$1" in -O) out="$2"; shift 2 ;; --header) header="$2"; shift 2 ;; *) shift ;; esac; done
printf '[{"id":"s1","comment":"%s"}]' "$header" > "$out"
`,
  pg_dump: `#!/bin/sh
echo "pg_dump user=$PGUSER password=$PGPASSWORD host=$PGHOST db=$PGDATABASE sslmode=$PGSSLMODE $*" >> "$CALLS"
while [ $# -gt 0 ]; do case "$1" in --file) out="$2"; shift 2 ;; *) shift ;; esac; done
echo "PGDMP fake dump" > "$out"
`,
  aws: `#!/bin/sh
echo "aws $*" >> "$CALLS"
[ -n "$FAIL_AWS" ] && exit 1
local_path() { echo "$FAKE_S3/$(echo "$1" | sed 's#^s3://##')"; }
shift # s3
op="$1"; shift
args=""; recursive=""
while [ $# -gt 0 ]; do
  case "$1" in --sse|--sse-kms-key-id) shift 2 ;; --only-show-errors) shift ;; --recursive) recursive=1; shift ;; *) args="$args $1"; shift ;; esac
done
set -- $args
src="$1"; dst="$2"
case "$src" in s3://*) src="$(local_path "$src")" ;; esac
dst="$(local_path "$dst")"
if [ "$op" = sync ] || [ -n "$recursive" ]; then mkdir -p "$dst" && cp -R "$src"/. "$dst"/; else mkdir -p "$(dirname "$dst")" && cp "$src" "$dst"; fi
`,
};

describe("backup.sh (stubbed CLIs, fake S3)", () => {
  let dir: string;
  let environment: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "backup-test-"));
    mkdirSync(path.join(dir, "bin"));
    for (const [name, text] of Object.entries(STUBS)) {
      writeFileSync(path.join(dir, "bin", name), text);
      chmodSync(path.join(dir, "bin", name), 0o755);
    }
    writeFileSync(path.join(dir, "backup.sh"), BACKUP_SCRIPT);
    mkdirSync(path.join(dir, "secret"));
    writeFileSync(path.join(dir, "secret", "username"), "grafana");
    writeFileSync(path.join(dir, "secret", "password"), "s3cr3t");
    // Alertmanager state Mimir persisted in the bucket.
    mkdirSync(path.join(dir, "s3", "bucket", "alertmanager", "alertmanager", "team-a"), { recursive: true });
    writeFileSync(path.join(dir, "s3", "bucket", "alertmanager", "alertmanager", "team-a", "fullstate"), "state");
    environment = {
      PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
      CALLS: path.join(dir, "calls.log"),
      FAKE_S3: path.join(dir, "s3"),
      BACKUP_DIR: path.join(dir, "backup", "data"),
      TENANTS: "team-a team-b",
      ALERTMANAGER_URL: "http://alertmanager-headless.mimir.svc.cluster.local:8080/alertmanager",
      PGHOST: "db.example",
      PGPORT: "5432",
      PGDATABASE: "grafana",
      PGSSLMODE: "require",
      DATABASE_SECRET_DIR: path.join(dir, "secret"),
      BUCKET: "bucket",
      KMS_KEY_ARN: "arn:aws:kms:eu-west-1:1:key/k",
      ALERTMANAGER_STATE: "s3://bucket/alertmanager/",
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const run = (step: string, extra: Record<string, string> = {}) =>
    spawnSync("sh", [path.join(dir, "backup.sh"), step], { env: { ...environment, ...extra }, encoding: "utf8" });
  const calls = () => (existsSync(environment.CALLS!) ? readFileSync(environment.CALLS!, "utf8").trim().split("\n") : []);

  it("exports every tenant's silences and the database, uploads them under backups/<stamp>/ with the Alertmanager state, and writes LATEST last", () => {
    expect(run("export").status).toBe(0);
    const uploaded = run("upload");
    expect(uploaded.status, uploaded.stderr).toBe(0);
    const latest = readFileSync(path.join(dir, "s3", "bucket", "backups", "LATEST"), "utf8").trim();
    expect(latest).toMatch(/^\d{4}-\d{2}-\d{2}T\d{6}Z$/);
    const backup = path.join(dir, "s3", "bucket", "backups", latest);
    expect(readdirSync(path.join(backup, "silences")).sort()).toEqual(["team-a.json", "team-b.json"]);
    expect(readFileSync(path.join(backup, "silences", "team-b.json"), "utf8")).toContain("X-Scope-OrgID: team-b");
    expect(readFileSync(path.join(backup, "grafana.dump"), "utf8")).toContain("PGDMP");
    expect(readFileSync(path.join(backup, "alertmanager-state", "alertmanager", "team-a", "fullstate"), "utf8")).toBe("state");
    const log = calls();
    expect(log.filter((c) => c.startsWith("wget")).map((c) => c.split(" ").at(-1))).toEqual([
      `${environment.ALERTMANAGER_URL}/api/v2/silences`,
      `${environment.ALERTMANAGER_URL}/api/v2/silences`,
    ]);
    expect(log.find((c) => c.startsWith("pg_dump"))).toContain("user=grafana password=s3cr3t host=db.example db=grafana sslmode=require --format=custom");
    const aws = log.filter((c) => c.startsWith("aws"));
    for (const call of aws) expect(call).toContain("--sse aws:kms --sse-kms-key-id arn:aws:kms:eu-west-1:1:key/k");
    expect(aws.at(-1)).toContain("s3://bucket/backups/LATEST");
  });

  it("fails the export when a tenant's silences cannot be read", () => {
    const result = run("export", { FAIL_WGET: "1" });
    expect(result.status).not.toBe(0);
    expect(calls().some((c) => c.startsWith("pg_dump"))).toBe(false);
  });

  it("does not move LATEST when an upload fails", () => {
    expect(run("export").status).toBe(0);
    const result = run("upload", { FAIL_AWS: "1" });
    expect(result.status).not.toBe(0);
    expect(existsSync(path.join(dir, "s3", "bucket", "backups", "LATEST"))).toBe(false);
    expect(calls().filter((c) => c.startsWith("aws"))).toHaveLength(1);
  });

  it("refuses to run without its settings, and skips what an environment does not have", () => {
    const missing = run("upload", { BUCKET: "" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("backup: BUCKET is not set");
    expect(run("bogus").status).toBe(2);
    expect(run("export", { ALERTMANAGER_URL: "", PGHOST: "" }).status).toBe(0);
    expect(calls()).toEqual([]);
  });
});

describe("the backup CronJob", () => {
  const outcome = synthesizeAll({ root: REPO_ROOT, envs: ["local", "dev", "prod", "dr"] });
  const cronJobs = (env: string) => envObjects(outcome, env).filter((o) => o.kind === "CronJob");

  it("runs in every cloud environment with state of its own (dev, prod), not in local or the read-only DR", () => {
    expect(cronJobs("local")).toEqual([]);
    expect(cronJobs("dr")).toEqual([]);
    expect(cronJobs("dev")).toHaveLength(1);
    expect(cronJobs("prod")).toHaveLength(1);
  });

  it("prod: IRSA role from Terraform, pinned images, restricted pod, the Mimir bucket with its KMS key, Grafana's database Secret", () => {
    const objects = envObjects(outcome, "prod");
    const sa = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === "backup") as any;
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toBe("arn:aws:iam::123456789012:role/acme-obs-prod-backup");
    const [job] = cronJobs("prod") as any[];
    expect(job.spec).toMatchObject({ schedule: BACKUP_SCHEDULE, concurrencyPolicy: "Forbid" });
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    for (const container of [...pod.initContainers, ...pod.containers]) {
      expect(container.image).toMatch(/:[0-9][\w.-]*$/);
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
    }
    const upload = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(upload).toMatchObject({ BUCKET: "acme-obs-prod-mimir-metrics", ALERTMANAGER_STATE: "s3://acme-obs-prod-mimir-metrics/alertmanager/" });
    expect(upload.KMS_KEY_ARN).toMatch(/^arn:aws:kms:/);
    const exporter = Object.fromEntries(pod.initContainers[0].env.map((e: any) => [e.name, e.value]));
    expect(exporter.ALERTMANAGER_URL).toMatch(/^http:\/\/alertmanager.*\.mimir\.svc\.cluster\.local:8080\/alertmanager$/);
    expect(exporter).toMatchObject({ PGDATABASE: "grafana", PGPORT: "5432", PGSSLMODE: "require" });
    expect(pod.volumes.find((v: any) => v.name === "database").secret.secretName).toBe("grafana-database");
  });

  it("without Grafana's database and Alertmanager it has nothing to export", () => {
    const chart = Testing.chart();
    backupCronJob(chart, { namespace: "mimir", instance: "mimir", roleArn: "arn:aws:iam::1:role/b", region: "eu-west-1", bucket: "b", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k", tenants: ["a"], alertmanagerUrl: undefined, alertmanagerState: undefined, database: undefined });
    const job = Testing.synth(chart).find((o: any) => o.kind === "CronJob") as any;
    const env = job.spec.jobTemplate.spec.template.spec.initContainers[0].env.map((e: any) => e.name);
    expect(env).not.toContain("PGHOST");
    expect(env).not.toContain("ALERTMANAGER_URL");
  });
});
