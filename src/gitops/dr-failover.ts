/**
 * docs/dr-failover.md, generated from the layer model and the synthesized environments (`npm run docs`): for
 * every read-only environment, what to check, switch, verify and switch back when its source environment fails.
 * Names (clusters, Applications, Kustomizations, Services, URLs, buckets) come from the same data the GitOps
 * trees are rendered from, so the runbook cannot drift from what is deployed.
 */
import path from "node:path";
import { ConfigError } from "../config/errors.js";
import { listOverlayDirectories, loadEnvironment } from "../config/load.js";
import { synthesizeEnvironment } from "../synth/synthesize.js";
import type { Problem } from "../validate/problem.js";
import { layerWaves, LAYER_MODEL } from "./layers.js";
import { gitopsEnvironments, type GitopsInput } from "./gitops.js";
import { layerObjectName, type GitopsEnvironment } from "./environment.js";

export const DR_FAILOVER_DOC = "docs/dr-failover.md";

interface Side {
  readonly input: GitopsInput;
  readonly environment: GitopsEnvironment;
  /** `Kind/name` of every workload in the environment. */
  readonly workloads: ReadonlySet<string>;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

function side(input: GitopsInput, environment: GitopsEnvironment): Side {
  const workloads = new Set<string>();
  let gateway = false;
  for (const file of input.synthesized.files) {
    for (const object of file.objects) {
      const name = String((object.metadata as { name: string }).name);
      if (WORKLOAD_KINDS.has(String(object.kind))) workloads.add(name);
      if (object.kind === "Service" && name === GATEWAY_SERVICE) gateway = true;
    }
  }
  if (!gateway) throw new Error(`internal: the DR runbook switches to Service ${GATEWAY_SERVICE}, which ${environment.env} does not have`);
  return { input, environment, workloads };
}

/** The gateway's Service (src/gateway/family.ts), the entry point the runbook switches. */
const GATEWAY_SERVICE = "gateway";

/** What a read-only environment cannot take over, from the workloads it lacks. */
const CAPABILITIES: readonly { readonly workload: string; readonly lost: string }[] = [
  { workload: "distributor", lost: "ingestion (remote write and OTLP through the gateway answer 404)" },
  { workload: "ruler", lost: "rule evaluation (recording rules and Mimir-evaluated alerts)" },
  { workload: "alertmanager", lost: "alert notifications and silences (Mimir's Alertmanager)" },
  { workload: "compactor", lost: "compaction and retention (the bucket is the replica; nothing is deleted)" },
];

function layerChecks(environment: GitopsEnvironment, cluster: string): string[] {
  const waves = layerWaves();
  return environment.layers.map((layer) => {
    const argo = layer === "addons" ? environment.addOns.map((addOn) => `\`${layerObjectName(environment.env, addOn.name)}\``).join(", ") : `\`${layerObjectName(environment.env, layer)}\``;
    return `| ${waves[layer]} | \`${layer}\` | ${LAYER_MODEL[layer].purpose} | ${argo} | \`${layerObjectName(environment.env, layer)}\` (${cluster}) |`;
  });
}

function section(source: Side, dr: Side): string {
  const s = source.environment;
  const d = dr.environment;
  const sConfig = source.input.config;
  const dConfig = dr.input.config;
  const sInfra = source.input.infra!;
  const dInfra = dr.input.infra!;
  const lost = CAPABILITIES.filter((c) => source.workloads.has(c.workload) && !dr.workloads.has(c.workload)).map((c) => `- ${c.lost}`);
  const gatewayService = `${GATEWAY_SERVICE}.${d.namespace}.svc`;
  const grafanaInDr = dr.workloads.has("grafana");
  const lines = [
    `## ${s.env} → ${d.env}`,
    "",
    `| | ${s.env} (source) | ${d.env} (read-only) |`,
    "|---|---|---|",
    `| Cluster | \`${s.clusterName}\` (${sInfra.region}) | \`${d.clusterName}\` (${dInfra.dr?.region ?? dInfra.region}) |`,
    `| Bucket | \`${sInfra.mimirBucket}\` | \`${dInfra.dr?.bucket ?? dInfra.mimirBucket}\` (S3 replica) |`,
    `| Gateway Service | \`${GATEWAY_SERVICE}.${s.namespace}.svc\` | \`${gatewayService}\` |`,
    `| Grafana | ${sConfig.grafanaRootUrl} | ${grafanaInDr ? dConfig.grafanaRootUrl : "none"} |`,
    `| Argo CD root / Flux root | \`observability-${s.env}\` | \`observability-${d.env}\` |`,
    "",
    `${d.env} serves reads from what S3 has replicated: everything older than the last 2–4 hours before the`,
    `outage (the newest data is only in ${s.env}'s ingesters). While ${d.env} serves, there is no:`,
    "",
    ...lost,
    "",
    "### 1. Check that the DR side is ready",
    "",
    `Every layer of ${d.env} must be synced and healthy, in wave order (Argo CD:`,
    `\`argocd app get <application>\`; Flux: \`flux --context ${d.clusterName} get kustomizations\`):`,
    "",
    "| Wave | Layer | Holds | Argo CD Application(s) | Flux Kustomization |",
    "|---|---|---|---|---|",
    ...layerChecks(d, d.clusterName),
    "",
    "```sh",
    `kubectl --context ${d.clusterName} -n ${d.namespace} get pods`,
    `kubectl --context ${d.clusterName} -n ${d.namespace} port-forward svc/gateway 8080:80 &`,
    `curl -fsS -H "Authorization: Bearer $TENANT_TOKEN" 'http://localhost:8080/prometheus/api/v1/query?query=up' | head -c 300`,
    "```",
    "",
    `A query for a range older than a few hours must return data. How far the replica lags: the age of`,
    `\`s3://${dInfra.dr?.bucket ?? dInfra.mimirBucket}/<tenant>/bucket-index.json.gz\` (\`aws s3 ls\`), which ${s.env}'s compactor updates every 15 minutes.`,
    "",
    "### 2. Switch, in this order",
    "",
    `1. **Writers**: stop or buffer remote write to ${s.env} (collectors keep their WAL and retry). ${d.env} accepts no writes.`,
    `2. **DNS / gateway**: point the read host name that clients and dashboards use at the load balancer of \`${gatewayService}\` in \`${d.clusterName}\`. The tenants' bearer tokens are the same (same secret-store entries), so clients need no other change.`,
    grafanaInDr
      ? `3. **Grafana**: send users to ${dConfig.grafanaRootUrl}; its datasources already point at \`${gatewayService}\`. ${s.env}'s Grafana (${sConfig.grafanaRootUrl}) keeps pointing at \`gateway.${s.namespace}.svc\` in ${s.clusterName}, which is down.`
      : `3. **Grafana**: ${d.env} runs no Grafana: point the Mimir datasources of the Grafana you use at the DR gateway.`,
    dr.workloads.has("alertmanager")
      ? `4. **Alertmanager**: ${d.env} runs its own Alertmanager; restore the silences from the latest backup (docs/operations.md).`
      : sConfig.alerting.deadMansSwitch
        ? `4. **Alertmanager**: ${d.env} runs none, so Mimir-evaluated alerts stop and the Watchdog heartbeat stops with them: the external dead man's switch pages. Acknowledge it and watch dashboards by hand until failback.`
        : `4. **Alertmanager**: ${d.env} runs none, so Mimir-evaluated alerts stop, and ${s.env} has no dead man's switch that would notice: watch dashboards by hand until failback.`,
    "",
    "### 3. Verify",
    "",
    `- Through the switched host name: \`/prometheus/api/v1/query?query=up\` answers 200 for each tenant; \`/api/v1/push\` answers 404 (no write path in ${d.env}).`,
    grafanaInDr ? `- In ${dConfig.grafanaRootUrl}: the overview dashboard shows data for ranges older than a few hours.` : "- Dashboards show data for ranges older than a few hours.",
    `- \`argocd app list -l observability-platform/environment=${d.env}\` (or \`flux get kustomizations\`): all Synced/Healthy, nothing OutOfSync.`,
    "",
    "### 4. Fail back",
    "",
    `1. Bring ${s.env} back through GitOps (layers in wave order, as in step 1 with \`${s.env}\` names); wait until \`observability-${s.env}-gateway\` is healthy and writers are flushing their WAL into ${s.env}.`,
    `2. **Alertmanager**: ${s.env}'s Alertmanager resumes${sConfig.alerting.deadMansSwitch ? "; check that the dead man's switch has recovered" : ""}.`,
    `3. **Grafana**: send users back to ${sConfig.grafanaRootUrl}.`,
    `4. **DNS / gateway**: point the read host name back at \`gateway.${s.namespace}.svc\` in \`${s.clusterName}\`.`,
    `5. Leave ${d.env} running: it stays the standby and needs no change.`,
    "",
  ];
  return lines.join("\n");
}

/** The runbook text for the given environments (every read-only one with its source). */
export function drFailoverMarkdown(inputs: readonly GitopsInput[]): { text: string; problems: Problem[] } {
  const { environments, problems } = gitopsEnvironments(inputs);
  const byEnv = new Map(environments.map((environment) => [environment.env, environment]));
  const sections: string[] = [];
  for (const input of inputs) {
    const dr = byEnv.get(input.config.envName);
    if (!dr || input.config.mimir.deploymentMode !== "read-only" || !input.config.drSourceEnvironment) continue;
    const sourceInput = inputs.find((candidate) => candidate.config.envName === input.config.drSourceEnvironment);
    const source = byEnv.get(input.config.drSourceEnvironment);
    if (!sourceInput || !source) {
      problems.push({ file: `overlays/${input.config.envName}/config.yaml`, path: "drSourceEnvironment", message: `${input.config.drSourceEnvironment} is not a reconciled environment` });
      continue;
    }
    sections.push(section(side(sourceInput, source), side(input, dr)));
  }
  const text = [
    "<!-- Generated by `npm run docs` from the layer model (src/gitops/) and overlays/. Do not edit by hand. -->",
    "# DR failover",
    "",
    "What to do when an environment fails and its read-only DR environment takes over reads: what to check,",
    "what to switch and in which order, how to verify, and how to fail back. Background (why the DR read path",
    "is built as it is): [operations.md](operations.md#disaster-recovery).",
    "",
    ...(sections.length > 0 ? sections : ["No read-only environment is configured.", ""]),
  ].join("\n");
  return { text, problems };
}

/** Loads and synthesizes every environment under `root/overlays` (in memory) and renders the runbook. */
export function renderDrFailoverDoc(root: string): string {
  const overlaysDir = path.join(root, "overlays");
  const inputs: GitopsInput[] = [];
  for (const env of listOverlayDirectories(overlaysDir)) {
    const environment = loadEnvironment(overlaysDir, env, root);
    inputs.push({ config: environment.config, infra: environment.infra, synthesized: synthesizeEnvironment(environment) });
  }
  const { text, problems } = drFailoverMarkdown(inputs);
  if (problems.length > 0) throw new ConfigError(problems);
  return text;
}
