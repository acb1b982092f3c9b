import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../src/config/load.js";
import { secretStoreSchema } from "../src/config/security-schema.js";
import { HOST_ACCESS_ANNOTATION } from "../src/lib/labels.js";
import { synthesizeEnvironment } from "../src/synth/synthesize.js";
import { validateManifests } from "../src/validate/manifests.js";
import { synthesizeAll, type SynthOutcome } from "../src/synth/pipeline.js";
import { formatProblem } from "../src/validate/problem.js";
import { rbacRules } from "../src/validate/rbac.js";
import { checkSecurity } from "../src/validate/security.js";
import { REPO_ROOT, scratchRepo } from "./helpers/cli.js";
import { configProblems } from "./helpers/config-problems.js";
import { envObjects } from "./helpers/env-objects.js";

type Obj = Record<string, any>;
const ENVS = ["local", "dev", "prod", "dr"] as const;
const CLOUD = ["dev", "prod", "dr"] as const;

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: [...ENVS] });
});

const objects = (env: string): Obj[] => structuredClone(envObjects(outcome, env)) as Obj[];
const find = (all: Obj[], kind: string, name: string) => {
  const found = all.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
/** The security checks' problems for an (edited) environment, as `object: path: message` lines. */
const workloadOf = (all: Obj[], name: string) => all.find((o) => ["Deployment", "StatefulSet"].includes(o.kind) && o.metadata.name === name)!;
const check = (all: Obj[]) => checkSecurity([{ file: "f", objects: all }]).map((p) => formatProblem({ ...p, file: "" }));

describe("every environment passes the security checks as synthesized", () => {
  it.each(ENVS)("%s", (env) => {
    expect(check(objects(env))).toEqual([]);
  });
});

describe("secret stores", () => {
  it("cloud environments create the store every ExternalSecret names: Secrets Manager via IRSA, region from Terraform", () => {
    for (const env of CLOUD) {
      const all = objects(env);
      const store = find(all, "ClusterSecretStore", "aws-secrets-manager");
      const outputs = JSON.parse(readFileSync(path.join(REPO_ROOT, "overlays", env, "terraform-outputs.json"), "utf8"));
      expect(store.spec.provider.aws).toEqual({
        service: "SecretsManager",
        region: outputs.region.value,
        auth: { jwt: { serviceAccountRef: { name: "aws-secrets-manager-store", namespace: "mimir" } } },
      });
      expect(store.spec.conditions).toEqual([{ namespaces: ["cert-manager", "mimir"] }]); // cert-manager: the mTLS CA
      const account = find(all, "ServiceAccount", "aws-secrets-manager-store");
      expect(account.metadata.annotations["eks.amazonaws.com/role-arn"]).toBe(outputs.external_secrets_irsa_role_arn.value);
      const externalSecrets = all.filter((o) => o.kind === "ExternalSecret");
      expect(externalSecrets.length).toBeGreaterThan(0);
      for (const es of externalSecrets) expect(es.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "aws-secrets-manager" });
    }
  });

  it("local creates no store and no ExternalSecret; its Secrets with values are all marked dev-only", () => {
    const all = objects("local");
    expect(all.filter((o) => /SecretStore$|^ExternalSecret$/.test(o.kind))).toEqual([]);
    const secrets = all.filter((o) => o.kind === "Secret" && (o.data || o.stringData));
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(secret.metadata.labels["observability-platform/dev-only"], secret.metadata.name).toBe("true");
  });

  it("a Vault SecretStore with Kubernetes auth (server, KV mount, auth mount, role from config) is the per-environment alternative", () => {
    const inputs = loadEnvironment(path.join(REPO_ROOT, "overlays"), "dev", REPO_ROOT);
    const secretStore = secretStoreSchema.parse({ kind: "SecretStore", name: "vault", provider: "vault", vault: { server: "https://vault.acme.example:8200", role: "observability-dev" } });
    const security = { mtls: { ...inputs.config.security.mtls, enabled: false, ca: undefined } }; // a namespaced store cannot serve cert-manager's namespace
    const env = synthesizeEnvironment({ ...inputs, config: { ...inputs.config, secretStore, security } });
    const files = env.files.filter((f) => f.objects.length > 0).map((f) => ({ file: f.path, objects: [...f.objects] }));
    expect(validateManifests(files, { schemasDir: path.join(REPO_ROOT, "imports", "schemas") }).map(formatProblem)).toEqual([]);
    const all = files.flatMap((f) => f.objects) as Obj[];
    expect(all.filter((o) => o.kind === "ClusterSecretStore")).toEqual([]);
    expect(find(all, "SecretStore", "vault").spec).toEqual({
      provider: {
        vault: {
          server: "https://vault.acme.example:8200",
          path: "secret",
          version: "v2",
          auth: { kubernetes: { mountPath: "kubernetes", role: "observability-dev", serviceAccountRef: { name: "vault-store" } } },
        },
      },
    });
    expect(find(all, "ServiceAccount", "vault-store").metadata.annotations).toBeUndefined();
    for (const es of all.filter((o) => o.kind === "ExternalSecret")) expect(es.spec.secretStoreRef).toEqual({ kind: "SecretStore", name: "vault" });
  });

  it("no Secret with values in dev, prod or dr", () => {
    for (const env of CLOUD) expect(objects(env).filter((o) => o.kind === "Secret" && (o.data || o.stringData))).toEqual([]);
  });

  it("the checker refuses an ExternalSecret naming a store the environment lacks, or a namespace the store does not admit", () => {
    const all = objects("prod");
    const es = find(all, "ExternalSecret", "gateway-tokens");
    es.spec.secretStoreRef = { kind: "ClusterSecretStore", name: "vault" };
    expect(check(all)).toEqual([
      `ExternalSecret/${es.metadata.name}: spec.secretStoreRef: names ClusterSecretStore vault, which this environment does not create (stores: ClusterSecretStore aws-secrets-manager): the Secret would never be created`,
    ]);
    es.spec.secretStoreRef = { kind: "SecretStore", name: "aws-secrets-manager" };
    expect(check(all)[0]).toContain("names SecretStore aws-secrets-manager in namespace mimir, which this environment does not create");
    es.spec.secretStoreRef = { kind: "ClusterSecretStore", name: "aws-secrets-manager" };
    es.metadata.namespace = "elsewhere";
    expect(check(all)).toContain(
      `ExternalSecret/${es.metadata.name}: spec.secretStoreRef: names ClusterSecretStore aws-secrets-manager, whose conditions admit only namespaces cert-manager, mimir, not elsewhere`,
    );
  });

  it("the checker refuses Secrets with values: unmarked anywhere, marked or not where a store exists", () => {
    const local = objects("local");
    const secret = local.find((o) => o.kind === "Secret" && o.metadata.labels?.["observability-platform/dev-only"] === "true")!;
    delete secret.metadata.labels["observability-platform/dev-only"];
    expect(check(local)).toEqual([
      `Secret/${secret.metadata.name}: metadata.labels["observability-platform/dev-only"]: must be "true": a Secret with values in the manifests is only acceptable as a marked local development value`,
    ]);
    const prod = objects("prod");
    prod.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "leak", namespace: "mimir", labels: { "observability-platform/dev-only": "true" } }, stringData: { a: "b" } });
    expect(check(prod)).toEqual([
      "Secret/leak: holds secret values in the manifests of an environment with a secret store (ClusterSecretStore aws-secrets-manager): read them from the store with an ExternalSecret (src/lib/external-secret.ts)",
    ]);
  });

  describe("config", () => {
    const scratch = scratchRepo();
    afterAll(() => scratch.cleanup());

    it("a Vault SecretStore with Kubernetes auth replaces the AWS store per environment", async () => {
      const problems = await configProblems(scratch.root, "overlays/dev/config.yaml", (c) => {
        c.secretStore = { name: "vault", provider: "vault" };
      });
      expect(problems).toEqual(["overlays/dev/config.yaml: secretStore.vault: required with provider vault: {server, role} (path, version, authMountPath have defaults)"]);
      const more = await configProblems(scratch.root, "overlays/dev/config.yaml", (c) => {
        c.secretStore = { name: "aws", vault: { server: "http://vault:8200", role: "r" } };
      });
      expect(more).toEqual([
        "overlays/dev/config.yaml: secretStore.vault.server: must be an https:// URL (secrets must not cross the network in clear text)",
        "overlays/dev/config.yaml: secretStore.vault: has no effect with provider aws-secrets-manager; remove it or set provider: vault",
      ]);
    });

    it("a missing store role output is an error naming it", async () => {
      const problems = await configProblems(scratch.root, "overlays/prod/terraform-outputs.json", (outputs) => {
        delete outputs.external_secrets_irsa_role_arn;
      });
      expect(problems).toEqual([
        "overlays/prod/terraform-outputs.json: external_secrets_irsa_role_arn: required output is missing: secretStore.provider aws-secrets-manager authenticates with IRSA as the ServiceAccount mimir/aws-secrets-manager-store, whose IAM role (read access to the environment's secrets) this output names",
      ]);
    });
  });
});

