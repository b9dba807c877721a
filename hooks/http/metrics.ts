import { createServer, type Server } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { hooksForSegment } from '../registry.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; renderErrors: Counter<'kind' | 'reason'> };
  }
  interface FastifyRequest {
    /** Why a sync or finalize did not reconcile: its error code, or the reason a held reply gives. */
    reconcileError?: string;
  }
  interface FastifyContextConfig {
    /** Marks a route whose requests are counted as hook calls. */
    hook?: 'sync' | 'finalize' | 'customize' | 'render';
  }
}

/** The kind label of a request: a kind the service knows, `stream` for /render, else `unknown`, so no URL adds a series. */
export function metricKind(request: FastifyRequest): string {
  const kind = (request.params as { kind?: unknown } | undefined)?.kind;
  if (typeof kind !== 'string') return 'stream';
  return hooksForSegment(kind) ? kind.toLowerCase() : 'unknown';
}

function outcomeOf(statusCode: number): string {
  if (statusCode < 300) return 'ok';
  if (statusCode < 500) return 'rejected';
  return 'error';
}

/** Prometheus metrics on GET /metrics: hook calls and latency per kind, hook and outcome. */
export async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['kind', 'hook', 'outcome'] as const;
  const requests = new Counter({
    name: 'rocketmq_operator_hook_requests_total',
    help: 'Hook requests answered.',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'rocketmq_operator_hook_duration_seconds',
    help: 'Time to answer a hook request.',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const renderErrors = new Counter({
    name: 'rocketmq_operator_render_errors_total',
    help: 'Hook requests that could not be rendered, by kind and reason.',
    labelNames: ['kind', 'reason'] as const,
    registers: [registry],
  });
  // Sync and finalize are what a reconcile of one resource is; customize only names related objects.
  const reconciles = new Counter({
    name: 'rocketmq_operator_reconcile_total',
    help: 'Reconciles (sync and finalize calls) by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const reconcileErrors = new Counter({
    name: 'rocketmq_operator_reconcile_errors_total',
    help: 'Reconciles that failed or held the children unchanged, by kind and reason.',
    labelNames: ['kind', 'reason'] as const,
    registers: [registry],
  });
  app.decorate('metrics', { registry, renderErrors });
  app.decorateRequest('reconcileError', undefined);

  app.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const hook = request.routeOptions.config?.hook;
    if (!hook) return;
    const labels = { kind: metricKind(request), hook, outcome: outcomeOf(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
    if (hook !== 'sync' && hook !== 'finalize') return;
    reconciles.inc({ kind: labels.kind });
    if (request.reconcileError) reconcileErrors.inc({ kind: labels.kind, reason: request.reconcileError });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

/**
 * A listener of its own that serves only GET /metrics (everything else 404), so that scrapers can
 * be admitted to the metrics and not to the hooks.
 */
export function metricsServer(app: FastifyInstance): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    app.metrics.registry.metrics().then(
      (body) =>
        response.writeHead(200, { 'content-type': app.metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : body),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
}
