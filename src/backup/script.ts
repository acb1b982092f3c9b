/**
 * The backup script, run by the backup CronJob in two steps sharing an emptyDir:
 *
 *   backup.sh export   (database client image) writes into $BACKUP_DIR:
 *                        silences/<tenant>.json  every tenant's Alertmanager silences (Mimir's API, X-Scope-OrgID)
 *                        grafana.dump            Grafana's PostgreSQL database (pg_dump custom format)
 *   backup.sh upload   (AWS CLI image, IRSA) copies $BACKUP_DIR to s3://$BUCKET/backups/<UTC stamp>/, snapshots
 *                      Alertmanager's persisted state (silences and notification log, $ALERTMANAGER_STATE) next to
 *                      it, and records the stamp in s3://$BUCKET/backups/LATEST last, so LATEST always names a
 *                      complete backup.
 *
 * Any failure fails the Job (set -e, and required variables are checked; no partial LATEST). POSIX sh: the export
 * image has busybox, not bash. No \`\${…}\` expansions: the manifest validation rejects unresolved placeholders.
 * Tested with stubbed wget, pg_dump and aws in test/backup.test.ts; restore: docs/backups.md.
 */
export const BACKUP_SCRIPT = `#!/bin/sh
set -e

require() {
  for name in "$@"; do
    eval "value=\\$$name"
    if [ -z "$value" ]; then echo "backup: $name is not set" >&2; exit 2; fi
  done
}

export_state() {
  require BACKUP_DIR
  mkdir -p "$BACKUP_DIR/silences"
  if [ -n "$ALERTMANAGER_URL" ]; then
    require TENANTS
    for tenant in $TENANTS; do
      wget -q -T 30 -O "$BACKUP_DIR/silences/$tenant.json" --header "X-Scope-OrgID: $tenant" "$ALERTMANAGER_URL/api/v2/silences"
      echo "backup: silences of tenant $tenant exported"
    done
  fi
  if [ -n "$PGHOST" ]; then
    require PGDATABASE DATABASE_SECRET_DIR
    PGUSER="$(cat "$DATABASE_SECRET_DIR/username")" PGPASSWORD="$(cat "$DATABASE_SECRET_DIR/password")" \\
      pg_dump --format=custom --no-owner --no-privileges --file "$BACKUP_DIR/grafana.dump"
    echo "backup: Grafana database $PGDATABASE exported"
  fi
}

upload() {
  require BACKUP_DIR BUCKET KMS_KEY_ARN
  stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
  destination="s3://$BUCKET/backups/$stamp"
  aws s3 cp --recursive --only-show-errors --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN" "$BACKUP_DIR/" "$destination/"
  if [ -n "$ALERTMANAGER_STATE" ]; then
    aws s3 sync --only-show-errors --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN" "$ALERTMANAGER_STATE" "$destination/alertmanager-state/"
  fi
  printf '%s\\n' "$stamp" > "$BACKUP_DIR/../LATEST"
  aws s3 cp --only-show-errors --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN" "$BACKUP_DIR/../LATEST" "s3://$BUCKET/backups/LATEST"
  echo "backup: complete: $destination/"
}

case "$1" in
  export) export_state ;;
  upload) upload ;;
  *) echo "usage: backup.sh export|upload" >&2; exit 2 ;;
esac
`;
