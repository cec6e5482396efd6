#!/usr/bin/env bash
# cdk-backup-dr: the daily logical dump, container 1 of the DatabaseDumpJob task.
#
# Dumps the listed databases of a MySQL or MariaDB server with `--single-transaction`
# (a consistent snapshot, no table locks on InnoDB), compresses the output with gzip and
# writes its SHA-256 beside it in sha256sum format:
#   $DUMP_DIR/dump.sql.gz  and  $DUMP_DIR/dump.sql.gz.sha256
# The uploader container copies both to S3 once this script has exited with 0.
#
# Environment:
#   DB_HOST, DB_USER, DB_PASSWORD  the server (the replica) and the account that dumps it
#   DB_PORT          default 3306
#   DB_TLS           required (default) or off
#   DB_CA_CERTIFICATES  PEM of the certificate authorities that sign the server's certificate
#                    (the Amazon RDS root CAs of the region): with it the certificate and the
#                    host name are verified; without it the connection is encrypted only
#   DUMP_DATABASES   the databases, separated by spaces (names with spaces are not supported)
#   DUMP_DIR         the folder on the task's shared volume
#   DUMP_BINARY      mysqldump (default, the official MySQL image) or mariadb-dump
#
# The script is passed inline in the task definition, where CloudFormation would read
# dollar-brace sequences as parameters: it uses plain $NAME references only.
set -euo pipefail
umask 077

require() {
  if [ -z "$(printenv "$1" || true)" ]; then
    echo "dump-database: $1 is not set" >&2
    exit 2
  fi
}
for name in DB_HOST DB_USER DB_PASSWORD DUMP_DATABASES DUMP_DIR; do require "$name"; done
binary=$(printenv DUMP_BINARY || echo mysqldump)
tls=$(printenv DB_TLS || echo required)
port=$(printenv DB_PORT || echo 3306)

mkdir -p "$DUMP_DIR" "$DUMP_DIR/home" "$DUMP_DIR/tmp"
out="$DUMP_DIR/dump.sql.gz"
partial="$out.partial"
rm -f "$out" "$partial" "$out.sha256"

# The password goes into an option file readable by this user only, never onto the command line.
options=$(mktemp -p "$DUMP_DIR/tmp")
ca_path="$DUMP_DIR/tmp/server-ca.pem"
trap 'rm -f "$options" "$partial" "$ca_path"' EXIT
# The clients (MySQL's and MariaDB's) read an option file line by line, a line at most 4 KiB,
# and unescape `\\`, `\"`, `\n`, `\r`, `\t` in a value. A backslash, a quote, a newline, a
# carriage return or a tab in the user name or the password is written escaped (a newline
# written raw would end the value and make the rest of it another option); a value that would
# not fit on one line stops the script, naming the variable, never printing the value.
max_option_value=4000
# Bash's own substitutions, not sed: sed would need GNU's -z for the newlines.
option_value() {
  local value=$1
  value=${value//\\/\\\\}
  value=${value//\"/\\\"}
  value=${value//$'\n'/\\n}
  value=${value//$'\r'/\\r}
  value=${value//$'\t'/\\t}
  printf '%s' "$value"
}
fits_on_a_line() {
  bytes=$(printf '%s' "$2" | wc -c)
  if [ "$bytes" -gt "$max_option_value" ]; then
    echo "dump-database: $1 is too long for an option file line (at most $max_option_value bytes once escaped, got $bytes)" >&2
    exit 2
  fi
}
user_value=$(option_value "$DB_USER")
fits_on_a_line DB_USER "$user_value"
password_value=$(option_value "$DB_PASSWORD")
fits_on_a_line DB_PASSWORD "$password_value"
printf '[client]\nuser="%s"\npassword="%s"\n' "$user_value" "$password_value" > "$options"

ca_file=
if [ "$tls" != off ] && [ -n "$(printenv DB_CA_CERTIFICATES || true)" ]; then
  ca_file="$ca_path"
  printf '%s\n' "$DB_CA_CERTIFICATES" > "$ca_file"
elif [ "$tls" != off ]; then
  echo "dump-database: DB_CA_CERTIFICATES is not set: the connection is encrypted, but the server's certificate is not verified"
fi

# The options of the dump, then the databases, as positional parameters.
set -- --single-transaction --quick --skip-lock-tables \
  --routines --events --triggers \
  --hex-blob --default-character-set=utf8mb4 --no-tablespaces
if "$binary" --version | grep -qi mariadb; then
  flavour=mariadb
  if [ "$tls" = off ]; then set -- "$@" --skip-ssl
  elif [ -n "$ca_file" ]; then set -- "$@" --ssl --ssl-ca="$ca_file" --ssl-verify-server-cert
  else set -- "$@" --ssl; fi
else
  flavour=mysql
  # The dump is restored into servers with their own GTID history.
  set -- "$@" --set-gtid-purged=OFF
  if [ "$tls" = off ]; then set -- "$@" --ssl-mode=DISABLED
  elif [ -n "$ca_file" ]; then set -- "$@" --ssl-mode=VERIFY_IDENTITY --ssl-ca="$ca_file"
  else set -- "$@" --ssl-mode=REQUIRED; fi
fi
# `--` ends the options: a database named `--no-data` is a database, not an option.
set -- "$@" --databases --
# Word splitting of the space-separated list is intended here; pathname expansion is not
# (a database named `a?` would otherwise become the name of a file in the working folder).
set -f
# shellcheck disable=SC2086
set -- "$@" $DUMP_DATABASES
set +f

echo "dump-database: dumping $DUMP_DATABASES from $DB_HOST:$port with $binary ($flavour)"
started=$(date +%s)
"$binary" --defaults-extra-file="$options" --host="$DB_HOST" --port="$port" "$@" | gzip -c -6 > "$partial"
# A dump that stopped half-way has no "Dump completed" trailer.
if ! gzip -dc "$partial" | tail -n 1 | grep -q '^-- Dump completed'; then
  echo "dump-database: the dump did not complete (no 'Dump completed' trailer)" >&2
  exit 1
fi
mv "$partial" "$out"
(cd "$DUMP_DIR" && sha256sum dump.sql.gz > dump.sql.gz.sha256)
bytes=$(wc -c < "$out")
echo "dump-database: wrote $bytes bytes in $(( $(date +%s) - started )) s, sha256 $(cut -d' ' -f1 "$out.sha256")"
