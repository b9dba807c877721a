import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { HookError } from '../core/errors.js';
import type { KindHooks, OperatorSettings } from '../core/kind-hooks.js';
import { KIND_HOOKS, hooksForSegment } from '../registry.js';
import type { HookRequest } from '../core/metacontroller.js';
import { ReplyCache } from '../reply-cache.js';

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
  settings: OperatorSettings;
  /** Bytes of recent replies kept for repeated requests; 0 turns the cache off. */
  replyCacheBytes: number;
}

type HookName = 'sync' | 'finalize' | 'customize';
type Answer = (hooks: KindHooks<object>, body: HookRequest, now: Date, settings: OperatorSettings) => unknown;

const ANSWERS: Record<HookName, Answer> = {
  // Only a finalize reply may release the parent (Metacontroller honours finalized from any hook).
  sync: (hooks, body, now, settings) => ({ ...hooks.sync(body, now, settings), finalized: undefined }),
  // Kinds with nothing outside Kubernetes to clean up are done: owner references remove the children.
  finalize: (hooks, body, now, settings) =>
    hooks.finalize ? hooks.finalize(body, now, settings) : { ...hooks.sync(body, now, settings), finalized: true },
  customize: (hooks, body) => ({ relatedResources: hooks.customize(body.parent) }),
};

function kindHooks(kind: string): KindHooks<object> {
  const hooks = hooksForSegment(kind);
  if (!hooks) throw new HookError(404, `unknown kind "${kind}": hooks exist for ${[...KIND_HOOKS.keys()].join(', ')}`);
  return hooks;
}

const JSON_TYPE = 'application/json; charset=utf-8';

async function readBody(payload: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of payload) {
    length += (chunk as Buffer).length;
    if (length > limit) throw Object.assign(new Error(`request body is larger than ${limit} bytes`), { statusCode: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, length);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON text of a hook request: it identifies the request when the same one comes again. */
    hookRequestText: string;
  }
}

/** POST /sync/<kind>, /finalize/<kind> and /customize/<kind>, as Metacontroller calls them. */
export async function hookRoutes(app: FastifyInstance, { clock, settings, replyCacheBytes }: HookRoutesOptions): Promise<void> {
  const cache = new ReplyCache(replyCacheBytes);

  const bodyLimit = app.initialConfig.bodyLimit ?? Infinity;
  app.decorateRequest('hookRequestText', '');

  // A request answered before gets the same reply before its JSON is even parsed.
  app.addHook('preParsing', async (request, reply, payload) => {
    const body = await readBody(payload, bodyLimit);
    const text = body.toString('utf8');
    const cached = cache.get(`${request.url} ${text}`);
    if (cached !== undefined) return reply.type(JSON_TYPE).send(cached);
    request.hookRequestText = text;
    return Readable.from([body]);
  });

  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    try {
      done(null, JSON.parse(text as string));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });

  for (const hook of Object.keys(ANSWERS) as HookName[]) {
    app.post<{ Params: { kind: string }; Body: HookRequest }>(
      `/${hook}/:kind`,
      { schema: { params: paramsSchema, body: hookRequestSchema }, config: { hook } },
      async (request, reply) => {
        const text = JSON.stringify(ANSWERS[hook](kindHooks(request.params.kind), request.body, clock(), settings));
        cache.set(`${request.url} ${request.hookRequestText}`, text);
        return reply.type(JSON_TYPE).send(text);
      },
    );
  }
}
