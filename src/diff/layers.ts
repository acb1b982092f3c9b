/**
 * `npm run diff`, per layer: which GitOps units (dist/<env>/<layer>, i.e. one Argo CD Application or Flux
 * Kustomization each; argocd/<env> and flux/<env> for the trees themselves) a change touches, so a reviewer sees
 * what will sync, and in which wave.
 */
import type { DiffReport, ObjectRef } from "./semantic-diff.js";

/** The GitOps unit a repo-relative output file belongs to. */
export function unitOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "dist" && parts.length >= 4) return parts.slice(0, 3).join("/");
  if ((parts[0] === "argocd" || parts[0] === "flux") && parts.length >= 2) return `${parts[0]}/${parts[1]!.replace(/\.yaml$/, "")}`;
  return parts.slice(0, -1).join("/") || file;
}

/** Lines summarizing the report per unit (empty when nothing differs). */
export function formatLayerSummary(report: DiffReport): string[] {
  const counts = new Map<string, { changed: number; moved: number; added: number; removed: number }>();
  const count = (ref: ObjectRef, kind: "changed" | "moved" | "added" | "removed") => {
    const unit = unitOf(ref.file);
    const entry = counts.get(unit) ?? { changed: 0, moved: 0, added: 0, removed: 0 };
    entry[kind]++;
    counts.set(unit, entry);
  };
  for (const c of report.changed) count(c.ref, "changed");
  for (const m of report.moved) count(m.to, "moved");
  for (const ref of report.added) count(ref, "added");
  for (const ref of report.removed) count(ref, "removed");
  if (counts.size === 0) return [];
  return [
    "per layer:",
    ...[...counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([unit, c]) => `  ${unit}: ${Object.entries(c).filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`).join(", ")}`),
  ];
}
