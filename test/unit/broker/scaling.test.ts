import type { HookRequest, KubeObject } from '../../../hooks/core/metacontroller.js';
import { applyAndSettle, broker, children, FIXED_NOW, hooks, nameService, podOf, statefulSetNames, syncRequest } from './support.js';

function running(spec: Record<string, unknown>): HookRequest {
  const first = syncRequest(broker(spec), { related: [nameService()] });
  const applied = applyAndSettle(first, hooks.sync(first, FIXED_NOW));
  // Sync once more so the status reflects the settled StatefulSets, as Metacontroller would.
  return applyAndSettle(applied, hooks.sync(applied, FIXED_NOW));
}

const withSpec = (request: HookRequest, spec: Record<string, unknown>): HookRequest => ({
  ...request,
  parent: { ...request.parent, spec },
});

describe('Broker scaling', () => {
  it('adds the StatefulSets of new groups and marks their metadata copy pending', () => {
    const before = running({ size: 2, replicaPerGroup: 1 });
    expect(before.parent.status).toMatchObject({ size: 2 });
    const response = hooks.sync(withSpec(before, { size: 3, replicaPerGroup: 1 }), FIXED_NOW);
    expect(statefulSetNames(response)).toEqual([
      'broker-0-replica-1',
      'broker-0-master',
      'broker-1-replica-1',
      'broker-1-master',
      'broker-2-replica-1',
      'broker-2-master',
    ]);
    const groups = (response.status as any).groups;
    expect(groups.map((g: any) => g.metadataCopy)).toEqual([
      undefined,
      undefined,
      { phase: 'Pending', message: 'waiting for broker-2-master-0 to be Ready', attempts: 0 },
    ]);
    // The size the cluster was brought to moves only once every group is Ready.
    expect(response.status.size).toBe(2);
  });

  it('copies nothing on a first start', () => {
    const first = hooks.sync(syncRequest(broker({ size: 3 }), { related: [nameService()] }), FIXED_NOW);
    expect((first.status as any).groups.every((g: any) => g.metadataCopy === undefined)).toBe(true);
    expect(first.status.size).toBe(0);
  });

  it('refuses to shrink size: keeps every observed StatefulSet and reports Degraded', () => {
    const before = running({ size: 3, replicaPerGroup: 1 });
    const response = hooks.sync(withSpec(before, { size: 1, replicaPerGroup: 1 }), FIXED_NOW);
    expect(statefulSetNames(response)).toEqual([
      'broker-0-replica-1',
      'broker-0-master',
      'broker-1-replica-1',
      'broker-1-master',
      'broker-2-replica-1',
      'broker-2-master',
    ]);
    expect(children(response, 'ConfigMap')[0].data).toHaveProperty(['broker-2-master.conf']);
    const degraded = (response.status.conditions as any[]).find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'ScaleDownRefused' });
    expect(degraded.message).toMatch(/broker-1-replica-1, broker-1-master, broker-2-replica-1, broker-2-master also exist/);
    expect(degraded.message).toMatch(/Set spec.size back to 3/);
    // kubectl get shows the Ready reason, so the refusal is named there too, while the brokers serve.
    expect((response.status.conditions as any[]).find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'ScaleDownRefused',
    });
  });

  it('refuses to shrink replicaPerGroup the same way', () => {
    const before = running({ size: 1, replicaPerGroup: 2 });
    const response = hooks.sync(withSpec(before, { size: 1, replicaPerGroup: 0 }), FIXED_NOW);
    expect(statefulSetNames(response)).toEqual(['broker-0-replica-1', 'broker-0-replica-2', 'broker-0-master']);
    expect(response.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'ScaleDownRefused' }),
    );
  });

  it('reports the topology, the pods when all are Ready, and the name servers', () => {
    const before = running({ size: 2, replicaPerGroup: 1 });
    const pods: KubeObject[] = Object.values(before.children!['StatefulSet.apps/v1']).map((s) => podOf(s));
    const response = hooks.sync(
      { ...before, related: syncRequest(before.parent, { related: [nameService(), ...pods] }).related },
      FIXED_NOW,
    );
    expect(response.status).toMatchObject({
      size: 2,
      nodes: ['broker-0-master-0', 'broker-0-replica-1-0', 'broker-1-master-0', 'broker-1-replica-1-0'],
      nameServers: 'name-service-0.name-service.default.svc:9876',
      groups: [
        {
          group: 0,
          brokerName: 'broker-0',
          ready: true,
          pods: [
            { name: 'broker-0-master-0', role: 'MASTER', brokerId: 0, ready: true, upToDate: true },
            { name: 'broker-0-replica-1-0', role: 'SLAVE', brokerId: 1, ready: true, upToDate: true },
          ],
        },
        { group: 1, brokerName: 'broker-1', ready: true },
      ],
    });
    expect(response.status.conditions).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'AllBrokersReady',
        message: '4/4 broker pods ready',
        lastTransitionTime: '2026-01-02T03:04:05Z',
      },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'UpToDate',
        message: 'every broker pod runs the current spec',
        lastTransitionTime: '2026-01-02T03:04:05Z',
      },
      {
        type: 'Degraded',
        status: 'False',
        reason: 'AsExpected',
        message: 'every broker the spec asks for is managed',
        lastTransitionTime: '2026-01-02T03:04:05Z',
      },
    ]);
    const master = before.children!['StatefulSet.apps/v1']['default/broker-0-master'];
    const notReady = pods.map((p) => (p.metadata.name === 'broker-0-master-0' ? podOf(master, false) : p));
    const afterReady = { ...before, parent: { ...before.parent, status: response.status } };
    const partly = hooks.sync(
      { ...afterReady, related: syncRequest(before.parent, { related: [nameService(), ...notReady] }).related },
      FIXED_NOW,
    );
    // Kept from the last time every pod was Ready, as the original operator does.
    expect(partly.status.nodes).toEqual(response.status.nodes);
    expect((partly.status as any).groups[0].pods[0]).toMatchObject({ name: 'broker-0-master-0', ready: false });
  });
});
