/**
 * Invariants of the rules and alerting families, checked on every synth and by `npm run validate`:
 *
 * 1. Ruler local storage: when mimir.yaml sets `ruler_storage.backend: local`, every pod running
 *    the ruler mounts one existing ConfigMap per tenant at `<directory>/<tenant>` (never one at the
 *    directory itself, whose `..data` entries would become tenants), every key of those ConfigMaps
 *    is a rule file (`groups:` list), and each tenant's groups fit its ruler limits
 *    (`ruler_max_rules_per_rule_group`, `ruler_max_rule_groups_per_tenant`: mimir.yaml `limits`, then
 *    runtime.yaml `overrides.<tenant>`; Mimir's defaults 20 and 70; 0 = unlimited).
 * 2. A PrometheusRule labelled `monitoring.grafana.com/rule-type=recording` holds recording rules
 *    only (alerts are evaluated by the ruler).
 * 3. Every `*_file` of the Alertmanager fallback config lies in a directory the Alertmanager pods
 *    mount from a Secret that an ExternalSecret of this environment creates, with that key.
 *
 * (Rule expressions, metric names and routing are tested with promtool/amtool in test/.)
 */
import { load } from "js-yaml";
import { isObject } from "./invariants.js";
import type { Problem } from "./problem.js";

interface RulesFile {
  readonly file: string;
  readonly objects: readonly unknown[];
}
type Obj = Record<string, unknown>;
interface Located {
  readonly file: string;
  readonly obj: Obj;
  readonly name: string;
}

const RECORDING_LABEL = "monitoring.grafana.com/rule-type";
const TENANT_LABEL = "observability-platform/tenant";
/** Mimir's defaults for the ruler limits (config descriptor). */
const RULER_LIMIT_DEFAULTS = { ruler_max_rules_per_rule_group: 20, ruler_max_rule_groups_per_tenant: 70 } as const;
const FALLBACK_KEY = "alertmanager_fallback_config.yaml";

const asArray = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const get = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((acc, key) => (isObject(acc) ? acc[key] : undefined), o);

function located(files: readonly RulesFile[], kind: string): Located[] {
  return files.flatMap(({ file, objects }) =>
    objects.filter(isObject).flatMap((obj) => {
      const name = get(obj, "metadata", "name");
      return obj.kind === kind && typeof name === "string" ? [{ file, obj, name }] : [];
    }),
  );
}

function parse(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return load(text);
  } catch {
    return undefined;
  }
}

function podTemplates(files: readonly RulesFile[]): Located[] {
  return [...located(files, "Deployment"), ...located(files, "StatefulSet")];
}

const mainContainer = (workload: Obj): Obj | undefined => asArray(get(workload, "spec", "template", "spec", "containers"))[0];
const runsTarget = (workload: Obj, targets: RegExp): boolean =>
  asArray(get(workload, "spec", "template", "spec", "containers")).some((c) =>
    (Array.isArray(c.args) ? c.args : []).some((arg) => typeof arg === "string" && arg.startsWith("-target=") && targets.test(arg.slice("-target=".length))),
  );

/** Volume name → mountPath and source of a workload's main container. */
function mounts(workload: Obj): { mountPath: string; configMap?: string; secret?: string }[] {
  const volumes = new Map(asArray(get(workload, "spec", "template", "spec", "volumes")).map((v) => [v.name, v]));
  return asArray(mainContainer(workload)?.volumeMounts).flatMap((m) => {
    const volume = volumes.get(m.name);
    if (typeof m.mountPath !== "string" || !volume) return [];
    const configMap = get(volume, "configMap", "name");
    const secret = get(volume, "secret", "secretName");
    return [{ mountPath: m.mountPath, configMap: typeof configMap === "string" ? configMap : undefined, secret: typeof secret === "string" ? secret : undefined }];
  });
}

function checkRulerStorage(files: readonly RulesFile[]): Problem[] {
  const problems: Problem[] = [];
  const configMaps = new Map(located(files, "ConfigMap").map((c) => [c.name, c]));
  const mimirYaml = parse(get(configMaps.get("mimir-config")?.obj, "data", "mimir.yaml"));
  if (get(mimirYaml, "ruler_storage", "backend") !== "local") return problems;
  const directory = String(get(mimirYaml, "ruler_storage", "local", "directory") ?? "");
  for (const { file, obj, name } of podTemplates(files)) {
    if (!runsTarget(obj, /(^|,)(ruler|all)(,|$)/)) continue;
    const object = `${String(obj.kind)}/${name}`;
    const ruleMounts = mounts(obj).filter((m) => m.mountPath === directory || m.mountPath.startsWith(`${directory}/`));
    if (ruleMounts.length === 0) problems.push({ file, object, message: `runs the ruler with ruler_storage.local.directory ${directory} but mounts no rule files there` });
    for (const mount of ruleMounts) {
      if (mount.mountPath === directory || mount.mountPath.slice(directory.length + 1).includes("/")) {
        problems.push({ file, object, message: `mounts ${mount.mountPath}: mount one ConfigMap per tenant at ${directory}/<tenant> (the local rule store reads every directory under ${directory} as a tenant)` });
        continue;
      }
      const source = mount.configMap ? configMaps.get(mount.configMap) : undefined;
      if (!source) {
        problems.push({ file, object, message: `mounts rules at ${mount.mountPath} from ConfigMap ${mount.configMap ?? "(not a ConfigMap)"}, which this environment does not create` });
        continue;
      }
      problems.push(...checkRuleFiles(source, mimirYaml, parse(get(configMaps.get("mimir-runtime")?.obj, "data", "runtime.yaml"))));
    }
  }
  return problems;
}

