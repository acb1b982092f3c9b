/**
 * RBAC least privilege in ONE environment (issue #12): every rule of every ClusterRole and Role names its
 * verbs, resources and API groups explicitly (no `*`, no `resource/*`); no ClusterRole lets its subjects
 * read Secrets in every namespace; no binding grants Kubernetes' built-in catch-all roles.
 */
import { indexEnvironment, isObject, type InvariantFile } from "./invariants.js";
import type { Problem } from "./problem.js";

type Json = Record<string, any>;

const BROAD_ROLES = new Set(["cluster-admin", "admin", "edit"]);
const SECRET_READ = new Set(["get", "list", "watch"]);

/** Every rule of every Role/ClusterRole, for listing (test/security.test.ts) and checking. */
export interface RbacRule {
  readonly file: string;
  readonly object: string;
  readonly path: string;
  readonly kind: string;
  readonly rule: Json;
}

export function rbacRules(files: ReadonlyArray<InvariantFile>): RbacRule[] {
  const out: RbacRule[] = [];
  for (const e of indexEnvironment(files).entries) {
    if (e.group !== "rbac.authorization.k8s.io" || (e.kind !== "ClusterRole" && e.kind !== "Role")) continue;
    const rules: unknown[] = Array.isArray((e.obj as Json).rules) ? (e.obj as Json).rules : [];
    rules.forEach((rule, i) => {
      if (isObject(rule)) out.push({ file: e.file, object: e.ref, path: `rules[${i}]`, kind: e.kind, rule: rule as Json });
    });
  }
  return out;
}

export function checkRbac(files: ReadonlyArray<InvariantFile>): Problem[] {
  const problems: Problem[] = [];
  for (const { file, object, path, kind, rule } of rbacRules(files)) {
    for (const field of ["verbs", "resources", "apiGroups", "nonResourceURLs"]) {
      const values: unknown[] = Array.isArray(rule[field]) ? rule[field] : [];
      const wild = values.filter((v) => typeof v === "string" && v.includes("*"));
      if (wild.length > 0) {
        problems.push({ file, object, path: `${path}.${field}`, message: `has the wildcard ${wild.join(", ")}: least privilege names every ${field === "apiGroups" ? "API group" : field.replace(/s$/, "")} it needs` });
      }
    }
    const verbs: unknown[] = Array.isArray(rule.verbs) ? rule.verbs : [];
    const resources: unknown[] = Array.isArray(rule.resources) ? rule.resources : [];
    const core = Array.isArray(rule.apiGroups) && rule.apiGroups.includes("");
    if (kind === "ClusterRole" && core && resources.includes("secrets") && verbs.some((v) => typeof v === "string" && SECRET_READ.has(v))) {
      problems.push({ file, object, path, message: "reads Secrets in every namespace; grant it with a Role in the namespace that needs it" });
    }
  }
  for (const e of indexEnvironment(files).entries) {
    if (e.group !== "rbac.authorization.k8s.io" || (e.kind !== "ClusterRoleBinding" && e.kind !== "RoleBinding")) continue;
    const role = (e.obj as Json).roleRef;
    if (isObject(role) && role.kind === "ClusterRole" && typeof role.name === "string" && BROAD_ROLES.has(role.name)) {
      problems.push({ file: e.file, object: e.ref, path: "roleRef.name", message: `grants the built-in ${role.name} role; bind a role listing exactly what is needed` });
    }
  }
  return problems;
}
