import { nameServiceHooks } from '../../../hooks/nameservice/hooks.js';
import type { KubeObject } from '../../../hooks/core/metacontroller.js';
import { customResource, FIXED_NOW, syncRequest } from '../../support/hook-requests.js';

const hooks = nameServiceHooks;
const LATER = new Date('2026-01-02T04:00:00Z');

function pod(name: string, phase: string, podIP?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'mq', labels: { app: 'name_service', name_service_cr: 'ns' } },
    status: { phase, ...(podIP ? { podIP } : {}) },
  };
}

function statefulSet(status: Record<string, unknown>, generation = 1): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'ns', namespace: 'mq', generation }, spec: {}, status };
}

const settled = { observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'a' };

function statusFor(children: KubeObject[], related: KubeObject[], previous?: unknown, now = FIXED_NOW): any {
  const parent = customResource('NameService', 'ns', { size: 2 }, 'mq', previous);
  return hooks.sync(syncRequest(parent, { children, related }), now).status;
}

describe('NameService status', () => {
  it('lists the sorted IPs of running pods, as the original operator', () => {
    const status = statusFor(
      [],
      [
        pod('ns-1', 'Running', '10.0.0.9'),
        pod('ns-0', 'Running', '10.0.0.10'),
        pod('ns-2', 'Pending', '10.0.0.11'),
        pod('ns-3', 'Running'),
      ],
    );
    expect(status.nameServers).toEqual(['10.0.0.10', '10.0.0.9']);
  });

  it('publishes the stable DNS address of every name server', () => {
    expect(statusFor([], []).addresses).toEqual(['ns-0.ns.mq.svc:9876', 'ns-1.ns.mq.svc:9876']);
  });

  it('is Ready once every replica is ready and the rollout is done', () => {
    const status = statusFor([statefulSet(settled)], []);
    expect(status.readyReplicas).toBe(2);
    expect(status.conditions).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'AllReplicasReady',
        message: '2/2 name servers ready',
        lastTransitionTime: '2026-01-02T03:04:05Z',
      },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'UpToDate',
        message: 'all pods run the current spec',
        lastTransitionTime: '2026-01-02T03:04:05Z',
      },
    ]);
  });

  it('says what is in progress while pods are created, scaled or rolled', () => {
    const reason = (children: KubeObject[]) => statusFor(children, []).conditions.find((c: any) => c.type === 'Progressing').reason;
    expect(reason([])).toBe('Creating');
    expect(reason([statefulSet({ ...settled, replicas: 1 })])).toBe('Scaling');
    expect(reason([statefulSet({ ...settled, updateRevision: 'b' })])).toBe('RollingUpdate');
    expect(reason([statefulSet(settled, 2)])).toBe('Updating');
  });

  it('keeps lastTransitionTime while a condition does not change, so status writes settle', () => {
    const first = statusFor([statefulSet(settled)], []);
    const again = statusFor([statefulSet(settled)], [], first, LATER);
    expect(again).toEqual(first);
    const notReady = statusFor([statefulSet({ ...settled, readyReplicas: 1 })], [], first, LATER);
    expect(notReady.conditions[0]).toMatchObject({ status: 'False', lastTransitionTime: '2026-01-02T04:00:00Z' });
    expect(notReady.conditions[1].lastTransitionTime).toBe('2026-01-02T03:04:05Z');
  });
});
