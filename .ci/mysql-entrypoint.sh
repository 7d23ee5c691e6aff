#!/bin/sh
# Entry point of the CI stand-in for mysql:8.4 (Debian's MariaDB, built by .ci/docker-images.sh).
# Like the official image: on an empty data directory it creates MYSQL_DATABASE, the user
# MYSQL_USER/MYSQL_PASSWORD with every right on it, and sets MYSQL_ROOT_PASSWORD, all while
# listening on a socket only (so a TCP health check passes only once this is done); then it runs
# the server in the foreground, reachable on 3306. An existing data directory is used as is.
set -eu
datadir=/var/lib/mysql
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$datadir"

# a value inside '…' in SQL: backslashes and quotes doubled, so any password works
quote() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g"; }
ident() { printf '%s' "$1" | sed -e 's/`/``/g'; }

if [ ! -d "$datadir/mysql" ]; then
  : "${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is required on first start}"
  echo "entrypoint: initialising $datadir"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  socket=/run/mysqld/init.sock
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$socket" &
  pid=$!
  tries=0
  until mariadb-admin --socket="$socket" ping --silent >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 120 ] || { echo "entrypoint: the server did not start" >&2; exit 1; }
    sleep 0.5
  done
  {
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$(ident "$MYSQL_DATABASE")\`;"
    fi
    if [ -n "${MYSQL_USER:-}" ]; then
      echo "CREATE USER '$(quote "$MYSQL_USER")'@'%' IDENTIFIED BY '$(quote "${MYSQL_PASSWORD:-}")';"
      [ -z "${MYSQL_DATABASE:-}" ] || echo "GRANT ALL ON \`$(ident "$MYSQL_DATABASE")\`.* TO '$(quote "$MYSQL_USER")'@'%';"
    fi
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(quote "$MYSQL_ROOT_PASSWORD")';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(quote "$MYSQL_ROOT_PASSWORD")';"
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$socket" -u root
  kill "$pid"
  wait "$pid" || true
  echo "entrypoint: initialised"
fi

exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 --port=3306 --socket=/run/mysqld/mysqld.sock
