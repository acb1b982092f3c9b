/**
 * Invariants of the Grafana family, checked on every synth and by `npm run validate`:
 *
 * - every datasource UID a dashboard panel, query or variable references is provisioned in the
 *   same environment (grafana-datasources ConfigMap);
 * - every `$variable` a query uses is defined by its dashboard (or is one of Grafana's built-ins);
 * - panel ids are unique per dashboard, and dashboard UIDs unique across folders;
 * - every `$__env{NAME}` the provisioning files expand is set on the Grafana container.
 *
 * (The PromQL of each query, and the metric names in it, are checked by test/grafana.test.ts with the
 * lezer PromQL parser, a development dependency.)
 */
import { load } from "js-yaml";
import { isObject } from "./invariants.js";
import { joinPath, type Problem } from "./problem.js";

interface GrafanaFile {
  readonly file: string;
  readonly objects: readonly unknown[];
}

const BUILTIN_VARIABLES = new Set(["__rate_interval", "__interval", "__range", "__range_s", "__range_ms", "__interval_ms"]);
const DASHBOARDS_PREFIX = "grafana-dashboards-";
const DATASOURCES_CONFIGMAP = "grafana-datasources";
const DATASOURCES_KEY = "datasources.yaml";

type Obj = Record<string, unknown>;
const asArray = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const uidOf = (v: unknown): string | undefined => (isObject(v) && typeof v.uid === "string" ? v.uid : undefined);

function configMaps(files: readonly GrafanaFile[]): { file: string; name: string; data: Record<string, unknown> }[] {
  return files.flatMap(({ file, objects }) =>
    objects.filter(isObject).flatMap((obj) => {
      const metadata = isObject(obj.metadata) ? obj.metadata : {};
      if (obj.kind !== "ConfigMap" || typeof metadata.name !== "string" || !isObject(obj.data)) return [];
      return [{ file, name: metadata.name, data: obj.data }];
    }),
  );
}

/** Problems of the Grafana objects of one environment (none when it runs no Grafana). */
export function checkGrafana(files: readonly GrafanaFile[]): Problem[] {
  const maps = configMaps(files);
  const datasources = maps.find((map) => map.name === DATASOURCES_CONFIGMAP);
  const dashboards = maps.filter((map) => map.name.startsWith(DASHBOARDS_PREFIX));
  if (!datasources && dashboards.length === 0) return [];
  const problems: Problem[] = [];
  const provisioned = new Set<string>();
  const envRefs = new Set<string>();
  if (datasources) {
    const text = datasources.data[DATASOURCES_KEY];
    let doc: unknown;
    try {
      doc = typeof text === "string" ? load(text) : undefined;
    } catch (error) {
      problems.push({ file: datasources.file, object: `ConfigMap/${DATASOURCES_CONFIGMAP}`, message: `invalid YAML: ${(error as Error).message.split("\n")[0]}` });
    }
    for (const ds of asArray(isObject(doc) ? doc.datasources : undefined)) if (typeof ds.uid === "string") provisioned.add(ds.uid);
    for (const match of String(text ?? "").matchAll(/\$__env\{([^}]*)\}/g)) envRefs.add(match[1]!);
  }
  problems.push(...checkEnvRefs(files, envRefs));

  const seenUids = new Map<string, string>();
  for (const map of dashboards) {
    for (const [key, text] of Object.entries(map.data)) {
      const where = { file: map.file, object: `ConfigMap/${map.name}` };
      let dashboard: Obj;
      try {
        dashboard = JSON.parse(String(text)) as Obj;
      } catch (error) {
        problems.push({ ...where, path: joinPath("data", key), message: `not valid JSON: ${(error as Error).message}` });
        continue;
      }
      const uid = String(dashboard.uid ?? "");
      const first = seenUids.get(uid);
      if (first !== undefined) problems.push({ ...where, path: joinPath("data", key), message: `dashboard uid "${uid}" is also used by ${first}` });
      seenUids.set(uid, `${map.name}/${key}`);
      const report = (path: string, message: string) => problems.push({ ...where, path: `${joinPath("data", key)}.${path}`, message: `dashboard ${uid}: ${message}` });
      checkDashboard(dashboard, provisioned, report);
    }
  }
  return problems;
}

function checkDashboard(dashboard: Obj, provisioned: ReadonlySet<string>, report: (path: string, message: string) => void): void {
  const variables = asArray(isObject(dashboard.templating) ? dashboard.templating.list : undefined);
  const defined = new Set([...BUILTIN_VARIABLES, ...variables.map((v) => String(v.name))]);
  const checkUid = (path: string, ref: unknown) => {
    const uid = uidOf(ref);
    if (uid !== undefined && !provisioned.has(uid)) report(path, `datasource "${uid}" is not provisioned in this environment`);
  };
  const checkVariables = (path: string, text: string) => {
    for (const match of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (!defined.has(match[1]!)) report(path, `uses $${match[1]}, which the dashboard does not define`);
    }
  };
  variables.forEach((variable, index) => {
    checkUid(`templating.list[${index}].datasource`, variable.datasource);
    const query = isObject(variable.query) ? variable.query.query : variable.query;
    if (typeof query === "string") checkVariables(`templating.list[${index}].query`, query);
  });
  const ids = new Set<number>();
  asArray(dashboard.panels).forEach((panel, index) => {
    const at = `panels[${index}]`;
    if (typeof panel.id !== "number") report(at, `panel "${String(panel.title)}" has no id`);
    else if (ids.has(panel.id)) report(`${at}.id`, `panel id ${panel.id} is used twice`);
    else ids.add(panel.id);
    checkUid(`${at}.datasource`, panel.datasource);
    asArray(panel.targets).forEach((target, t) => {
      checkUid(`${at}.targets[${t}].datasource`, target.datasource);
      if (typeof target.expr === "string") checkVariables(`${at}.targets[${t}].expr`, target.expr);
    });
  });
}

/** Every `$__env{NAME}` of the provisioning files must be set on the Grafana container. */
function checkEnvRefs(files: readonly GrafanaFile[], names: ReadonlySet<string>): Problem[] {
  if (names.size === 0) return [];
  for (const { file, objects } of files) {
    for (const obj of objects.filter(isObject)) {
      const metadata = isObject(obj.metadata) ? obj.metadata : {};
      if (obj.kind !== "Deployment" || metadata.name !== "grafana") continue;
      const template = isObject(obj.spec) && isObject(obj.spec.template) && isObject(obj.spec.template.spec) ? obj.spec.template.spec : {};
      const container = asArray(template.containers).find((c) => c.name === "grafana");
      const set = new Set(asArray(container?.env).map((e) => String(e.name)));
      return [...names]
        .filter((name) => !set.has(name))
        .map((name) => ({ file, object: "Deployment/grafana", message: `grafana-datasources expands $__env{${name}}, which the grafana container does not set` }));
    }
  }
  return [{ file: files[0]?.file ?? "", message: "grafana-datasources expands environment variables but there is no grafana Deployment" }];
}