describe("pod security", () => {
  const workload = (all: Obj[], name: string) => all.find((o) => ["Deployment", "StatefulSet"].includes(o.kind) && o.metadata.name === name)!;

  it("refuses every way out of restricted, naming object and field", () => {
    const all = objects("prod");
    const gateway = workload(all, "gateway");
    const pod = gateway.spec.template.spec;
    const container = pod.containers[0];
    pod.hostNetwork = true;
    pod.hostPID = true;
    pod.securityContext.runAsUser = 0;
    delete pod.securityContext.seccompProfile;
    container.securityContext = { allowPrivilegeEscalation: true, capabilities: { add: ["SYS_ADMIN"] } };
    container.ports.push({ containerPort: 9999, hostPort: 9999 });
    pod.volumes.push({ name: "host", hostPath: { path: "/var/run" } });
    delete container.resources.limits;
    const problems = check(all);
    const at = "Deployment/gateway: spec.template.spec";
    expect(problems).toEqual(expect.arrayContaining([
      `${at}.hostPID: Pod Security restricted: shares a host namespace; not even node-level collectors may`,
      `${at}.hostNetwork: Pod Security restricted: uses the host network; only a node-level collector annotated ${HOST_ACCESS_ANNOTATION} may`,
      `${at}.securityContext.runAsUser: Pod Security restricted: must not be 0 (root)`,
      `${at}.securityContext.seccompProfile.type: Pod Security restricted: must be RuntimeDefault (or Localhost), on the pod or every container`,
      `${at}.containers[0].securityContext.allowPrivilegeEscalation: Pod Security restricted: container nginx: must be false`,
      `${at}.containers[0].securityContext.capabilities.drop: Pod Security restricted: container nginx: must drop ALL`,
      `${at}.containers[0].securityContext.capabilities.add: Pod Security restricted: container nginx: adds SYS_ADMIN`,
      `${at}.containers[0].securityContext.readOnlyRootFilesystem: Pod Security restricted: container nginx: must be true (writable paths as volumes)`,
      `${at}.containers[0].ports[${container.ports.length - 1}].hostPort: Pod Security restricted: container nginx binds host port 9999`,
      `${at}.volumes[${pod.volumes.length - 1}].hostPath: Pod Security restricted: mounts a host path (/var/run); only a node-level collector annotated ${HOST_ACCESS_ANNOTATION} may, read-only`,
      `${at}.containers[0].resources: container nginx has no limits.memory: every container needs CPU and memory requests and a memory limit`,
      `Namespace/mimir: metadata.labels["pod-security.kubernetes.io/enforce"]: is restricted, but Deployment/gateway needs privileged: the API server would refuse its pods`,
    ]));
  });

  it("node-exporter is the only exception: annotated, read-only host paths, in its own privileged namespace", () => {
    for (const env of ENVS) {
      const exceptions = objects(env).filter((o) => o.metadata.annotations?.[HOST_ACCESS_ANNOTATION] && o.spec?.template);
      const collects = objects(env).some((o) => o.kind === "DaemonSet" && o.metadata.name === "node-exporter");
      expect(exceptions.map((o) => `${o.kind}/${o.metadata.name}`), env).toEqual(collects ? ["DaemonSet/node-exporter"] : []);
    }
    const all = objects("prod");
    const exporter = find(all, "DaemonSet", "node-exporter");
    exporter.spec.template.spec.containers[0].volumeMounts[0].readOnly = false;
    expect(check(all)).toEqual([
      "DaemonSet/node-exporter: spec.template.spec.containers[0].volumeMounts[0].readOnly: Pod Security restricted: container node-exporter mounts host path volume proc writable; host access must be read-only",
    ]);
    delete exporter.metadata.annotations[HOST_ACCESS_ANNOTATION];
    expect(check(all)).toContain(
      `DaemonSet/node-exporter: spec.template.spec.hostNetwork: Pod Security restricted: uses the host network; only a node-level collector annotated ${HOST_ACCESS_ANNOTATION} may`,
    );
  });

  it("every exception is listed in docs/operations.md", () => {
    const docs = readFileSync(path.join(REPO_ROOT, "docs", "operations.md"), "utf8");
    const section = docs.slice(docs.indexOf("## Security"));
    for (const env of ENVS) {
      for (const o of objects(env).filter((x) => x.metadata.annotations?.[HOST_ACCESS_ANNOTATION] && x.spec?.template)) {
        expect(section, `${o.kind}/${o.metadata.name}`).toContain(`\`${o.metadata.name}\``);
      }
    }
  });

  it("namespace labels must match what runs there", () => {
    const all = objects("prod");
    find(all, "Namespace", "mimir").metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
    find(all, "Namespace", "mimir").metadata.labels["pod-security.kubernetes.io/warn"] = "privileged";
    const nodeNs = all.find((o) => o.kind === "Namespace" && o.metadata.name !== "mimir")!;
    delete nodeNs.metadata.labels["pod-security.kubernetes.io/audit"];
    const problems = check(all);
    expect(problems).toContain(
      'Namespace/mimir: metadata.labels["pod-security.kubernetes.io/warn"]: is privileged, looser than enforce (baseline): it would report nothing enforce does not already refuse',
    );
    expect(problems.find((p) => p.startsWith('Namespace/mimir: metadata.labels["pod-security.kubernetes.io/enforce"]: is baseline, but everything in the namespace meets restricted'))).toBeDefined();
    expect(problems).toContain(`Namespace/${nodeNs.metadata.name}: metadata.labels["pod-security.kubernetes.io/audit"]: must be one of privileged, baseline, restricted`);
  });

  it("every multi-replica workload has a disruption budget", () => {
    const all = objects("prod").filter((o) => !(o.kind === "PodDisruptionBudget" && o.metadata.name === "gateway"));
    expect(check(all)).toEqual([
      "Deployment/gateway: runs 3 replicas but no PodDisruptionBudget selects its pods: a node drain may evict all of them at once",
    ]);
  });
});

