/**
 * Pod security of ONE environment (issue #12), on every environment:
 *
 * 1. Every pod meets Pod Security Standard "restricted" (runAsNonRoot, non-zero UID, no privilege escalation,
 *    capabilities drop ALL and add at most NET_BIND_SERVICE, seccomp RuntimeDefault/Localhost, no host
 *    namespaces, hostPath volumes or hostPorts) plus a read-only root filesystem. The only exception: a
 *    workload annotated with HOST_ACCESS_ANNOTATION (node-level collectors) may use hostNetwork and hostPath
 *    volumes mounted read-only; everything else still applies (never privileged, hostPID or hostIPC).
 * 2. Every Namespace of the environment carries `pod-security.kubernetes.io/{enforce,audit,warn}`; enforce is
 *    the strictest level all of its pods meet (so a namespace of restricted pods enforces restricted, and one
 *    with host access is the only one that may be looser), audit and warn are at least as strict as enforce.
 *    Every pod runs in a namespace of the environment.
 * 3. Every container has CPU and memory requests and a memory limit.
 * 4. Every workload that can run more than one pod (replicas, HPA minReplicas, Prometheus replicas) is
 *    covered by a PodDisruptionBudget (any group, e.g. rollout-operator's zone-aware one).
 *
 * Pods the Prometheus Operator runs (Prometheus, PrometheusAgent, Alertmanager objects) are checked on
 * what the object sets: the pod securityContext and the resources; the operator itself gives its
 * containers the restricted container context.
 */
import { HOST_ACCESS_ANNOTATION } from "../lib/labels.js";
import { indexEnvironment, isObject, matchesLabelSelector, type Entry, type InvariantFile } from "./invariants.js";
import type { Problem } from "./problem.js";

type Json = Record<string, any>;

export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;
type Level = (typeof POD_SECURITY_LEVELS)[number];
const PSS_LABEL = "pod-security.kubernetes.io/";

