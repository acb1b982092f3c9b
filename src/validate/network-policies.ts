/**
 * NetworkPolicies of ONE environment (issue #12), structural rules (the flow graph itself is checked by
 * test/network-policies.test.ts): once an environment has NetworkPolicies, every namespace it creates has
 * a default deny (a policy selecting every pod, for Ingress and Egress); no rule opens every port or every
 * peer; no peer selects every pod of every namespace; `0.0.0.0/0` always excludes the private ranges.
 */
import { indexEnvironment, isObject, type InvariantFile } from "./invariants.js";
import type { Problem } from "./problem.js";

type Json = Record<string, any>;
const empty = (selector: unknown) => !isObject(selector) || (Object.keys((selector as Json).matchLabels ?? {}).length === 0 && ((selector as Json).matchExpressions ?? []).length === 0);

export function checkNetworkPolicies(files: ReadonlyArray<InvariantFile>): Problem[] {
  const index = indexEnvironment(files);
  const policies = index.entries.filter((e) => e.group === "networking.k8s.io" && e.kind === "NetworkPolicy");
  if (policies.length === 0) return [];
  const problems: Problem[] = [];
  for (const ns of index.entries.filter((e) => e.group === "" && e.kind === "Namespace")) {
    const denies = policies.some((p) => {
      const spec: Json = (p.obj as Json).spec ?? {};
      return p.namespace === ns.name && empty(spec.podSelector) && ["Ingress", "Egress"].every((t) => (spec.policyTypes ?? []).includes(t)) && (spec.ingress ?? []).length === 0;
    });
    if (!denies) problems.push({ file: ns.file, object: ns.ref, message: "has no default-deny NetworkPolicy (every pod, Ingress and Egress, no ingress rule), while this environment uses NetworkPolicies" });
  }
  for (const p of policies) {
    const spec: Json = (p.obj as Json).spec ?? {};
    for (const [direction, peersKey] of [["ingress", "from"], ["egress", "to"]] as const) {
      (spec[direction] ?? []).forEach((rule: Json, i: number) => {
        const at = (message: string): Problem => ({ file: p.file, object: p.ref, path: `spec.${direction}[${i}]`, message });
        if (!Array.isArray(rule.ports) || rule.ports.length === 0) problems.push(at("allows every port: list the ports"));
        if (!Array.isArray(rule[peersKey]) || rule[peersKey].length === 0) problems.push(at(`allows every ${direction === "ingress" ? "source" : "destination"}: list the peers`));
        for (const peer of rule[peersKey] ?? []) {
          if (isObject(peer.ipBlock)) {
            if (peer.ipBlock.cidr === "0.0.0.0/0" && !(peer.ipBlock.except ?? []).includes("10.0.0.0/8")) problems.push(at("allows 0.0.0.0/0 without excepting the private ranges (which hold the pods)"));
          } else if (peer.namespaceSelector !== undefined && empty(peer.namespaceSelector) && empty(peer.podSelector)) {
            problems.push(at("has a peer selecting every pod of every namespace"));
          }
        }
      });
    }
  }
  return problems;
}