describe("RBAC", () => {
  it("lists every ClusterRole/Role rule; none has a wildcard", () => {
    const all = ENVS.flatMap((env) => rbacRules([{ file: env, objects: objects(env) }]).map((rule) => ({ env, ...rule })));
    expect(all.length).toBeGreaterThan(0);
    for (const env of ENVS) {
      const rules = all.filter((rule) => rule.env === env);
      for (const { object, path: at, rule } of rules) {
        for (const field of ["verbs", "resources", "apiGroups"]) {
          expect(rule[field] ?? [], `${env} ${object} ${at}.${field}`).not.toContain("*");
        }
      }
    }
  });

  it("the checker refuses wildcards, cluster-wide Secret reads and built-in catch-all roles", () => {
    const all = objects("prod");
    const role = all.find((o) => o.kind === "ClusterRole")!;
    role.rules.push({ apiGroups: ["*"], resources: ["pods/*"], verbs: ["*"] }, { apiGroups: [""], resources: ["secrets"], verbs: ["list"] });
    const binding = all.find((o) => o.kind === "ClusterRoleBinding")!;
    binding.roleRef.name = "cluster-admin";
    const n = role.rules.length;
    const ref = `ClusterRole/${role.metadata.name}`;
    expect(check(all)).toEqual([
      `${ref}: rules[${n - 2}].verbs: has the wildcard *: least privilege names every verb it needs`,
      `${ref}: rules[${n - 2}].resources: has the wildcard pods/*: least privilege names every resource it needs`,
      `${ref}: rules[${n - 2}].apiGroups: has the wildcard *: least privilege names every API group it needs`,
      `${ref}: rules[${n - 1}]: reads Secrets in every namespace; grant it with a Role in the namespace that needs it`,
      `ClusterRoleBinding/${binding.metadata.name}: roleRef.name: grants the built-in cluster-admin role; bind a role listing exactly what is needed`,
    ]);
  });
});

