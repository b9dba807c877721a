import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ErrorCode, HookError } from '../core/errors.js';
import { DEFAULT_SETTINGS, type OperatorSettings } from '../core/kind-hooks.js';
import { metricKind, metricsPlugin } from './metrics.js';
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
}

/** Requests carry every child with managedFields; a large cluster's easily pass Fastify's 1 MiB default. */
export const BODY_LIMIT = 16 * 1024 * 1024;

/** Longer than the 90 s Metacontroller's Go client keeps idle connections, so we never close one it is about to reuse. */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

interface ErrorBody {
  error: ErrorCode;
  message: string;
  details?: string[];
}

/** Fastify's own client errors by status, in the service's codes. */
const CLIENT_ERRORS: Record<number, ErrorCode> = { 404: ErrorCode.NotFound, 413: ErrorCode.PayloadTooLarge, 414: ErrorCode.URITooLong };

type ServerError = Error & { statusCode?: number; validation?: unknown };

/** Every failure as `{error, message, details}` with its status: 500 only for a bug in the hooks. */
function errorReply(error: ServerError): { statusCode: number; body: ErrorBody } {
  if (error instanceof HookError) {
    return {
      statusCode: error.statusCode,
      body: { error: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    };
  }
  if (error.validation) return { statusCode: 400, body: { error: ErrorCode.BadRequest, message: `not a hook request: ${error.message}` } };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      statusCode: error.statusCode,
      body: { error: CLIENT_ERRORS[error.statusCode] ?? ErrorCode.BadRequest, message: error.message },
    };
  }
  // Only input nested thousands of levels deep exhausts the stack.
  if (error instanceof RangeError && /call stack/.test(error.message)) {
    return { statusCode: 400, body: { error: ErrorCode.BadRequest, message: 'the request nests objects too deeply' } };
  }
  return { statusCode: 500, body: { error: ErrorCode.InternalError, message: `could not render: ${error.message}` } };
}

/**
 * After a refused body or URL the rest of the request may still be on its way: the connection is
 * closed, so what remains of it is never read as the next request.
 */
const CLOSES_CONNECTION = new Set([413, 414]);

export function buildServer(options: ServerOptions = {}): FastifyInstance {
  const clock = options.clock ?? (() => new Date());
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Validation must never rewrite Kubernetes objects: Metacontroller deletes whatever we drop.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    // Longer than any kind name: a longer URL is refused (414) before routing.
    routerOptions: { maxParamLength: 64 },
    // Requests Node cannot even parse (headers over 16 KiB, broken HTTP) get the same body too.
    clientErrorHandler: (error, socket) => {
      const tooLarge = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW';
      const body: ErrorBody = tooLarge
        ? { error: ErrorCode.HeadersTooLarge, message: 'the request line and headers are larger than 16 KiB: shorten the URL' }
        : { error: ErrorCode.BadRequest, message: 'the request is not valid HTTP' };
      const text = JSON.stringify(body);
      const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
      const head = `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n`;
      if (socket.writable) socket.end(head + text);
      else socket.destroy();
    },
    // URLs refused before routing get the same body as every other error.
    frameworkErrors: (error, _request, reply) => {
      const { statusCode, body } = errorReply(error);
      if (CLOSES_CONNECTION.has(statusCode)) void reply.header('connection', 'close');
      void (reply as FastifyReply).code(statusCode).send(body);
    },
  });
  let closing = false;

  app.register(fastifyPlugin(metricsPlugin));
  const settings = options.settings ?? DEFAULT_SETTINGS;
  app.register(hookRoutes, { clock, settings });
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

  app.setErrorHandler((error: ServerError, request, reply) => {
    const { statusCode, body } = errorReply(error);
    app.metrics.renderErrors.inc({ kind: metricKind(request), reason: body.error });
    request.reconcileError = body.error;
    if (statusCode >= 500) request.log.error({ err: error }, body.message);
    else request.log.warn({ statusCode, details: body.details }, body.message);
    if (CLOSES_CONNECTION.has(statusCode)) reply.header('connection', 'close');
    return reply.code(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: ErrorCode.NotFound,
      message: `no route ${request.method} ${request.url.slice(0, 128)}: hooks are POST /sync|finalize|customize/<kind>`,
    };
    return reply.code(404).send(body);
  });

  return app;
}
