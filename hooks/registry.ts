// Every custom resource kind the service answers for, by the name used in hook URLs.
import type { KindHooks } from './core/kind-hooks.js';
import { brokerHooks } from './broker/hooks.js';
import { consoleHooks } from './console/hooks.js';
import { controllerHooks } from './controller/hooks.js';
import { nameServiceHooks } from './nameservice/hooks.js';
import { proxyHooks } from './proxy/hooks.js';
import { topicTransferHooks } from './topictransfer/hooks.js';

const KINDS: readonly KindHooks<object>[] = [nameServiceHooks, brokerHooks, consoleHooks, topicTransferHooks, proxyHooks, controllerHooks];

/** Hook URL segment (the kind in lower case) to its hooks; a Map, so no key reaches Object's prototype. */
export const KIND_HOOKS: ReadonlyMap<string, KindHooks<object>> = new Map(KINDS.map((hooks) => [hooks.kind.toLowerCase(), hooks]));

/** The hooks of a kind by its URL segment, case-insensitively. */
export function hooksForSegment(segment: string): KindHooks<object> | undefined {
  return KIND_HOOKS.get(segment.toLowerCase());
}

/** The hooks of a custom resource by its `kind`. */
export function hooksForKind(kind: string): KindHooks<object> | undefined {
  return KINDS.find((hooks) => hooks.kind === kind);
}