describe("IRSA", () => {
  it("Mimir pods, the secret store and every role-annotated ServiceAccount use ARNs from the Terraform outputs; no static AWS keys", () => {
    for (const env of CLOUD) {
      const all = objects(env);
      const outputs = JSON.stringify(JSON.parse(readFileSync(path.join(REPO_ROOT, "overlays", env, "terraform-outputs.json"), "utf8")));
      const accounts = new Map(all.filter((o) => o.kind === "ServiceAccount").map((o) => [o.metadata.name, o]));
      const annotated = [...accounts.values()].filter((o) => o.metadata.annotations?.["eks.amazonaws.com/role-arn"]);
      expect(annotated.length, env).toBeGreaterThan(0);
      for (const account of annotated) expect(outputs, `${env} ServiceAccount/${account.metadata.name}`).toContain(`"${account.metadata.annotations["eks.amazonaws.com/role-arn"]}"`);
      for (const workload of all.filter((o) => o.spec?.template?.spec?.containers?.some((c: Obj) => String(c.image).startsWith("grafana/mimir:")))) {
        const name = workload.spec.template.spec.serviceAccountName;
        expect(accounts.get(name)?.metadata.annotations?.["eks.amazonaws.com/role-arn"], `${env} ${workload.kind}/${workload.metadata.name}`).toMatch(/^arn:aws:iam::/);
      }
      expect(JSON.stringify(all)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    }
  });
});

describe("mTLS with cert-manager", () => {
  it("cloud environments get the monitoring-ca ClusterIssuer from an ExternalSecret, and Certificates for the gateway and its clients", () => {
    for (const env of CLOUD) {
      const all = objects(env);
      expect(find(all, "ClusterIssuer", "monitoring-ca").spec).toEqual({ ca: { secretName: "monitoring-ca" } });
      const ca = find(all, "ExternalSecret", "monitoring-ca");
      expect(ca.metadata.namespace).toBe("cert-manager");
      expect(ca.spec.data.map((d: Obj) => d.secretKey)).toEqual(["tls.crt", "tls.key"]);
      expect(find(all, "ClusterSecretStore", "aws-secrets-manager").spec.conditions).toEqual([{ namespaces: ["cert-manager", "mimir"] }]);
      const server = find(all, "Certificate", "gateway-server");
      expect(server.spec).toMatchObject({ secretName: "gateway-server-tls", duration: "2160h", renewBefore: "720h", issuerRef: { kind: "ClusterIssuer", name: "monitoring-ca" } });
      expect(server.spec.dnsNames).toContain("gateway.mimir.svc.cluster.local");
      const clients = all.filter((o) => o.kind === "Certificate" && o.spec.usages.includes("client auth")).map((o) => o.metadata.name);
      // Clients are whoever talks to the gateway in this environment.
      expect(clients).toEqual(env === "dr" ? ["grafana-client"] : ["grafana-client", "otel-collector-client", "prometheus-platform-client"]);
      const gateway = workloadOf(all, "gateway");
      expect(gateway.spec.template.spec.volumes).toContainEqual({ name: "tls", secret: { secretName: "gateway-server-tls", defaultMode: 0o440 } });
      const nginx = find(all, "ConfigMap", "gateway-nginx").data["nginx.conf"];
      expect(nginx).toContain(`ssl_verify_client ${env === "prod" ? "on" : "optional"};`);
      expect(find(all, "Service", "gateway").spec.ports).toContainEqual({ name: "https", port: 443, protocol: "TCP", targetPort: "https" });
    }
  });

  it("local runs without mTLS (marked in its overlay), and refuses to turn it on", async () => {
    const all = objects("local");
    expect(all.filter((o) => ["ClusterIssuer", "Certificate"].includes(o.kind))).toEqual([]);
    expect(find(all, "ConfigMap", "gateway-nginx").data["nginx.conf"]).not.toContain("ssl_");
    const scratch = scratchRepo();
    try {
      expect(
        await configProblems(scratch.root, "overlays/local/config.yaml", (c) => {
          c.security = { mtls: { enabled: true, ca: { remoteKey: "x" } } };
        }),
      ).toEqual(["overlays/local/config.yaml: security.mtls.enabled: the local (monolithic) environment runs without mTLS, as the old design did; remove it"]);
      expect(
        await configProblems(scratch.root, "overlays/dev/config.yaml", (c) => {
          c.security = { mtls: { enabled: true } };
        }),
      ).toEqual(["overlays/dev/config.yaml: security.mtls.ca: required with enabled: true: {remoteKey, certificateProperty, keyProperty} of the CA key pair in the secret store"]);
      expect(
        await configProblems(scratch.root, "overlays/dev/config.yaml", (c) => {
          c.security = { mtls: { requireClientCertificates: true } };
        }),
      ).toEqual(["overlays/dev/config.yaml: security.mtls.requireClientCertificates: has no effect while mTLS is off (enabled: false)"]);
      expect(
        await configProblems(scratch.root, "overlays/dev/config.yaml", (c) => {
          c.secretStore = { kind: "SecretStore", name: "vault", provider: "vault", vault: { server: "https://vault.acme.example", role: "r" } };
        }),
      ).toEqual([
        "overlays/dev/config.yaml: security.mtls.ca: is read in cert-manager's namespace (cert-manager), which a namespaced SecretStore cannot serve: use secretStore.kind ClusterSecretStore",
      ]);
    } finally {
      scratch.cleanup();
    }
  });
});
