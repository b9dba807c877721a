import { topicTransferHooks } from '../../../hooks/topictransfer/hooks.js';
import type { KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { TRANSFER_STATE_ANNOTATION, type TransferState } from '../../../hooks/topictransfer/state.js';
import { customResource, FIXED_NOW, syncRequest } from '../../support/hook-requests.js';

const hooks = topicTransferHooks;
const settings = { runnerImage: 'registry.example/rocketmq-operator:1.2.3' };
const nameService = customResource('NameService', 'name-service', { size: 2 }, 'mq');
const spec = { topic: 'TopicTest', sourceCluster: 'broker-0', targetCluster: 'broker-1' };

function transfer(state?: Partial<TransferState>, extraSpec: object = {}): KubeObject {
  const parent = customResource('TopicTransfer', 'move', { ...spec, ...extraSpec }, 'mq');
  if (state) parent.metadata.annotations = { [TRANSFER_STATE_ANNOTATION]: JSON.stringify({ steps: [], step: 0, ...state }) };
  return parent;
}

function sync(parent: KubeObject, children: KubeObject[] = []): SyncResponse {
  return hooks.sync(syncRequest(parent, { children, related: [nameService] }), FIXED_NOW, settings);
}

function finalize(parent: KubeObject, children: KubeObject[] = []): SyncResponse {
  return hooks.finalize!(syncRequest(parent, { children, related: [nameService], finalizing: true }), FIXED_NOW, settings);
}

const find = (response: SyncResponse, kind: string, name?: string): any =>
  response.children.find((c) => c.kind === kind && (!name || c.metadata.name === name));

function observedJob(name: string, status: object, template = { spec: { containers: [{ name: 'runner', args: ['old'] }] } }): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'mq' }, spec: { backoffLimit: 6, template }, status };
}

describe('TopicTransfer hooks', () => {
  it('renders a runner Job with the transfer, found name servers and the operator image', () => {
    const job = find(sync(transfer()), 'Job', 'move-transfer');
    const container = job.spec.template.spec.containers[0];
    expect(container.image).toBe('registry.example/rocketmq-operator:1.2.3');
    expect(container.command).toEqual(['node', 'dist/hooks/runner/main.js']);
    expect(container.args).toEqual([
      'topic-transfer',
      '--mode=transfer',
      '--name=move',
      '--namespace=mq',
      '--namesrv=name-service-0.name-service.mq.svc:9876;name-service-1.name-service.mq.svc:9876',
      '--topic=TopicTest',
      '--source=broker-0',
      '--target=broker-1',
      '--consume-timeout-seconds=600',
    ]);
    expect(job.spec.template.spec.serviceAccountName).toBe('move-transfer');
  });

  it('gives the runner an identity that may only read and annotate this TopicTransfer', () => {
    const response = sync(transfer());
    expect(find(response, 'Role').rules).toEqual([
      { apiGroups: ['rocketmq.apache.org'], resources: ['topictransfers'], resourceNames: ['move'], verbs: ['get', 'patch'] },
    ]);
    expect(find(response, 'RoleBinding')).toMatchObject({
      roleRef: { kind: 'Role', name: 'move-transfer' },
      subjects: [{ kind: 'ServiceAccount', name: 'move-transfer', namespace: 'mq' }],
    });
    expect(find(response, 'ServiceAccount').metadata.name).toBe('move-transfer');
  });

  it('keeps the template of an existing Job, which cannot change, when the name servers move', () => {
    const observed = observedJob('move-transfer', {});
    const job = find(sync(transfer(), [observed]), 'Job', 'move-transfer');
    expect(job.spec.template).toEqual((observed.spec as { template: unknown }).template);
  });

  it('is Pending until the runner records progress', () => {
    const status: any = sync(transfer()).status;
    expect(status).toMatchObject({ phase: 'Pending', step: 0, message: 'waiting for the transfer Job to start' });
    expect(status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['Ready=False', 'Progressing=True', 'Degraded=False']);
  });

  it('projects the recorded progress into status', () => {
    const steps = [{ step: 1, name: 'create the consumer groups on the target', phase: 'Succeeded', startTime: '2026-01-02T03:00:00Z', endTime: '2026-01-02T03:00:01Z' }];
    const status: any = sync(transfer({ phase: 'Running', step: 2, message: 'creating the topic on the target', steps: steps as any, saved: { groups: ['g'] } as any })).status;
    expect(status).toMatchObject({ phase: 'Running', step: 2, message: 'creating the topic on the target', steps, saved: { groups: ['g'] } });
  });

  it('is Ready when the transfer succeeded and Degraded when it rolled back', () => {
    const ok: any = sync(transfer({ phase: 'Succeeded', step: 7, message: 'done' })).status;
    expect(ok.conditions[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Transferred' });
    const back: any = sync(transfer({ phase: 'RolledBack', step: 4, message: 'consumers did not catch up in 600 s' })).status;
    expect(back.conditions[2]).toMatchObject({ type: 'Degraded', status: 'True', reason: 'RolledBack', message: 'consumers did not catch up in 600 s' });
  });

  it('reports Failed when the runner Job gave up, which the runner cannot record itself', () => {
    const failedJob = observedJob('move-transfer', { failed: 7, conditions: [{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }] });
    const status: any = sync(transfer({ phase: 'Running', step: 3 }), [failedJob]).status;
    expect(status.phase).toBe('Failed');
    expect(status.message).toMatch(/move-transfer failed 7 times and stopped: Job has reached the specified backoff limit/);
  });

  it('refuses a transfer whose source and target are the same', () => {
    expect(() => sync(transfer(undefined, { targetCluster: 'broker-0' }))).toThrow(/spec.targetCluster must differ from spec.sourceCluster/);
  });

  it('waits for a NameService instead of rendering a runner without name servers', () => {
    const request = syncRequest(transfer(), { related: [] });
    expect(() => hooks.sync(request, FIXED_NOW, settings)).toThrow(/create a NameService in namespace mq/);
  });
});

describe('deleting a TopicTransfer', () => {
  it('releases a finished transfer at once and changes nothing in RocketMQ', () => {
    for (const phase of ['Succeeded', 'RolledBack'] as const) {
      const response = finalize(transfer({ phase, step: 7 }), [observedJob('move-transfer', { succeeded: 1 })]);
      expect(response.finalized).toBe(true);
      expect(response.children).toEqual([]);
    }
    expect(finalize(transfer()).finalized).toBe(true);
  });

  it('suspends a running transfer and starts no rollback while its pod still runs', () => {
    const response = finalize(transfer({ phase: 'Running', step: 4, steps: [{ step: 1, name: 'x', phase: 'Succeeded' }] }), [observedJob('move-transfer', { active: 1 })]);
    expect(response.finalized).toBe(false);
    expect(find(response, 'Job', 'move-transfer').spec.suspend).toBe(true);
    expect(find(response, 'Job', 'move-rollback')).toBeUndefined();
  });

  it('rolls back once the transfer pods are gone, and is released only when rolled back', () => {
    const midway = { phase: 'Running' as const, step: 4, steps: [{ step: 1, name: 'x', phase: 'Succeeded' as const }] };
    const idle = observedJob('move-transfer', { active: 0 });
    const response = finalize(transfer(midway), [idle]);
    const rollback = find(response, 'Job', 'move-rollback');
    expect(rollback.spec.template.spec.containers[0].args).toContain('--mode=rollback');
    expect(response.finalized).toBe(false);
    const done = finalize(transfer({ ...midway, phase: 'RolledBack' }), [idle, observedJob('move-rollback', { succeeded: 1 })]);
    expect(done.finalized).toBe(true);
  });
});
