import { autoscaling } from "./autoscaling.js";
import { caches } from "./caches.js";
import { collection } from "./collection.js";
import { exportersAndProbes } from "./exporters.js";
import { gateway } from "./gateway.js";
import type { BuiltDashboard, DashboardEnv } from "./kit.js";
import { platformOverview } from "./overview.js";
import { readPath } from "./read-path.js";
import { rulerAndAlertmanager } from "./ruler.js";
import { compactor, objectStorage } from "./storage.js";
import { tenantsAndBilling } from "./tenants.js";
import { writePath } from "./write-path.js";

export { FOLDERS, type BuiltDashboard, type DashboardEnv, type Folder } from "./kit.js";

/**
 * Every dashboard of one environment. Dashboards about components that do not run there (the write
 * path, compactor, ruler and Alertmanager in read-only DR) are left out.
 */
export function platformDashboards(env: DashboardEnv): BuiltDashboard[] {
  return [
    platformOverview(env),
    ...(env.writePath ? [writePath(env)] : []),
    readPath(env),
    caches(env),
    gateway(env),
    objectStorage(env),
    ...(env.writePath ? [compactor(env), rulerAndAlertmanager(env)] : []),
    autoscaling(env),
    collection(env),
    exportersAndProbes(env),
    tenantsAndBilling(env),
  ];
}