function rulerLimit(name: keyof typeof RULER_LIMIT_DEFAULTS, tenant: string, mimirYaml: unknown, runtimeYaml: unknown): number {
  const value = get(runtimeYaml, "overrides", tenant, name) ?? get(mimirYaml, "limits", name) ?? RULER_LIMIT_DEFAULTS[name];
  return typeof value === "number" && value > 0 ? value : Infinity;
}

/** One tenant's rule ConfigMap: rule files only, within the tenant's ruler limits. */
function checkRuleFiles(source: Located, mimirYaml: unknown, runtimeYaml: unknown): Problem[] {
  const problems: Problem[] = [];
  const object = `ConfigMap/${source.name}`;
  const tenant = String(get(source.obj, "metadata", "labels", TENANT_LABEL) ?? source.name);
  const perGroup = rulerLimit("ruler_max_rules_per_rule_group", tenant, mimirYaml, runtimeYaml);
  const perTenant = rulerLimit("ruler_max_rule_groups_per_tenant", tenant, mimirYaml, runtimeYaml);
  let groups = 0;
  for (const [key, text] of Object.entries(isObject(source.obj.data) ? source.obj.data : {})) {
    const parsed = get(parse(text), "groups");
    if (!Array.isArray(parsed)) {
      problems.push({ file: source.file, object, path: `data.${key}`, message: "is not a rule file (no groups: list)" });
      continue;
    }
    groups += parsed.length;
    asArray(parsed).forEach((group, index) => {
      const rules = asArray(group.rules).length;
      if (rules > perGroup) {
        problems.push({ file: source.file, object, path: `data.${key}`, message: `group ${String(group.name ?? index)} has ${rules} rules; tenant ${tenant}'s ruler_max_rules_per_rule_group is ${perGroup}: split the group` });
      }
    });
  }
  if (groups > perTenant) {
    problems.push({ file: source.file, object, message: `tenant ${tenant} has ${groups} rule groups; its ruler_max_rule_groups_per_tenant is ${perTenant}` });
  }
  return problems;
}

function checkRecordingRules(files: readonly RulesFile[]): Problem[] {
  return located(files, "PrometheusRule").flatMap(({ file, obj, name }) => {
    if (get(obj, "metadata", "labels", RECORDING_LABEL) !== "recording") return [];
    return asArray(get(obj, "spec", "groups")).flatMap((group, g) =>
      asArray(group.rules).flatMap((rule, r) =>
        rule.alert !== undefined
          ? [{ file, object: `PrometheusRule/${name}`, path: `spec.groups[${g}].rules[${r}]`, message: `alert ${String(rule.alert)} in a recording-only PrometheusRule: alerts belong to the ruler` }]
          : [],
      ),
    );
  });
}

/** Every `<something>_file: <path>` value in a parsed Alertmanager config. */
function filePaths(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => filePaths(item, out));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key.endsWith("_file") && typeof value === "string") out.push(value);
      else filePaths(value, out);
    }
  }
  return out;
}

function checkAlertmanagerSecrets(files: readonly RulesFile[]): Problem[] {
  const fallback = located(files, "ConfigMap").find((c) => isObject(c.obj.data) && FALLBACK_KEY in c.obj.data);
  if (!fallback) return [];
  const paths = filePaths(parse(get(fallback.obj, "data", FALLBACK_KEY)));
  if (paths.length === 0) return [];
  const secretKeys = new Map<string, Set<string>>();
  for (const { obj } of located(files, "ExternalSecret")) {
    const target = get(obj, "spec", "target", "name") ?? get(obj, "metadata", "name");
    if (typeof target === "string") secretKeys.set(target, new Set(asArray(get(obj, "spec", "data")).map((d) => String(d.secretKey))));
  }
  const problems: Problem[] = [];
  for (const { file, obj, name } of podTemplates(files)) {
    if (!runsTarget(obj, /(^|,)alertmanager(,|$)/)) continue;
    const secretMounts = mounts(obj).filter((m) => m.secret);
    for (const filePath of paths) {
      const mount = secretMounts.find((m) => filePath.startsWith(`${m.mountPath}/`));
      const key = mount ? filePath.slice(mount.mountPath.length + 1) : undefined;
      if (!mount || !secretKeys.get(mount.secret!)?.has(key!)) {
        problems.push({
          file,
          object: `${String(obj.kind)}/${name}`,
          message: `the Alertmanager config reads ${filePath}, which no mounted Secret created by an ExternalSecret of this environment provides`,
        });
      }
    }
  }
  return problems;
}

export function checkRulesAndAlerting(files: readonly RulesFile[]): Problem[] {
  return [...checkRulerStorage(files), ...checkRecordingRules(files), ...checkAlertmanagerSecrets(files)];
}
