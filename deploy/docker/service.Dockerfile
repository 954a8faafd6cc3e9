# One image per agency service: docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=police .
# Multi-stage: build the workspace, then run the compiled service as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json nx.json tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY services ./services
RUN npm ci --no-audit --no-fund && NX_DAEMON=false npx nx run-many -t build && npm prune --omit=dev

FROM node:20-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE} HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# Development signing keys and the public keys of partners (a shared volume in docker-compose).
RUN mkdir -p /keys && chown node:node /keys
ENV KEYS_DIR=/keys
USER node
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]
