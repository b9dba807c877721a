// Requests and observed state for Broker hook tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerHooks } from '../../../hooks/broker/hooks.js';
import { hooksForSegment } from '../../../hooks/registry.js';
import type { HookRequest, KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { parseManifests, relatedFrom } from '../../../hooks/dry-run.js';
import { packageRoot } from '../../../hooks/schema/crds.js';
import type { BrokerStatus } from '../../../hooks/schema/types.js';
import { afterApplying, customResource, FIXED_NOW, syncRequest } from '../../support/hook-requests.js';

export const hooks = brokerHooks;

export function nameService(name = 'name-service', namespace = 'default', size = 1): KubeObject {
  return customResource('NameService', name, { size }, namespace);
}

/** A NameService whose status says every one of its name servers is Ready. */
export function settledNameService(name = 'name-service', namespace = 'default', size = 1): KubeObject {
  const object = nameService(name, namespace, size);
  return {
    ...object,
    metadata: { ...object.metadata, generation: 2 },
    status: { observedGeneration: 2, replicas: size, readyReplicas: size },
  };
}

export function brokerCommonConfigMap(content: string, name = 'broker-config', namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { 'broker-common.conf': content } };
}

export function broker(spec: Record<string, unknown>, name = 'broker', namespace = 'default'): KubeObject {
  return customResource('Broker', name, spec, namespace);
}

/** A sync with a NameService in the namespace unless `related` says otherwise. */
export function syncBroker(
  parent: KubeObject,
  options: { children?: KubeObject[]; related?: KubeObject[] } = {},
): SyncResponse<BrokerStatus> {
  const related = options.related ?? [nameService('name-service', parent.metadata.namespace)];
  return hooks.sync(syncRequest(parent, { children: options.children, related }), FIXED_NOW);
}

export function children(response: SyncResponse<object>, kind: string): any[] {
  return response.children.filter((c) => c.kind === kind);
}

export function child(response: SyncResponse<object>, kind: string, name?: string): any {
  const found = response.children.find((c) => c.kind === kind && (name === undefined || c.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} rendered`);
  return found;
}

export function statefulSetNames(response: SyncResponse<object>): string[] {
  return children(response, 'StatefulSet').map((s) => s.metadata.name);
}

export function brokerContainer(response: SyncResponse<object>, statefulSet: string): any {
  return child(response, 'StatefulSet', statefulSet).spec.template.spec.containers[0];
}

export function envOf(container: any): Record<string, unknown> {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

export function templateOf(response: SyncResponse<object>, statefulSet: string): unknown {
  return child(response, 'StatefulSet', statefulSet).spec.template;
}

/** What the StatefulSet controller reports once the pod runs the StatefulSet's template and is Ready. */
export function settled(statefulSet: KubeObject): KubeObject {
  return {
    ...statefulSet,
    status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'r', updateRevision: 'r' },
  };
}

/** Right after a template change: the old pod is being replaced. */
export function replacing(statefulSet: KubeObject): KubeObject {
  return {
    ...statefulSet,
    status: { observedGeneration: 1, replicas: 1, readyReplicas: 0, updatedReplicas: 0, currentRevision: 'old', updateRevision: 'new' },
  };
}

/** A Ready pod made from a StatefulSet's template. */
export function podOf(statefulSet: any, ready = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${statefulSet.metadata.name}-0`,
      namespace: statefulSet.metadata.namespace ?? 'default',
      ...statefulSet.spec.template.metadata,
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

/** The next request after Metacontroller applied a reply, with every StatefulSet settled. */
export function applyAndSettle(request: HookRequest, response: SyncResponse<object>): HookRequest {
  const next = afterApplying(request, response);
  const observed = Object.fromEntries(
    Object.entries(next.children ?? {}).map(([type, objects]) => [
      type,
      type === 'StatefulSet.apps/v1' ? Object.fromEntries(Object.entries(objects).map(([k, o]) => [k, settled(o)])) : objects,
    ]),
  );
  return { ...next, children: observed };
}

/** Manifests of a fixture file: the custom resource of `kind` and a sync request with the others as related objects. */
export function fixtureRequest(file: string, kind: string): HookRequest {
  const objects = parseManifests(readFileSync(join(packageRoot(), 'test', 'fixtures', file), 'utf8'));
  const parent = objects.find((o) => o.kind === kind)!;
  const rules = hooksForSegment(kind.toLowerCase())!.customize(parent);
  return {
    parent: { ...parent, metadata: { ...parent.metadata, uid: 'uid-1', generation: 1 } },
    children: {},
    related: relatedFrom(objects, rules),
    finalizing: false,
  };
}

export { afterApplying, FIXED_NOW, syncRequest };

/** FIXED_NOW plus `seconds`. */
export const at = (seconds: number) => new Date(FIXED_NOW.getTime() + seconds * 1000);

/** The status of a Job that failed `seconds` after FIXED_NOW, as the Job controller writes it. */
export const failedJobStatus = (seconds: number) => ({
  failed: 3,
  conditions: [
    {
      type: 'Failed',
      status: 'True',
      message: 'Job has reached the specified backoff limit',
      lastTransitionTime: at(seconds).toISOString(),
    },
  ],
});
