/**
 * Checks the command-line flags of Mimir containers against the flags in Mimir's config descriptor
 * (imports/mimir-config-keys.json), with the value typed like the field the flag sets. Catches
 * misspelled or removed flags, which Mimir would only reject at start-up in the cluster.
 */
import keys from "../../imports/mimir-config-keys.json" with { type: "json" };
import { closest, isDurationString, type MimirFieldInfo } from "./mimir-keys.js";
import type { Problem } from "./problem.js";

/** Flags of the main binary that are not config fields, so the descriptor does not list them. */
export const MIMIR_CLI_ONLY_FLAGS: ReadonlySet<string> = new Set(["config.file", "config.expand-env", "mem-ballast-size-bytes"]);

let byFlag: Map<string, { path: string; info: MimirFieldInfo }> | undefined;

function flagIndex(): Map<string, { path: string; info: MimirFieldInfo }> {
  if (!byFlag) {
    byFlag = new Map();
    for (const [path, info] of Object.entries((keys as { fields: Record<string, MimirFieldInfo> }).fields)) {
      if (info.flag) byFlag.set(info.flag, { path, info });
    }
  }
  return byFlag;
}

function valueProblem(type: string, value: string): string | undefined {
  switch (type) {
    case "int":
      return /^-?[0-9]+$/.test(value) ? undefined : "expected an integer";
    case "float":
      return Number.isFinite(Number(value)) && value.trim() !== "" ? undefined : "expected a number";
    case "boolean":
      return value === "true" || value === "false" ? undefined : "expected true or false";
    case "duration":
      return isDurationString(value) ? undefined : "expected a duration such as 30s or 5m";
    default:
      return undefined;
  }
}

/** True for images of the Mimir binary (grafana/mimir, any registry or tag). */
export function isMimirImage(image: unknown): boolean {
  return typeof image === "string" && /(^|\/)mimir(:|@|$)/.test(image);
}

/** Problems with one Mimir container's args; `path` is the args field path for reporting. */
export function checkMimirArgs(args: readonly unknown[], ctx: { file: string; object: string; path: string }): Problem[] {
  const problems: Problem[] = [];
  const index = flagIndex();
  args.forEach((arg, i) => {
    const at = { file: ctx.file, object: ctx.object, path: `${ctx.path}[${i}]` };
    if (typeof arg !== "string" || !/^--?[a-z]/.test(arg)) {
      problems.push({ ...at, message: `expected a -flag=value argument, got ${JSON.stringify(arg)}` });
      return;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    if (MIMIR_CLI_ONLY_FLAGS.has(name)) return;
    const known = index.get(name);
    if (!known) {
      const hint = closest(name, [...index.keys()]);
      problems.push({ ...at, message: `unknown Mimir flag -${name}${hint ? ` (did you mean -${hint}?)` : ""}` });
      return;
    }
    if (value === undefined) {
      if (known.info.type !== "boolean") problems.push({ ...at, message: `-${name} needs a value (${known.info.type})` });
      return;
    }
    const problem = valueProblem(known.info.type, value);
    if (problem) problems.push({ ...at, message: `-${name}=${value}: ${problem} (sets ${known.path})` });
  });
  return problems;
}

/** Finds the containers of a workload-like object (Pod, Deployment, StatefulSet, Job, CronJob…). */
export function podContainers(obj: Record<string, any>): Array<{ container: Record<string, any>; path: string }> {
  const candidates: Array<[unknown, string]> = [
    [obj.spec?.containers, "spec.containers"],
    [obj.spec?.template?.spec?.containers, "spec.template.spec.containers"],
    [obj.spec?.jobTemplate?.spec?.template?.spec?.containers, "spec.jobTemplate.spec.template.spec.containers"],
  ];
  for (const [list, path] of candidates) {
    if (Array.isArray(list)) return list.map((container, i) => ({ container, path: `${path}[${i}]` }));
  }
  return [];
}
