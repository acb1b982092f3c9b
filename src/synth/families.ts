import { clusterFamily } from "../cluster/family.js";
import { collectionFamily } from "../collection/family.js";
import { gatewayFamily } from "../gateway/family.js";
import { grafanaFamily } from "../grafana/family.js";
import { cachesFamily } from "../memcached/family.js";
import { mimirFamily } from "../mimir/family.js";
import { recordingRulesFamily, rulerRulesFamily } from "../rules/family.js";
import { alertingFamily } from "../alerting/family.js";
import { rolloutOperatorFamily } from "../mimir/rollout-operator-family.js";
import { storageFamily } from "../storage/family.js";
import { backupFamily } from "../backup/family.js";
import { securityFamily } from "../security/family.js";
import type { Family } from "./family.js";

/**
 * Every component family, in build order: a family may only `need` what an earlier one published.
 * Adding a family means adding its folder and one line here.
 */
export const FAMILIES: readonly Family[] = [
  clusterFamily,
  rolloutOperatorFamily,
  storageFamily,
  cachesFamily,
  rulerRulesFamily,
  alertingFamily,
  mimirFamily,
  gatewayFamily,
  grafanaFamily,
  recordingRulesFamily,
  collectionFamily,
  backupFamily,
  securityFamily, // last: derives from every other family's objects
];
