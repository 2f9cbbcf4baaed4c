# The monitor image for docker-compose.yml (profile "monitor"). Not built in CI: no Docker engine
# runs on this project's machines. Node 20, as everywhere else in the project.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY rules ./rules
COPY data ./data
COPY web ./web
COPY examples ./examples
RUN npm run build && npm prune --omit=dev
# The checkpoint directory (CHECKPOINT_DIR=checkpoints, relative to /app), owned by the user the
# monitor runs as, so a named volume mounted there starts writable.
RUN mkdir -p /app/checkpoints && chown node:node /app/checkpoints
USER node
# SIGTERM finishes the step in hand and commits before exiting 0; give it time
# (docker stop -t 90, or stop_grace_period in docker-compose.yml).
STOPSIGNAL SIGTERM
# Alive once /healthz on METRICS_PORT (default 9464) answers 200. No curl in node:20-slim, so
# Node's fetch asks; with METRICS_PORT=0 (a random port) this check cannot work.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=64", "dist/cli/main.js"]
CMD ["monitor"]
