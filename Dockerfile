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
RUN npm run build && npm prune --omit=dev
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["monitor"]