/** A pod spec found in an object, with the path to it. */
interface PodSpecAt {
  readonly entry: Entry;
  readonly spec: Json;
  readonly path: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

function podSpecOf(entry: Entry): PodSpecAt | undefined {
  const obj: Json = entry.obj;
  const meta = (o: unknown): Json => (isObject(o) && isObject(o.metadata) ? o.metadata : {});
  const pick = (template: unknown, path: string): PodSpecAt | undefined => {
    if (!isObject(template) || !isObject(template.spec)) return undefined;
    return {
      entry,
      spec: template.spec,
      path,
      labels: { ...(meta(template).labels ?? {}) },
      annotations: { ...(meta(obj).annotations ?? {}), ...(meta(template).annotations ?? {}) },
    };
  };
  if (entry.group === "" && entry.kind === "Pod") return pick(obj, "spec");
  const spec: Json | undefined = isObject(obj.spec) ? obj.spec : undefined;
  if (!spec) return undefined;
  const template: Json | undefined = isObject(spec.template) ? spec.template : undefined;
  if (template && Array.isArray(template.spec?.containers)) return pick(template, "spec.template.spec");
  const job = spec.jobTemplate?.spec?.template;
  if (isObject(job)) return pick(job, "spec.jobTemplate.spec.template.spec");
  return undefined;
}

/** Prometheus Operator objects whose pods the operator creates. */
function isOperatorPodOwner(entry: Entry): boolean {
  return entry.group === "monitoring.coreos.com" && ["Prometheus", "PrometheusAgent", "Alertmanager"].includes(entry.kind);
}

interface Finding {
  readonly path: string;
  readonly message: string;
  /** The loosest level this finding still allows. */
  readonly level: Level;
}

function containersOf(spec: Json, path: string): Array<{ c: Json; path: string }> {
  const out: Array<{ c: Json; path: string }> = [];
  for (const key of ["initContainers", "containers", "ephemeralContainers"]) {
    const list = spec[key];
    if (Array.isArray(list)) list.forEach((c, i) => isObject(c) && out.push({ c, path: `${path}.${key}[${i}]` }));
  }
  return out;
}

/** What keeps a pod spec from "restricted" (level restricted = ours on top: read-only root filesystem). */
function podFindings(pod: PodSpecAt, hostAccess: boolean): Finding[] {
  const { spec, path } = pod;
  const out: Finding[] = [];
  const podCtx: Json = isObject(spec.securityContext) ? spec.securityContext : {};
  for (const field of ["hostPID", "hostIPC"] as const) {
    if (spec[field] === true) out.push({ path: `${path}.${field}`, message: "shares a host namespace; not even node-level collectors may", level: "privileged" });
  }
  if (spec.hostNetwork === true) {
    out.push({
      path: `${path}.hostNetwork`,
      message: hostAccess ? "" : `uses the host network; only a node-level collector annotated ${HOST_ACCESS_ANNOTATION} may`,
      level: "privileged",
    });
  }
  const hostPathVolumes = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: Json, i: number) => {
    if (!isObject(v) || !isObject(v.hostPath)) return;
    hostPathVolumes.add(String(v.name));
    out.push({
      path: `${path}.volumes[${i}].hostPath`,
      message: hostAccess ? "" : `mounts a host path (${v.hostPath.path}); only a node-level collector annotated ${HOST_ACCESS_ANNOTATION} may, read-only`,
      level: "privileged",
    });
  });
  const containers = containersOf(spec, path);
  const everyContainer = (test: (ctx: Json) => boolean) => containers.every(({ c }) => test(isObject(c.securityContext) ? c.securityContext : {}));
  if (podCtx.runAsNonRoot !== true && !everyContainer((ctx) => ctx.runAsNonRoot === true)) {
    out.push({ path: `${path}.securityContext.runAsNonRoot`, message: "must be true (pod or every container)", level: "baseline" });
  }
  if (podCtx.runAsUser === 0 || !everyContainer((ctx) => ctx.runAsUser !== 0)) {
    out.push({ path: `${path}.securityContext.runAsUser`, message: "must not be 0 (root)", level: "baseline" });
  }
  const seccompOk = (profile: unknown) => isObject(profile) && (profile.type === "RuntimeDefault" || profile.type === "Localhost");
  if (!seccompOk(podCtx.seccompProfile) && !everyContainer((ctx) => seccompOk(ctx.seccompProfile))) {
    out.push({ path: `${path}.securityContext.seccompProfile.type`, message: "must be RuntimeDefault (or Localhost), on the pod or every container", level: "baseline" });
  }
  for (const { c, path: at } of containers) {
    const ctx: Json = isObject(c.securityContext) ? c.securityContext : {};
    const name = `container ${c.name}`;
    if (ctx.privileged === true) out.push({ path: `${at}.securityContext.privileged`, message: `${name} is privileged`, level: "privileged" });
    if (ctx.allowPrivilegeEscalation !== false) {
      out.push({ path: `${at}.securityContext.allowPrivilegeEscalation`, message: `${name}: must be false`, level: "baseline" });
    }
    const drop: unknown[] = Array.isArray(ctx.capabilities?.drop) ? ctx.capabilities.drop : [];
    if (!drop.includes("ALL")) out.push({ path: `${at}.securityContext.capabilities.drop`, message: `${name}: must drop ALL`, level: "baseline" });
    const add: unknown[] = Array.isArray(ctx.capabilities?.add) ? ctx.capabilities.add : [];
    const extra = add.filter((cap) => cap !== "NET_BIND_SERVICE");
    if (extra.length > 0) out.push({ path: `${at}.securityContext.capabilities.add`, message: `${name}: adds ${extra.join(", ")}`, level: "privileged" });
    if (ctx.readOnlyRootFilesystem !== true) {
      out.push({ path: `${at}.securityContext.readOnlyRootFilesystem`, message: `${name}: must be true (writable paths as volumes)`, level: "baseline" });
    }
    (Array.isArray(c.ports) ? c.ports : []).forEach((p: Json, i: number) => {
      if (isObject(p) && p.hostPort !== undefined && p.hostPort !== 0 && !(hostAccess && spec.hostNetwork === true)) {
        out.push({ path: `${at}.ports[${i}].hostPort`, message: `${name} binds host port ${p.hostPort}`, level: "privileged" });
      }
    });
    (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: Json, i: number) => {
      if (isObject(m) && hostPathVolumes.has(String(m.name)) && m.readOnly !== true) {
        out.push({ path: `${at}.volumeMounts[${i}].readOnly`, message: `${name} mounts host path volume ${m.name} writable; host access must be read-only`, level: "restricted" });
      }
    });
  }
  return out;
}

