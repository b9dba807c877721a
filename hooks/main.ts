// Process entry of the hook service: configuration from the environment, graceful shutdown.
import { DEFAULT_SETTINGS } from './core/kind-hooks.js';
import { buildServer } from './http/server.js';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
// Time for Kubernetes to take the pod out of its Service once readiness fails.
const shutdownDelayMs = Number(process.env.SHUTDOWN_DELAY_SECONDS ?? 5) * 1000;
const settings = { runnerImage: process.env.RUNNER_IMAGE ?? DEFAULT_SETTINGS.runnerImage };
const app = buildServer({ logger: { level: process.env.LOG_LEVEL ?? 'info' }, settings });

async function shutdown(signal: string): Promise<void> {
  app.log.info({ signal }, 'shutting down; in-flight requests finish first');
  app.beginShutdown();
  await new Promise((resolve) => setTimeout(resolve, shutdownDelayMs));
  await app.close();
  process.exit(0);
}

process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.listen({ port, host });
} catch (error) {
  app.log.error(error);
  process.exit(1);
}
