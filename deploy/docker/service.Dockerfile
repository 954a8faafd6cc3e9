# One image per service, from this one file (docker-compose.yml builds all five):
#
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=police --build-arg PORT=3001 -t interlink/police .
#
# SERVICE is the folder under services/; PORT is the port that service listens on by default
# (tests/deploy/manifests.spec.ts checks docker-compose.yml's build args against the code).
# Nothing secret is copied or set here: database URLs, signing keys and Kafka passwords come from
# the environment and mounted files at run time (deploy/k8s, docker-compose.yml).

ARG NODE_IMAGE=node:20.19-bookworm-slim

# --- build: the whole workspace, then only what the service needs to run --------------------
FROM ${NODE_IMAGE} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "give --build-arg SERVICE=<folder under services/>" >&2; exit 1; }
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY libs ./libs
COPY services ./services
RUN npm ci --no-audit --no-fund
# The service's build script compiles it and the libraries it references (tsc -b); the console's
# also builds its web page into dist/ui.
RUN npm run build --workspace "@interlink/${SERVICE}"
RUN npm prune --omit=dev --no-audit --no-fund
# The runtime tree: production node_modules (workspace packages are links to libs/ and services/),
# and of each workspace package its package.json and compiled dist/, without sources or tests.
RUN mkdir /runtime \
  && cp -a package.json node_modules /runtime/ \
  && for dir in libs/* services/*; do \
       mkdir -p "/runtime/${dir}" && cp "${dir}/package.json" "/runtime/${dir}/" \
       && if [ -d "${dir}/dist" ]; then cp -a "${dir}/dist" "/runtime/${dir}/"; fi; \
     done \
  && find /runtime -name '*.tsbuildinfo' -delete

# --- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ARG SERVICE
ARG PORT
RUN test -n "${PORT}" || { echo "give --build-arg PORT=<the service's port, e.g. 3001 for police>" >&2; exit 1; }
# Listen on every interface of the container (the services default to 127.0.0.1).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=${PORT}
# Owned by root and not writable by the service: it writes nothing but to Postgres and Kafka.
COPY --from=build /runtime /app
# Where docker-compose mounts its volume of development keys: a named volume takes the owner of
# the folder it is mounted on, so the services (user 1000) can create their development keys
# there. Production mounts keys read-only from Secrets (deploy/k8s) and never writes here.
RUN mkdir /keys && chown 1000:1000 /keys
USER 1000:1000
WORKDIR /app/services/${SERVICE}
EXPOSE ${PORT}
# Liveness: GET /health answers 200 once the service listens (readiness is GET /health/ready,
# which orchestrators probe: deploy/k8s). The image has no curl; Node's fetch does.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
