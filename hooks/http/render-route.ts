import type { FastifyInstance } from 'fastify';
import type { OperatorSettings } from '../core/kind-hooks.js';
import { parseManifests, renderManifests, toYamlStream } from '../dry-run.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];

/**
 * A header value as HTTP warnings carry text: quotes and backslashes escaped, and anything outside
 * printable ASCII (a field name may hold any character, and a header only these) as \uXXXX.
 */
const warningHeader = (text: string) =>
  `299 - "${text
    .replace(/[\\"]/g, '\\$&')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;

/**
 * POST /render: a YAML or JSON stream of manifests in, the children of every custom resource out.
 * Fields a CRD does not know come back as `Warning` headers, as the API server sends them. When a
 * resource cannot be rendered, every failure is reported: the reply has the first failure's status
 * and every failure in `details` (the CLI also prints what did render).
 */
export async function renderRoutes(
  app: FastifyInstance,
  { clock, settings }: { clock: () => Date; settings: OperatorSettings },
): Promise<void> {
  // Kept as text: the same parser reads YAML and JSON, one document or many.
  app.addContentTypeParser([...YAML_TYPES, 'application/json'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post<{ Body: string }>('/render', { config: { hook: 'render' } }, async (request, reply) => {
    const rendered = renderManifests(parseManifests(request.body ?? ''), clock(), settings);
    const children = rendered.flatMap((r) => r.children);
    const warnings = rendered.flatMap((r) => r.warnings);
    if (warnings.length > 0) reply.header('warning', warnings.map(warningHeader));
    const failures = rendered.flatMap((r) => (r.error ? [r.error] : []));
    if (failures.length > 0) {
      const [first] = failures;
      const details = failures.flatMap((f) => f.details ?? [f.message]);
      return reply.code(first.statusCode).send({ error: first.code, message: failures.map((f) => f.message).join('; '), details });
    }
    if (/yaml/.test(request.headers.accept ?? '')) {
      reply.type('application/yaml');
      return toYamlStream(children);
    }
    return { apiVersion: 'v1', kind: 'List', items: children };
  });
}
