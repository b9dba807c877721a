# One image for the hook service and the runner Jobs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY hooks hooks
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/hooks dist/hooks
COPY crds crds
USER 65532:65532
EXPOSE 8080 9090
# Runner Jobs override the command: node dist/hooks/runner/main.js <task> ...
CMD ["node", "dist/hooks/main.js"]
