# syntax=docker/dockerfile:1
# Rectify as a container: `docker build -t rectify . && docker run -p 3978:3978 --env-file <env> rectify`
# Multi-stage: production dependencies (better-sqlite3 compiles here), the build of the server
# and the tab, then a slim runtime that runs as the unprivileged `node` user.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The dev dependencies on top of the production ones (better-sqlite3 is not compiled twice).
FROM deps AS build
COPY . .
RUN npm install --include=dev --no-save --no-audit --no-fund \
  && npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    RECTIFY_MODE=production \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node procedures ./procedures
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
