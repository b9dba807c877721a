// Process entry of the hook service: configuration from the environment, graceful shutdown.
import type { Server } from 'node:http';
import { DEFAULT_SETTINGS } from './core/kind-hooks.js';
import { metricsServer } from './http/metrics.js';
import { buildServer } from './http/server.js';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
// GET /metrics is always served on PORT; METRICS_PORT serves it alone on a port of its own too.
const metricsPort = process.env.METRICS_PORT ? Number(process.env.METRICS_PORT) : undefined;
// Time for Kubernetes to take the pod out of its Service once readiness fails.
const shutdownDelayMs = Number(process.env.SHUTDOWN_DELAY_SECONDS ?? 5) * 1000;
const settings = { runnerImage: process.env.RUNNER_IMAGE ?? DEFAULT_SETTINGS.runnerImage };
const app = buildServer({ logger: { level: process.env.LOG_LEVEL ?? 'info' }, settings });
let metrics: Server | undefined;

async function shutdown(signal: string): Promise<void> {
  app.log.info({ signal }, 'shutting down; in-flight requests finish first');
  app.beginShutdown();
  await new Promise((resolve) => setTimeout(resolve, shutdownDelayMs));
  await Promise.all([app.close(), new Promise((resolve) => (metrics ? metrics.close(resolve) : resolve(undefined)))]);
  process.exit(0);
}

process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.listen({ port, host });
  if (metricsPort !== undefined && metricsPort !== port) {
    const server = metricsServer(app);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(metricsPort, host, resolve));
    metrics = server;
    app.log.info({ port: metricsPort }, 'metrics listening');
  }
} catch (error) {
  app.log.error(error);
  process.exit(1);
}
