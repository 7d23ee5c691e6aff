#!/usr/bin/env bash
# The Docker side of CI (CONTRACT §11 "the image is tested"). No image registry is reachable here,
# so the two base images the Dockerfile and compose file name by default (node:20-bookworm-slim,
# mysql:8.4) are stood in for by local builds from Debian packages:
#
#   dispatch-ci/debian:bookworm          debootstrap --variant=minbase bookworm (~3 min, once)
#   dispatch-ci/node:20-bookworm-slim    + this machine's Node 20 and npm, a `node` user (uid 1000)
#   dispatch-ci/mysql:mariadb            + Debian's mariadb-server, with an entrypoint honouring
#                                          MYSQL_DATABASE/USER/PASSWORD/ROOT_PASSWORD like mysql:8.4
#
# Each base is built only when its tag is missing, so later runs reuse them (Docker keeps them).
#
#   .ci/docker-images.sh install        apt-get install docker.io docker-compose debootstrap if missing
#   .ci/docker-images.sh start-engine   start dockerd if no engine answers; prints its pid if it did
#   .ci/docker-images.sh stop-engine P  stop the dockerd this script started (pid P), bounded wait
#   .ci/docker-images.sh build [TAG]    bases (cached) + the project image (default tag dispatch-ci:test)
#   .ci/docker-images.sh env            prints NODE_IMAGE=… and MYSQL_IMAGE=… for the local bases
#
# Run it niced: debootstrap and the image build use the whole machine for minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_IMAGE=dispatch-ci/debian:bookworm
NODE_IMAGE=dispatch-ci/node:20-bookworm-slim
MYSQL_IMAGE=dispatch-ci/mysql:mariadb
DEBIAN_MIRROR=http://deb.debian.org/debian
# Debian's engine is 20.10: its own client speaks its API and uses the legacy builder, which
# builds with --network host and never pulls a frontend image (a newer client elsewhere on PATH
# would try BuildKit)
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker
export DOCKER_BUILDKIT=0

log() { echo "docker-images: $*" >&2; }
engine_up() { "$DOCKER" info >/dev/null 2>&1; }
has_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

install_tools() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_engine() {
  engine_up && return 0
  command -v dockerd >/dev/null 2>&1 || { log "dockerd is not installed (run: $0 install)"; return 1; }
  local logfile=/var/log/dispatch-ci-dockerd.log
  log "starting dockerd (log: $logfile)"
  setsid dockerd >"$logfile" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 120); do
    if engine_up; then
      echo "$pid"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  log "dockerd did not answer; last log lines:"
  tail -n 20 "$logfile" >&2 || true
  kill "$pid" 2>/dev/null || true
  return 1
}

stop_engine() {
  local pid=${1:?pid of the dockerd to stop}
  kill -0 "$pid" 2>/dev/null || return 0
  log "stopping dockerd ($pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  log "dockerd ($pid) did not stop in 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

build_debian() {
  has_image "$DEBIAN_IMAGE" && return 0
  command -v debootstrap >/dev/null 2>&1 || { log "debootstrap is not installed (run: $0 install)"; return 1; }
  local root
  root=$(mktemp -d /var/tmp/dispatch-ci-rootfs.XXXXXX)
  log "debootstrap minbase bookworm into $root (a few minutes, once)"
  debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >/dev/null
  # the image's apt uses the same mirror; no caches or logs of the bootstrap go into it
  echo "deb $DEBIAN_MIRROR bookworm main" >"$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  tar -C "$root" -c . | "$DOCKER" import - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root"
}

build_node() {
  has_image "$NODE_IMAGE" && return 0
  local ctx node_bin npm_dir
  node_bin=$(command -v node)
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  ctx=$(mktemp -d /var/tmp/dispatch-ci-node.XXXXXX)
  log "building $NODE_IMAGE from $node_bin ($("$node_bin" --version)) and $npm_dir"
  cp "$node_bin" "$ctx/node"
  cp -r "$npm_dir" "$ctx/npm"
  cp -r /usr/include/node "$ctx/include-node"
  # the registry may sit behind a TLS proxy whose CA this machine trusts: the image trusts the same
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_IMAGE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY include-node /usr/local/include/node
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && printf 'cafile=/etc/ssl/certs/ca-certificates.crt\\nupdate-notifier=false\\n' > /usr/local/etc/npmrc \\
 && echo 'node:x:1000:1000::/home/node:/bin/sh' >> /etc/passwd \\
 && echo 'node:x:1000:' >> /etc/group \\
 && mkdir -p /home/node && chown 1000:1000 /home/node \\
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
  "$DOCKER" build -q --network host -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_mysql() {
  has_image "$MYSQL_IMAGE" && return 0
  local ctx
  ctx=$(mktemp -d /var/tmp/dispatch-ci-mysql.XXXXXX)
  log "building $MYSQL_IMAGE (Debian mariadb-server)"
  cp .ci/mysql-entrypoint.sh "$ctx/entrypoint.sh"
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_IMAGE
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server mariadb-client \\
 && rm -rf /var/lib/apt/lists/* /var/lib/mysql/* \\
 && mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld /var/lib/mysql
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
VOLUME ["/var/lib/mysql"]
EXPOSE 3306
ENTRYPOINT ["/bin/sh", "/usr/local/bin/entrypoint.sh"]
EOF
  "$DOCKER" build -q --network host -t "$MYSQL_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_all() {
  local tag=${1:-dispatch-ci:test}
  engine_up || { log "no Docker engine answers (run: $0 start-engine)"; return 1; }
  build_debian
  build_node
  build_mysql
  log "building the project image $tag (NODE_IMAGE=$NODE_IMAGE)"
  "$DOCKER" build -q --network host --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$tag" . >/dev/null
}

case "${1:-}" in
  install) install_tools ;;
  start-engine) start_engine ;;
  stop-engine) stop_engine "${2:-}" ;;
  build) build_all "${2:-}" ;;
  env) printf 'NODE_IMAGE=%s\nMYSQL_IMAGE=%s\nDOCKER=%s\n' "$NODE_IMAGE" "$MYSQL_IMAGE" "$DOCKER" ;;
  *)
    echo "usage: $0 install | start-engine | stop-engine PID | build [TAG] | env" >&2
    exit 2
    ;;
esac