/** Findings for an operator-managed pod owner (Prometheus, PrometheusAgent, Alertmanager). */
function operatorFindings(entry: Entry): Finding[] {
  const spec: Json = isObject(entry.obj.spec) ? entry.obj.spec : {};
  const ctx: Json = isObject(spec.securityContext) ? spec.securityContext : {};
  const out: Finding[] = [];
  if (ctx.runAsNonRoot !== true) out.push({ path: "spec.securityContext.runAsNonRoot", message: "must be true", level: "baseline" });
  if (typeof ctx.runAsUser !== "number" || ctx.runAsUser === 0) out.push({ path: "spec.securityContext.runAsUser", message: "must be a non-zero UID", level: "baseline" });
  if (ctx.seccompProfile?.type !== "RuntimeDefault") out.push({ path: "spec.securityContext.seccompProfile.type", message: "must be RuntimeDefault", level: "baseline" });
  if (spec.hostNetwork === true) out.push({ path: "spec.hostNetwork", message: "uses the host network", level: "privileged" });
  return out;
}

function resourceProblems(entry: Entry, pod: PodSpecAt | undefined): Problem[] {
  const at = (path: string, message: string): Problem => ({ file: entry.file, object: entry.ref, path, message });
  const check = (resources: unknown, path: string, who: string): Problem[] => {
    const r: Json = isObject(resources) ? resources : {};
    const missing = [
      r.requests?.cpu === undefined ? "requests.cpu" : undefined,
      r.requests?.memory === undefined ? "requests.memory" : undefined,
      r.limits?.memory === undefined ? "limits.memory" : undefined,
    ].filter((m): m is string => m !== undefined);
    return missing.length === 0 ? [] : [at(path, `${who} has no ${missing.join(", ")}: every container needs CPU and memory requests and a memory limit`)];
  };
  if (!pod) return check((entry.obj as Json).spec?.resources, "spec.resources", entry.kind);
  return containersOf(pod.spec, pod.path)
    .filter(({ path }) => !path.includes("ephemeralContainers"))
    .flatMap(({ c, path }) => check(c.resources, `${path}.resources`, `container ${c.name}`));
}

const levelRank = (level: Level) => POD_SECURITY_LEVELS.indexOf(level);

