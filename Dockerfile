# Dispatch appliance image: a build stage compiles TypeScript and better-sqlite3's native addon,
# the runtime stage carries only production node_modules and dist/ and runs as the `node` user
# (uid 1000). No `# syntax=` line: BuildKit would pull that frontend image from a registry.
#
# NODE_IMAGE is the base of both stages (any Debian bookworm image with Node 20 and npm on PATH
# and a `node` user); CI builds with a local stand-in where no image registry is reachable:
#   docker build --network host --build-arg NODE_IMAGE=dispatch-ci/node:20-bookworm-slim .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 builds from source when no prebuilt binary can be fetched (node-gyp needs these)
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp compiles against the headers shipped in the image instead of downloading them
ENV npm_config_nodedir=/usr/local
WORKDIR /app

# Dependencies first so this layer is cached until package*.json change. `npm ci` runs the
# dependencies' install scripts, which build the native addons here (~2-4 min): better-sqlite3,
# and re2, the backtracking-free regex engine of event-type schemas. The project itself has no
# install-time script (the build below is explicit), and package.json's scarfSettings turns
# swagger-ui-dist's analytics postinstall off.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# tsconfig.web.json checks the portal's browser modules; the build copies them into dist/
COPY tsconfig.json tsconfig.web.json ./
COPY config ./config
COPY db ./db
COPY server ./server
COPY tui ./tui
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

FROM ${NODE_IMAGE} AS runtime
# an explicit V8 heap limit makes V8 grow the heap in smaller steps than the default of a machine with
# many GB (peak RSS draining a 100k backlog: ~180 MB instead of ~255 MB; README "Configuration"); 1 GB
# leaves room for 200 deliveries of 1 MiB payloads in flight. Override NODE_OPTIONS to change it.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=1024 \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATABASE_URL=sqlite:/app/data/dispatch.sqlite
WORKDIR /app

COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist

# Put every package.json "bin" entry (dispatch, dispatch-tui) on PATH as an executable symlink,
# so `docker compose exec server dispatch encrypt-secrets` works without npx or npm link.
RUN node -e ' \
      const { chmodSync, symlinkSync, existsSync } = require("node:fs"); \
      const bin = require("/app/package.json").bin; \
      for (const [name, file] of Object.entries(bin)) { \
        const target = "/app/" + file; \
        if (!existsSync(target)) throw new Error("bin target missing: " + target); \
        chmodSync(target, 0o755); \
        symlinkSync(target, "/usr/local/bin/" + name); \
      }' \
 && mkdir -p /app/data \
 && chown node:node /app/data

# The embedded SQLite default lives here; with MySQL (DATABASE_URL=mysql://…) the volume stays empty.
VOLUME ["/app/data"]
USER node
EXPOSE 8080

# slim has no curl: use Node's fetch. /readyz is 200 only once the database is reachable and migrated.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# server/index.ts stops accepting on SIGTERM and finishes or releases in-flight attempts within 10 s
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/index.js"]
