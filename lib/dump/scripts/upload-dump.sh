#!/usr/bin/env bash
# cdk-backup-dr: container 2 of the DatabaseDumpJob task (the AWS CLI image). Runs once the
# dump container has exited with 0: checks the dump against its .sha256 file and uploads
# both to the 48-hour bucket. The yearly copy is not made here: the workflow's Finalize step
# copies the daily copy into the archive bucket once it has verified the stored bytes, so
# that nothing unverified is ever locked there.
#
# Environment:
#   DUMP_DIR                        the folder on the task's shared volume
#   DAILY_BUCKET, DAILY_PREFIX      where the daily copy goes (the prefix ends in /)
#
# Passed inline in the task definition: plain $NAME references only (see dump-database.sh).
set -euo pipefail
umask 077

for name in DUMP_DIR DAILY_BUCKET DAILY_PREFIX; do
  if [ -z "$(printenv "$name" || true)" ]; then
    echo "upload-dump: $name is not set" >&2
    exit 2
  fi
done
export HOME="$DUMP_DIR/home" TMPDIR="$DUMP_DIR/tmp"

cd "$DUMP_DIR"
if ! sha256sum -c --status dump.sql.gz.sha256; then
  echo "upload-dump: dump.sql.gz does not match dump.sql.gz.sha256" >&2
  exit 1
fi
digest=$(cut -d' ' -f1 dump.sql.gz.sha256)

target="s3://$DAILY_BUCKET/$DAILY_PREFIX"
aws s3 cp dump.sql.gz "$target"dump.sql.gz --only-show-errors --metadata "sha256=$digest"
aws s3 cp dump.sql.gz.sha256 "$target"dump.sql.gz.sha256 --only-show-errors --content-type text/plain
echo "upload-dump: $target""dump.sql.gz (sha256 $digest)"
