import type { HookRequest, KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import {
  applyAndSettle,
  broker,
  brokerCommonConfigMap,
  child,
  children,
  FIXED_NOW,
  hooks,
  nameService,
  settledNameService,
  podOf,
  replacing,
  settled,
  syncRequest,
  templateOf,
} from './support.js';

const CONFIG_VOLUME = { volumes: [{ name: 'broker-config', configMap: { name: 'broker-config' } }] };

/** A running cluster: every StatefulSet applied from `spec` and settled. */
function runningCluster(spec: Record<string, unknown>, related: KubeObject[] = [nameService()]): HookRequest {
  const first = syncRequest(broker(spec), { related });
  return applyAndSettle(first, hooks.sync(first, FIXED_NOW));
}

function withParentSpec(request: HookRequest, spec: Record<string, unknown>, related?: KubeObject[]): HookRequest {
  return {
    ...request,
    parent: { ...request.parent, spec },
    ...(related ? { related: syncRequest(request.parent, { related }).related } : {}),
  };
}

function observedStatefulSets(request: HookRequest): Record<string, KubeObject> {
  return Object.fromEntries(Object.values(request.children?.['StatefulSet.apps/v1'] ?? {}).map((s) => [s.metadata.name, s]));
}

/** StatefulSets whose pod template in the reply differs from the observed one. */
function changedTemplates(request: HookRequest, response: SyncResponse<object>): string[] {
  const observed = observedStatefulSets(request);
  return children(response, 'StatefulSet')
    .filter((s) => JSON.stringify(s.spec.template) !== JSON.stringify((observed[s.metadata.name]?.spec as any)?.template))
    .map((s) => s.metadata.name);
}

/** The reply applied; `moved` is still replacing its pod, all others settled. */
function applyWithPodReplacing(request: HookRequest, response: SyncResponse<object>, moved: string[]): HookRequest {
  const next = applyAndSettle(request, response);
  const statefulSets = next.children!['StatefulSet.apps/v1'];
  for (const [key, sts] of Object.entries(statefulSets)) if (moved.includes(sts.metadata.name)) statefulSets[key] = replacing(sts);
  return next;
}

const SPEC = { size: 1, replicaPerGroup: 2, brokerImage: 'apache/rocketmq:5.3.0' };

describe('Broker rollouts', () => {
  it('moves one pod per step, replicas before their master, each only once the previous is Ready', () => {
    let request = withParentSpec(runningCluster(SPEC), { ...SPEC, brokerImage: 'apache/rocketmq:5.3.1' });
    const order: string[] = [];
    for (let step = 0; step < 3; step++) {
      const response = hooks.sync(request, FIXED_NOW);
      const moved = changedTemplates(request, response);
      expect(moved).toHaveLength(1);
      expect(response.status.rollingPod).toBe(`${moved[0]}-0`);
      expect(response.resyncAfterSeconds).toBeGreaterThan(0);
      order.push(moved[0]);

      // While the moved pod is not Ready yet, nothing else moves.
      const waiting = applyWithPodReplacing(request, response, moved);
      const held = hooks.sync(waiting, FIXED_NOW);
      expect(changedTemplates(waiting, held)).toEqual([]);
      expect(held.status.rollingPod).toBe(`${moved[0]}-0`);
      expect(held.status.conditions).toContainEqual(
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'RollingUpdate' }),
      );
      request = applyAndSettle(waiting, held);
    }
    expect(order).toEqual(['broker-0-replica-1', 'broker-0-replica-2', 'broker-0-master']);
    const done = hooks.sync(request, FIXED_NOW);
    expect(changedTemplates(request, done)).toEqual([]);
    expect(done.status.rollingPod).toBeUndefined();
    expect(done.resyncAfterSeconds).toBeUndefined();
    expect(done.status.conditions).toContainEqual(expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'UpToDate' }));
    for (const sts of children(done, 'StatefulSet')) expect(sts.spec.template.spec.containers[0].image).toBe('apache/rocketmq:5.3.1');
  });

  it('rolls group by group', () => {
    const spec = { size: 2, replicaPerGroup: 1 };
    let request = withParentSpec(runningCluster(spec), { ...spec, properties: { deleteWhen: '02' } });
    const order: string[] = [];
    for (let step = 0; step < 4; step++) {
      const response = hooks.sync(request, FIXED_NOW);
      order.push(...changedTemplates(request, response));
      request = applyAndSettle(request, response);
    }
    expect(order).toEqual(['broker-0-replica-1', 'broker-0-master', 'broker-1-replica-1', 'broker-1-master']);
  });

  it('holds every restart while allowRestart is false, and says so', () => {
    const request = withParentSpec(runningCluster(SPEC), { ...SPEC, allowRestart: false, env: [{ name: 'TZ', value: 'UTC' }] });
    const response = hooks.sync(request, FIXED_NOW);
    expect(changedTemplates(request, response)).toEqual([]);
    expect(response.status.rollingPod).toBeUndefined();
    expect(response.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Progressing',
        status: 'False',
        reason: 'RestartHeld',
        message: expect.stringMatching(/spec.allowRestart is false/),
      }),
    );
  });

  it('restarts brokers when broker-common.conf changes in its ConfigMap', () => {
    const spec = { ...SPEC, ...CONFIG_VOLUME };
    const running = runningCluster(spec, [nameService(), brokerCommonConfigMap('deleteWhen=04\n')]);
    const unchanged = hooks.sync(running, FIXED_NOW);
    expect(changedTemplates(running, unchanged)).toEqual([]);
    const edited = withParentSpec(running, spec, [nameService(), brokerCommonConfigMap('deleteWhen=01\n')]);
    const response = hooks.sync(edited, FIXED_NOW);
    expect(changedTemplates(edited, response)).toEqual(['broker-0-replica-1']);
    expect(child(response, 'ConfigMap').data['broker-0-replica-1.conf']).toContain('deleteWhen=01');
  });

  it('keeps the broker.conf a waiting broker runs, so a crash restart does not apply changes early', () => {
    const running = runningCluster(SPEC);
    const observedConf = (running.children!['ConfigMap.v1']['default/broker-broker-conf'] as any).data;
    const edited = withParentSpec(running, { ...SPEC, properties: { fileReservedTime: '24' } });
    const data = child(hooks.sync(edited, FIXED_NOW), 'ConfigMap').data;
    expect(data['broker-0-replica-1.conf']).toContain('fileReservedTime=24');
    expect(data['broker-0-replica-2.conf']).toBe(observedConf['broker-0-replica-2.conf']);
    expect(data['broker-0-master.conf']).toBe(observedConf['broker-0-master.conf']);
  });

  it('restarts no broker when the name-server list changes: running brokers are sent it (name-server-update.test.ts)', () => {
    const running = runningCluster(SPEC);
    const grown = withParentSpec(running, SPEC, [settledNameService('name-service', 'default', 3)]);
    const response = hooks.sync(grown, FIXED_NOW);
    expect(changedTemplates(grown, response)).toEqual([]);
    expect(String(response.status.nameServers).split(';')).toHaveLength(3);
  });

  it.each(['apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0', 'apache/rocketmq:4.9.3'])(
    'restarts %s brokers, which read the list only at start, one pod at a time when the list changes',
    (brokerImage) => {
      const spec = { ...SPEC, brokerImage };
      const running = runningCluster(spec);
      const grown = withParentSpec(running, spec, [settledNameService('name-service', 'default', 3)]);
      const response = hooks.sync(grown, FIXED_NOW);
      expect(changedTemplates(grown, response)).toEqual(['broker-0-replica-1']);
      expect(children(response, 'Job')).toEqual([]);
      expect(String(response.status.nameServers).split(';')).toHaveLength(3);
      expect(response.status.nameServerUpdate).toBeUndefined();
    },
  );

  it.each(['apache/rocketmq:5.3.0', 'apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0'])(
    'changes nothing for %s before the NameService reports the new name servers Ready',
    (brokerImage) => {
      const spec = { ...SPEC, brokerImage };
      const running = runningCluster(spec);
      const scaling = settledNameService('name-service', 'default', 3);
      const notYet = {
        ...scaling,
        metadata: { ...scaling.metadata, generation: 3 },
        status: { observedGeneration: 3, replicas: 3, readyReplicas: 1 },
      };
      const response = hooks.sync(withParentSpec(running, spec, [notYet]), FIXED_NOW);
      expect(changedTemplates(running, response)).toEqual([]);
      expect(children(response, 'Job')).toEqual([]);
      expect(child(response, 'ConfigMap')).toEqual((running.children!['ConfigMap.v1'] as any)['default/broker-broker-conf']);
      expect(String(response.status.nameServers).split(';')).toHaveLength(1);
    },
  );

  it('restarts a broker that is down first, since that costs no availability', () => {
    const running = runningCluster(SPEC);
    const statefulSets = running.children!['StatefulSet.apps/v1'];
    statefulSets['default/broker-0-master'] = { ...settled(statefulSets['default/broker-0-master']), status: { readyReplicas: 0 } };
    const edited = withParentSpec(running, { ...SPEC, brokerImage: 'apache/rocketmq:5.3.1' });
    expect(changedTemplates(edited, hooks.sync(edited, FIXED_NOW))).toEqual(['broker-0-master']);
  });

  it('waits for a broker that is not Ready before restarting a healthy one', () => {
    const running = runningCluster(SPEC);
    const statefulSets = running.children!['StatefulSet.apps/v1'];
    statefulSets['default/broker-0-master'] = { ...statefulSets['default/broker-0-master'], status: { readyReplicas: 0 } };
    // The change does not touch the broken master's template (replicas only have one).
    const edited = withParentSpec(running, SPEC);
    const response = hooks.sync(edited, FIXED_NOW);
    expect(changedTemplates(edited, response)).toEqual([]);
    expect(response.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'BrokersNotReady' }),
    );
  });

  it('reports which pods run the current configuration', () => {
    const running = runningCluster(SPEC);
    const edited = withParentSpec(running, { ...SPEC, brokerImage: 'apache/rocketmq:5.3.1' });
    const response = hooks.sync(edited, FIXED_NOW);
    const pods = Object.values(running.children!['StatefulSet.apps/v1']).map((s) => podOf(s));
    const withPods = { ...edited, related: syncRequest(edited.parent, { related: [nameService(), ...pods] }).related };
    const status = hooks.sync(withPods, FIXED_NOW).status as any;
    expect(status.groups[0].pods.map((p: any) => [p.name, p.upToDate, p.ready])).toEqual([
      ['broker-0-master-0', false, true],
      ['broker-0-replica-1-0', false, true],
      ['broker-0-replica-2-0', false, true],
    ]);
    expect(templateOf(response, 'broker-0-master')).toEqual((observedStatefulSets(edited)['broker-0-master'].spec as any).template);
  });
});
