# syntax=docker/dockerfile:1
# Siphon's container image. Build: `docker build -t siphon:0.1.0 .`; run and deploy: see
# docs/operations.md, "Deploying" (docker run, docker-compose.yml, deploy/kubernetes/).
#
#   /etc/siphon/config.yaml   the configuration, mounted read-only (deploy/config.example.yaml)
#   /var/lib/siphon           the volume for the state (checkpoints); owned by uid 1000
#   8686                      the status server (globals.status_server.listen: 0.0.0.0:8686)

# ---- build: compile the TypeScript with the dev dependencies, then drop them -------------------
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied; it is done below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN npx tsc -p tsconfig.json \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: production dependencies and compiled code only, as a non-root user ---------------
FROM node:22-bookworm-slim
ENV NODE_ENV=production
# V8's young generation at most 2 x 2 MB instead of 2 x 16 MB: with many services pulling, it
# otherwise stays at 32 MB (docs/operations.md, "Memory: V8's heap"). Only a flag given when
# Node starts sizes it; `-e NODE_OPTIONS=...` replaces it.
ENV NODE_OPTIONS=--max-semi-space-size=2
WORKDIR /opt/siphon
# Owned by root and read-only for the collector.
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist/src ./dist/src
COPY deploy/docker/healthcheck.mjs ./deploy/healthcheck.mjs
# A new named volume takes this folder's owner, so the collector can write its state there.
RUN mkdir -p /etc/siphon /var/lib/siphon \
 && chown 1000:1000 /var/lib/siphon \
 && chmod 0750 /var/lib/siphon
# uid 1000 is the image's `node` user; numeric, so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
VOLUME ["/var/lib/siphon"]
EXPOSE 8686
# SIGTERM stops gracefully within globals.shutdown_timeout_seconds (30 s) + 15 s at most:
# give `docker stop` more (`--stop-timeout 60`, compose `stop_grace_period: 60s`).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/opt/siphon/deploy/healthcheck.mjs", "http://127.0.0.1:8686/health"]
ENTRYPOINT ["node", "/opt/siphon/bin/siphon.js"]
CMD ["run", "--config", "/etc/siphon/config.yaml"]
