/**
 * The security checks of issue #12 over ONE environment, called once from manifests.ts: pod security
 * (pod-security.ts), secrets and secret stores (secrets.ts), RBAC (rbac.ts), NetworkPolicies
 * (network-policies.ts).
 */
import type { InvariantFile } from "./invariants.js";
import { checkNetworkPolicies } from "./network-policies.js";
import { checkPodSecurity } from "./pod-security.js";
import type { Problem } from "./problem.js";
import { checkRbac } from "./rbac.js";
import { checkSecrets } from "./secrets.js";

export function checkSecurity(files: ReadonlyArray<InvariantFile>): Problem[] {
  // Pod security judges pods against their namespace's labels: it needs a whole environment (whose
  // foundation creates its namespaces), not a fragment such as a single validated object.
  const whole = files.some((f) => f.objects.some((o) => (o as { apiVersion?: unknown; kind?: unknown }).kind === "Namespace" && (o as { apiVersion?: unknown }).apiVersion === "v1"));
  return [...(whole ? checkPodSecurity(files) : []), ...checkSecrets(files), ...checkRbac(files), ...checkNetworkPolicies(files)];
}
