# syntax=docker/dockerfile:1
# The ingest API's image: HTTP in, /healthz, /readyz and /metrics on PORT (8080).
# Build from the repository root (docker-compose.yml does):
#   docker build -f deploy/docker/ingest-api.Dockerfile -t vod-refresh/ingest-api .
# The project's one Node LTS (.nvmrc, package.json engines); override with --build-arg NODE_IMAGE=... to pin a digest.
ARG NODE_IMAGE=node:26.10.0-slim

# 1. Only the workspaces this service needs: their package.json files and lockfile (out/json)
#    for a cacheable install, and their sources (out/full, without gitignored files).
FROM ${NODE_IMAGE} AS prune
WORKDIR /src
COPY . .
RUN npx --yes turbo@2.11.9 prune @refresh/ingest-api --docker

# 2. Install (cached until a dependency changes), build, then drop dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY --from=prune /src/out/json/ ./
RUN npm ci --no-audit --no-fund
COPY --from=prune /src/out/full/ ./
COPY tsconfig.base.json ./
RUN npx turbo run build --filter=@refresh/ingest-api... \
 && npm prune --omit=dev --no-audit --no-fund

# 3. Runtime: built code and production dependencies, owned by root and run as the
#    unprivileged node user (uid 1000), so the process cannot change its own code.
FROM ${NODE_IMAGE} AS run
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY --from=build /src ./
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The service drains on SIGTERM (see docs/operations.md, "Shutdown"); node is PID 1 and
# handles it itself. The heap options are the API's `nodeArgs` (its package.json; see
# docs/operations.md, "The API's memory").
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=30", "services/ingest-api/dist/main.js"]
