import type { FastifyInstance } from 'fastify';
import type { OperatorSettings } from '../core/kind-hooks.js';
import { parseManifests, renderManifests, toYamlStream } from '../dry-run.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];

/** POST /render: a YAML or JSON stream of manifests in, the children of every custom resource out. */
export async function renderRoutes(app: FastifyInstance, { clock, settings }: { clock: () => Date; settings: OperatorSettings }): Promise<void> {
  // Kept as text: the same parser reads YAML and JSON, one document or many.
  app.addContentTypeParser([...YAML_TYPES, 'application/json'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post<{ Body: string }>('/render', { config: { hook: 'render' } }, async (request, reply) => {
    const rendered = renderManifests(parseManifests(request.body ?? ''), clock(), settings);
    const children = rendered.flatMap((r) => r.children);
    if (/yaml/.test(request.headers.accept ?? '')) {
      reply.type('application/yaml');
      return toYamlStream(children);
    }
    return { apiVersion: 'v1', kind: 'List', items: children };
  });
}