/** The checks above over one environment. */
export function checkPodSecurity(files: ReadonlyArray<InvariantFile>): Problem[] {
  const index = indexEnvironment(files);
  const problems: Problem[] = [];
  /** namespace → the loosest level one of its pods needs, and which pod. */
  const needs = new Map<string, { level: Level; who: string }>();
  const need = (namespace: string, level: Level, who: string) => {
    const current = needs.get(namespace);
    if (!current || levelRank(level) < levelRank(current.level)) needs.set(namespace, { level, who });
  };
  const namespaces = new Map(index.entries.filter((e) => e.group === "" && e.kind === "Namespace").map((e) => [e.name, e]));
  const podOwners: Array<{ entry: Entry; labels: Record<string, string>; replicas: number }> = [];
  const hpaMin = new Map<string, number>();
  for (const e of index.entries) {
    if (e.kind !== "HorizontalPodAutoscaler" || !isObject(e.obj.spec)) continue;
    const ref = e.obj.spec.scaleTargetRef;
    if (isObject(ref)) hpaMin.set(`${ref.kind}|${e.namespace}|${ref.name}`, Number(e.obj.spec.minReplicas ?? 1));
  }

  for (const entry of index.entries) {
    const pod = podSpecOf(entry);
    const operator = !pod && isOperatorPodOwner(entry);
    if (!pod && !operator) continue;
    const hostAccess = pod !== undefined && typeof pod.annotations[HOST_ACCESS_ANNOTATION] === "string" && pod.annotations[HOST_ACCESS_ANNOTATION].trim() !== "";
    const findings = pod ? podFindings(pod, hostAccess) : operatorFindings(entry);
    let level: Level = "restricted";
    for (const f of findings) {
      if (levelRank(f.level) < levelRank(level)) level = f.level;
      if (f.message !== "") problems.push({ file: entry.file, object: entry.ref, path: f.path, message: `Pod Security restricted: ${f.message}` });
    }
    if (hostAccess && level !== "privileged") {
      problems.push({ file: entry.file, object: entry.ref, path: `metadata.annotations["${HOST_ACCESS_ANNOTATION}"]`, message: "justifies host access the pod does not use: remove it" });
    }
    need(entry.namespace, level, entry.ref);
    if (!namespaces.has(entry.namespace)) {
      problems.push({ file: entry.file, object: entry.ref, message: `runs pods in namespace ${entry.namespace || "(none)"}, which this environment does not create (so nothing sets its Pod Security labels)` });
    }
    problems.push(...resourceProblems(entry, pod));

    const spec: Json = isObject(entry.obj.spec) ? entry.obj.spec : {};
    const fixed = typeof spec.replicas === "number" ? spec.replicas : entry.kind === "DaemonSet" || entry.kind === "Job" || entry.kind === "CronJob" ? 0 : 1;
    const replicas = Math.max(fixed, hpaMin.get(`${entry.kind}|${entry.namespace}|${entry.name}`) ?? 0);
    const labels = pod ? pod.labels : operatorPodLabels(entry);
    podOwners.push({ entry, labels, replicas });
  }

  // 4. Disruption budgets for every multi-replica workload.
  const budgets = index.entries.filter((e) => e.kind.endsWith("PodDisruptionBudget") && isObject(e.obj.spec) && isObject(e.obj.spec.selector));
  for (const { entry, labels, replicas } of podOwners) {
    if (replicas < 2) continue;
    const covered = budgets.some((b) => b.namespace === entry.namespace && matchesLabelSelector((b.obj as Json).spec.selector, labels));
    if (!covered) {
      problems.push({ file: entry.file, object: entry.ref, message: `runs ${replicas} replicas but no PodDisruptionBudget selects its pods: a node drain may evict all of them at once` });
    }
  }

  // 2. Namespace labels match what runs there.
  for (const [name, ns] of namespaces) {
    const labels: Record<string, string> = { ...((ns.obj as Json).metadata?.labels ?? {}) };
    const at = (mode: string, message: string): Problem => ({ file: ns.file, object: ns.ref, path: `metadata.labels["${PSS_LABEL}${mode}"]`, message });
    const enforce = labels[`${PSS_LABEL}enforce`] as Level | undefined;
    if (!enforce || !POD_SECURITY_LEVELS.includes(enforce)) {
      problems.push(at("enforce", `must be one of ${POD_SECURITY_LEVELS.join(", ")}${enforce ? ` (got ${enforce})` : ""}: every namespace we create enforces a Pod Security level`));
      continue;
    }
    const required = needs.get(name) ?? { level: "restricted" as Level, who: "no pods" };
    if (levelRank(enforce) > levelRank(required.level)) {
      problems.push(at("enforce", `is ${enforce}, but ${required.who} needs ${required.level}: the API server would refuse its pods`));
    } else if (levelRank(enforce) < levelRank(required.level)) {
      problems.push(at("enforce", `is ${enforce}, but everything in the namespace meets ${required.level} (${required.who === "no pods" ? "it runs no pods" : `loosest: ${required.who}`}): enforce ${required.level}`));
    }
    for (const mode of ["audit", "warn"]) {
      const value = labels[`${PSS_LABEL}${mode}`] as Level | undefined;
      if (!value || !POD_SECURITY_LEVELS.includes(value)) problems.push(at(mode, `must be one of ${POD_SECURITY_LEVELS.join(", ")}${value ? ` (got ${value})` : ""}`));
      else if (levelRank(value) < levelRank(enforce)) problems.push(at(mode, `is ${value}, looser than enforce (${enforce}): it would report nothing enforce does not already refuse`));
    }
  }
  return problems;
}

/** The labels prometheus-operator puts on the pods of a Prometheus/PrometheusAgent/Alertmanager object. */
function operatorPodLabels(entry: Entry): Record<string, string> {
  const spec: Json = isObject(entry.obj.spec) ? entry.obj.spec : {};
  const names: Record<string, string> = { Prometheus: "prometheus", PrometheusAgent: "prometheus-agent", Alertmanager: "alertmanager" };
  return {
    ...(spec.podMetadata?.labels ?? {}),
    "app.kubernetes.io/name": names[entry.kind]!,
    "app.kubernetes.io/managed-by": "prometheus-operator",
    "app.kubernetes.io/instance": entry.name,
    ...(entry.kind === "Alertmanager" ? { alertmanager: entry.name } : { "operator.prometheus.io/name": entry.name }),
    ...(entry.kind === "Prometheus" ? { prometheus: entry.name } : {}),
  };
}
