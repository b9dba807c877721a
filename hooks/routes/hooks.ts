import type { FastifyInstance } from 'fastify';
import { HookError } from '../errors.js';
import { KIND_HOOKS, type KindHooks } from '../kinds.js';
import type { HookRequest } from '../metacontroller.js';

const hookRequestSchema = {
  type: 'object',
  required: ['parent'],
  properties: {
    parent: {
      type: 'object',
      required: ['apiVersion', 'kind', 'metadata'],
      properties: { metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } },
    },
    children: { type: 'object' },
    related: { type: 'object' },
    finalizing: { type: 'boolean' },
  },
};

const paramsSchema = { type: 'object', required: ['kind'], properties: { kind: { type: 'string' } } };

export interface HookRoutesOptions {
  clock: () => Date;
}

function kindHooks(kind: string): KindHooks {
  const hooks = KIND_HOOKS[kind.toLowerCase()];
  if (!hooks) throw new HookError(404, `unknown kind "${kind}": hooks exist for ${Object.keys(KIND_HOOKS).join(', ')}`);
  return hooks;
}

/** POST /sync/<kind>, /finalize/<kind> and /customize/<kind>, as Metacontroller calls them. */
export async function hookRoutes(app: FastifyInstance, { clock }: HookRoutesOptions): Promise<void> {
  app.post<{ Params: { kind: string }; Body: HookRequest }>(
    '/sync/:kind',
    { schema: { params: paramsSchema, body: hookRequestSchema }, config: { hook: 'sync' } },
    async (request) => {
      const response = kindHooks(request.params.kind).sync(request.body, clock());
      // Only a finalize reply may release the parent (Metacontroller honours finalized from any hook).
      return { ...response, finalized: undefined };
    },
  );

  app.post<{ Params: { kind: string }; Body: HookRequest }>(
    '/finalize/:kind',
    { schema: { params: paramsSchema, body: hookRequestSchema }, config: { hook: 'finalize' } },
    async (request) => {
      const hooks = kindHooks(request.params.kind);
      if (hooks.finalize) return hooks.finalize(request.body, clock());
      // Nothing outside Kubernetes to clean up: owner references remove the children.
      return { ...hooks.sync(request.body, clock()), finalized: true };
    },
  );

  app.post<{ Params: { kind: string }; Body: HookRequest }>(
    '/customize/:kind',
    { schema: { params: paramsSchema, body: hookRequestSchema }, config: { hook: 'customize' } },
    async (request) => ({ relatedResources: kindHooks(request.params.kind).customize(request.body.parent) }),
  );
}
