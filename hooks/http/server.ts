import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { HookError } from '../core/errors.js';
import { DEFAULT_SETTINGS, type OperatorSettings } from '../core/kind-hooks.js';
import { metricsPlugin } from './metrics.js';
import { hookRoutes } from './hook-routes.js';
import { renderRoutes } from './render-route.js';

declare module 'fastify' {
  interface FastifyInstance {
    beginShutdown(): void;
  }
}

export interface ServerOptions {
  logger?: FastifyServerOptions['logger'];
  /** Time source for condition transition times; tests pass a fixed one. */
  clock?: () => Date;
  settings?: OperatorSettings;
  /** Bytes of recent hook replies kept for repeated requests (default 32 MiB; 0 turns it off). */
  replyCacheBytes?: number;
}

/** Requests carry every child with managedFields; a large cluster's easily pass Fastify's 1 MiB default. */
export const BODY_LIMIT = 16 * 1024 * 1024;

/** Longer than the 90 s Metacontroller's Go client keeps idle connections, so we never close one it is about to reuse. */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

interface ErrorBody {
  error: string;
  message: string;
  details?: string[];
}

function errorReply(error: Error & { statusCode?: number; validation?: unknown }): { statusCode: number; body: ErrorBody } {
  if (error instanceof HookError) {
    return { statusCode: error.statusCode, body: { error: error.name, message: error.message, details: error.details } };
  }
  if (error.validation) return { statusCode: 400, body: { error: 'BadRequest', message: error.message } };
  if (error.statusCode && error.statusCode < 500) {
    return { statusCode: error.statusCode, body: { error: 'BadRequest', message: error.message } };
  }
  return { statusCode: 500, body: { error: 'InternalError', message: `could not render: ${error.message}` } };
}

export function buildServer(options: ServerOptions = {}): FastifyInstance {
  const clock = options.clock ?? (() => new Date());
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Validation must never rewrite Kubernetes objects: Metacontroller deletes whatever we drop.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });
  let closing = false;

  app.register(fastifyPlugin(metricsPlugin));
  const settings = options.settings ?? DEFAULT_SETTINGS;
  app.register(hookRoutes, { clock, settings, replyCacheBytes: options.replyCacheBytes ?? 32 * 1024 * 1024 });
  app.register(renderRoutes, { clock, settings });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    return { status: 'ready' };
  });
  // Readiness fails first, so Kubernetes stops sending new requests before the server closes.
  app.decorate('beginShutdown', () => {
    closing = true;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const { statusCode, body } = errorReply(error);
    const kind = (request.params as { kind?: string } | undefined)?.kind ?? 'stream';
    app.metrics.renderErrors.inc({ kind, reason: body.error });
    if (statusCode >= 500) request.log.error({ err: error }, body.message);
    else request.log.warn({ statusCode, details: body.details }, body.message);
    return reply.code(statusCode).send(body);
  });

  return app;
}
