import type { FastifyInstance } from 'fastify';
import { BadRequestError, ErrorCode, HookError, InvalidSpecError, UnknownKindError } from '../core/errors.js';
import { merged } from '../core/merged.js';
import { PAUSED_ANNOTATION, holdChildren, isPaused } from '../core/hold.js';
import type { KindHooks, OperatorSettings } from '../core/kind-hooks.js';
import type { HookRequest, SyncResponse } from '../core/metacontroller.js';
import { KIND_HOOKS, hooksForSegment } from '../registry.js';
import { hookRequestSchema } from '../core/request-schema.js';

const paramsSchema = { type: 'object', required: ['kind'], properties: { kind: { type: 'string', maxLength: 64 } } };

export interface HookRoutesOptions {
  clock: () => Date;
  settings: OperatorSettings;
}

type HookName = 'sync' | 'finalize' | 'customize';

interface Call {
  hooks: KindHooks<object>;
  body: HookRequest;
  now: Date;
  settings: OperatorSettings;
  /** Told the reason when the reply holds the children because the hook refused the parent. */
  held: (reason: ErrorCode) => void;
}
type Answer = (call: Call) => unknown;

/**
 * Refusals the API server could not make (they depend on other objects, or on rules beyond the
 * CRD's schema): a 4xx would leave them unseen in `kubectl get`, so the status reports them. What
 * the schema refuses stays a 422: the API server never stores such a parent.
 */
function isHeld(error: unknown): error is HookError {
  if (!(error instanceof HookError)) return false;
  if (error instanceof InvalidSpecError) return !error.bySchema;
  return error.code === ErrorCode.MissingDependency || error.code === ErrorCode.InvalidSpec;
}

/**
 * A paused parent, or one the hook refuses for what it sees around it, keeps its children exactly
 * as observed and says why in its Ready condition.
 */
function heldOr(render: () => SyncResponse<object>, { body, now, held }: Call): SyncResponse<object> {
  if (isPaused(body.parent)) {
    const message = `reconciliation is paused by the annotation ${PAUSED_ANNOTATION}: "true"; remove it to resume`;
    return holdChildren(body, { type: 'Ready', status: 'Unknown', reason: 'Paused', message }, now);
  }
  try {
    return render();
  } catch (error) {
    if (!isHeld(error)) throw error;
    held(error.code);
    return holdChildren(body, { type: 'Ready', status: 'False', reason: error.code, message: error.message }, now);
  }
}

const ANSWERS: Record<HookName, Answer> = {
  // Only a finalize reply may release the parent (Metacontroller honours finalized from any hook).
  sync: (call) =>
    merged(
      heldOr(() => call.hooks.sync(call.body, call.now, call.settings), call),
      { finalized: undefined },
    ),
  // Kinds with nothing outside Kubernetes to clean up are done: owner references remove the children.
  finalize: ({ hooks, body, now, settings }) =>
    hooks.finalize ? hooks.finalize(body, now, settings) : merged(hooks.sync(body, now, settings), { finalized: true }),
  customize: ({ hooks, body }) => ({ relatedResources: hooks.customize(body.parent) }),
};

/**
 * Children live in their parent's namespace: Metacontroller never sends others, so a request that
 * does is not one of its requests.
 */
function checkChildNamespaces(body: HookRequest): void {
  const namespace = body.parent.metadata.namespace ?? 'default';
  for (const [type, byName] of Object.entries(body.children ?? {})) {
    for (const child of Object.values(byName)) {
      const where = child.metadata.namespace;
      if (where !== undefined && where !== namespace) {
        throw new BadRequestError(
          `children.${type}: ${child.metadata.name} is in namespace ${where}, not in its parent's namespace ${namespace}`,
        );
      }
    }
  }
}

function kindHooks(kind: string): KindHooks<object> {
  const hooks = hooksForSegment(kind);
  if (!hooks) throw new UnknownKindError(kind, [...KIND_HOOKS.keys()]);
  return hooks;
}

/**
 * POST /sync/<kind>, /finalize/<kind> and /customize/<kind>, as Metacontroller calls them. Every
 * request is rendered anew: a reply depends on the clock (retry backoffs, transition times) as
 * well as on the request, so an answer kept from an earlier identical request could be stale.
 */
export async function hookRoutes(app: FastifyInstance, { clock, settings }: HookRoutesOptions): Promise<void> {
  for (const hook of Object.keys(ANSWERS) as HookName[]) {
    app.post<{ Params: { kind: string }; Body: HookRequest }>(
      `/${hook}/:kind`,
      { schema: { params: paramsSchema, body: hookRequestSchema }, config: { hook } },
      async (request, reply) => {
        const hooks = kindHooks(request.params.kind);
        checkChildNamespaces(request.body);
        const held = (reason: ErrorCode) => (request.reconcileError = reason);
        const answer = ANSWERS[hook]({ hooks, body: request.body, now: clock(), settings, held });
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(answer));
      },
    );
  }
}
