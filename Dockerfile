# TrafficLens scorer image: the backend service, the demo page and the panel bundle it serves.
#
#   docker build -t trafficlens .
#   docker run -p 8686:8686 -e TRAFFICLENS_API_TOKEN=$(openssl rand -hex 24) trafficlens
#
# Two stages: the build stage has the compilers node-gyp needs for better-sqlite3's native addon (no
# prebuilt binary is downloaded) and the dev dependencies; the runtime stage has only the built files,
# the production node_modules (with the compiled addon) and runs as the unprivileged `node` user.

FROM node:20-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# --ignore-scripts: the root `prepare` script would build every plugin; better-sqlite3 is compiled
# explicitly instead, then only what the service serves is built.
RUN npm ci --no-audit --no-fund --ignore-scripts \
  && npm rebuild better-sqlite3 \
  && npm run build -w backend -w plugin/panel -w plugin/demo \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=8686 \
  TRAFFICLENS_MODELS_DIR=/var/lib/trafficlens/models \
  TRAFFICLENS_STATE_DIR=/var/lib/trafficlens/state
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/backend/package.json ./backend/
COPY --from=build /src/backend/bin ./backend/bin
COPY --from=build /src/backend/dist ./backend/dist
COPY --from=build /src/plugin/panel/dist ./plugin/panel/dist
COPY --from=build /src/plugin/demo/dist ./plugin/demo/dist
# Models and job state live on a volume (one per replica on Kubernetes), owned by the service's user.
RUN mkdir -p /var/lib/trafficlens/models /var/lib/trafficlens/state \
  && chown -R node:node /var/lib/trafficlens
USER node
EXPOSE 8686
VOLUME ["/var/lib/trafficlens"]
# /healthz answers while the process is alive (readiness is /readyz); node is the only tool in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8686) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "backend/dist/main.js"]
