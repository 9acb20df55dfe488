# The OpenClaw Cloud server image: TypeScript built in one stage, only the compiled server and its
# production dependencies in the next; runs as the unprivileged `node` user (uid 1000).
#   docker build -t openclaw-cloud/server .
#   docker run -p 3000:3000 -v openclaw-data:/data openclaw-cloud/server
# Node 24 LTS is what OpenClaw itself needs; the server runs on 20.19+ as well.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Native dependencies (libsql, sharp) ship prebuilt binaries inside their npm packages: no compiler needed.
RUN npm ci --no-audit --no-fund
# The sources (.dockerignore keeps out node_modules, data, tests and local files).
COPY . .
# The server, then the console when the checkout has one (`build:ui`); ui/dist always exists afterwards.
RUN npm run build \
 && npm run --if-present build:ui \
 && mkdir -p ui/dist \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    OPENCLAW_CLOUD_DATA_DIR=/data
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The console; while ui/dist holds no index.html, `/` redirects to the API docs.
COPY --from=build /src/ui/dist ./ui/dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# HTTP (console, API, instance hosts, MQTT over WebSocket at /mqtt) and MQTT for boxes.
EXPOSE 3000 1883 8883
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/server/cli.js"]
CMD ["serve"]
