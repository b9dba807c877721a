// Builders for Metacontroller-shaped hook requests, and a stand-in for how Metacontroller feeds
// the children it applied back into the next request.
import type { HookRequest, KubeObject, ObjectMap, SyncResponse } from '../../hooks/core/metacontroller.js';
import { typeKey } from '../../hooks/core/metacontroller.js';
import type { HookError } from '../../hooks/core/errors.js';

export type KeyStyle = 'v1' | 'v2';

export function objectMap(objects: KubeObject[], keys: KeyStyle = 'v2'): ObjectMap {
  const map: ObjectMap = {};
  for (const object of objects) {
    const entry = (map[typeKey(object.kind, object.apiVersion)] ??= {});
    const key = keys === 'v2' ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
    entry[key] = object;
  }
  return map;
}

export function customResource(kind: string, name: string, spec: unknown, namespace = 'default', status?: unknown): KubeObject {
  return {
    apiVersion: 'rocketmq.apache.org/v1alpha1',
    kind,
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, generation: 1 },
    spec,
    ...(status ? { status } : {}),
  };
}

export function syncRequest(
  parent: KubeObject,
  options: { children?: KubeObject[]; related?: KubeObject[]; keys?: KeyStyle; finalizing?: boolean } = {},
): HookRequest {
  const keys = options.keys ?? 'v2';
  return {
    controller: { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'test' } },
    parent,
    children: objectMap(options.children ?? [], keys),
    related: objectMap(options.related ?? [], keys),
    finalizing: options.finalizing ?? false,
  };
}

/** The next request after Metacontroller applied a response: its children observed, its status stored. */
export function afterApplying(request: HookRequest, response: SyncResponse<object>): HookRequest {
  const children = response.children.map((child) => ({
    ...child,
    metadata: { namespace: request.parent.metadata.namespace, ...child.metadata },
  }));
  return {
    ...request,
    parent: { ...request.parent, status: response.status },
    children: objectMap(children),
  };
}

export const FIXED_NOW = new Date('2026-01-02T03:04:05Z');

/** The error a hook throws, for tests that check its status code and message. */
export function hookFailure(run: () => unknown): HookError {
  try {
    run();
  } catch (error) {
    return error as HookError;
  }
  throw new Error('expected the hook to refuse');
}
