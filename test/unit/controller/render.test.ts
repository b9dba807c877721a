import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { controllerHooks as hooks } from '../../../hooks/controller/hooks.js';
import type { SyncResponse } from '../../../hooks/core/metacontroller.js';
import { parseManifests } from '../../../hooks/dry-run.js';
import { parseConfigLines } from '../../../hooks/rocketmq/properties.js';
import { packageRoot } from '../../../hooks/schema/crds.js';
import type { ControllerStatus } from '../../../hooks/schema/types.js';
import { afterApplying, customResource, FIXED_NOW, hookFailure, syncRequest } from '../../support/hook-requests.js';

function sync(spec: unknown, name = 'controller', namespace = 'default'): SyncResponse<ControllerStatus> {
  return hooks.sync(syncRequest(customResource('Controller', name, spec, namespace)), FIXED_NOW);
}

function child(response: SyncResponse<object>, kind: string, name?: string): any {
  const found = response.children.find((c) => c.kind === kind && (name === undefined || c.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} rendered`);
  return found;
}

const container = (response: SyncResponse<object>) => child(response, 'StatefulSet').spec.template.spec.containers[0];

/** The settings a pod of `ordinal` starts with, from the ConfigMap file its start command picks. */
function podSettings(response: SyncResponse<object>, podName: string): Record<string, string> {
  const command: string = container(response).command[2];
  const file = /-c \/etc\/rocketmq-controller\/(\S+)$/.exec(command)![1];
  // The shell expansion the command relies on: what follows the last '-' of the pod name.
  const fileName = file.replace('${MY_POD_NAME##*-}', podName.slice(podName.lastIndexOf('-') + 1));
  return parseConfigLines(child(response, 'ConfigMap').data[fileName]);
}

describe('Controller rendering', () => {
  it('names the StatefulSet, the headless Service and the client Service as the original operator does', () => {
    const response = sync({ size: 3 }, 'ctl');
    const sts = child(response, 'StatefulSet');
    expect(sts.metadata.name).toBe('ctl');
    expect(sts.spec.serviceName).toBe('ctl-svc-headless');
    expect(sts.spec.selector.matchLabels).toEqual({ app: 'controller', controller_cr: 'ctl' });
    expect(child(response, 'Service', 'ctl-svc-headless').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(child(response, 'Service', 'ctl-svc').spec.ports).toEqual([
      { name: 'controller', port: 9878, targetPort: 9878, protocol: 'TCP' },
    ]);
    expect(response.children.map((c) => `${c.kind}/${c.metadata.name}`).sort()).toEqual([
      'ConfigMap/ctl-config',
      'PodDisruptionBudget/ctl',
      'Service/ctl-svc',
      'Service/ctl-svc-headless',
      'StatefulSet/ctl',
    ]);
  });

  it('lists every pod as a Raft peer by its stable DNS name on port 9878', () => {
    const settings = podSettings(sync({ size: 3 }, 'ctl', 'mq'), 'ctl-0');
    expect(settings.controllerDLegerPeers).toBe([0, 1, 2].map((i) => `n${i}-ctl-${i}.ctl-svc-headless.mq.svc:9878`).join(';'));
    expect(settings).toMatchObject({ controllerType: 'DLedger', controllerDLegerGroup: 'ControllerGroup-ctl' });
  });

  it.each(['controller', 'my-rocketmq-controller', 'a-1-b-2'])(
    'gives every pod of %s the Raft id of its ordinal, found among the peers',
    (name) => {
      const response = sync({ size: 5 }, name);
      for (let i = 0; i < 5; i += 1) {
        const settings = podSettings(response, `${name}-${i}`);
        expect(settings.controllerDLegerSelfId).toBe(`n${i}`);
        expect(settings.controllerDLegerPeers.split(';')).toContain(`n${i}-${name}-${i}.${name}-svc-headless.default.svc:9878`);
      }
    },
  );

  it('reports the addresses brokers use as controllerAddr', () => {
    const status = sync({ size: 3 }, 'ctl', 'mq').status;
    expect(status.controllerAddr).toBe(
      'ctl-0.ctl-svc-headless.mq.svc:9878;ctl-1.ctl-svc-headless.mq.svc:9878;ctl-2.ctl-svc-headless.mq.svc:9878',
    );
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ReplicasNotReady' });
  });

  it('is Ready once every controller is, and Progressing while the StatefulSet rolls', () => {
    const parent = customResource('Controller', 'ctl', { size: 3 });
    const statefulSet = (status: object) => ({
      ...child(sync({ size: 3 }, 'ctl'), 'StatefulSet'),
      metadata: { name: 'ctl', namespace: 'default', generation: 1 },
      status,
    });
    const conditions = (status: object) =>
      hooks
        .sync(syncRequest(parent, { children: [statefulSet(status)] }), FIXED_NOW)
        .status.conditions?.map((c) => [c.type, c.status, c.reason]);
    expect(conditions({ observedGeneration: 1, replicas: 3, readyReplicas: 3, currentRevision: 'a', updateRevision: 'a' })).toEqual([
      ['Ready', 'True', 'AllReplicasReady'],
      ['Progressing', 'False', 'UpToDate'],
    ]);
    expect(
      conditions({ observedGeneration: 1, replicas: 3, readyReplicas: 2, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' }),
    ).toEqual([
      ['Ready', 'False', 'ReplicasNotReady'],
      ['Progressing', 'True', 'RollingUpdate'],
    ]);
  });

  it.each([2, 4, 0, 11])('refuses a size of %d, naming spec.size', (size) => {
    const failure = hookFailure(() => sync({ size }));
    expect(failure.statusCode).toBe(422);
    expect(failure.message).toMatch(/spec\.size/);
  });

  it('refuses a name too long for <name>-svc-headless, naming metadata.name', () => {
    const failure = hookFailure(() => sync({}, 'c'.repeat(51)));
    expect(failure.statusCode).toBe(422);
    expect(failure.message).toMatch(/metadata\.name/);
    expect(() => sync({}, 'c'.repeat(50))).not.toThrow();
  });

  it('keeps the Raft log and logs on the data volume in every storage mode', () => {
    const claim = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const emptyDir = sync({ storageMode: 'EmptyDir' });
    const hostPath = sync({ storageMode: 'HostPath', hostPath: '/data/ctl', volumeClaimTemplates: [claim] });
    const storageClass = sync({ storageMode: 'StorageClass', volumeClaimTemplates: [claim] });
    const volumes = (r: SyncResponse<object>) => child(r, 'StatefulSet').spec.template.spec.volumes;
    expect(volumes(emptyDir)).toContainEqual({ name: 'controller-storage', emptyDir: {} });
    expect(volumes(hostPath)).toContainEqual({ name: 'data', hostPath: { path: '/data/ctl' } });
    expect(volumes(storageClass).map((v: { name: string }) => v.name)).toEqual(['controller-config']);
    expect(child(storageClass, 'StatefulSet').spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(container(storageClass).volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'data', mountPath: '/home/rocketmq/store', subPath: 'store' },
        { name: 'data', mountPath: '/home/rocketmq/logs', subPath: 'logs' },
      ]),
    );
    expect(podSettings(storageClass, 'controller-0').controllerStorePath).toBe('/home/rocketmq/store');
  });

  it('sizes the heap from the memory limit, probes the controller port and stops the JVM before the pod goes', () => {
    const c = container(sync({ resources: { limits: { memory: '1Gi' } } }));
    expect(c.env).toContainEqual({ name: 'JAVA_OPT_EXT', value: '-Xms512m -Xmx512m -Xmn256m' });
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 9878 });
    expect(c.lifecycle.preStop.exec.command[2]).toMatch(/kill \$pids/);
  });

  it('rolls the pods when the peer list changes, as it does with the size', () => {
    const hash = (r: SyncResponse<object>) => child(r, 'StatefulSet').spec.template.metadata.annotations['rocketmq.apache.org/config-hash'];
    expect(hash(sync({ size: 3 }))).toBe(hash(sync({ size: 3 })));
    expect(hash(sync({ size: 5 }))).not.toBe(hash(sync({ size: 3 })));
  });

  it('lets node drains take one controller at a time', () => {
    const response = sync({ size: 3 });
    expect(child(response, 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: child(response, 'StatefulSet').spec.selector.matchLabels },
    });
  });

  it('renders the same children again once they exist', () => {
    const request = syncRequest(customResource('Controller', 'controller', { size: 3 }));
    const first = hooks.sync(request, FIXED_NOW);
    expect(hooks.sync(afterApplying(request, first), FIXED_NOW).children).toEqual(first.children);
  });

  it("runs the original operator's example with its root image layout", () => {
    const [parent] = parseManifests(readFileSync(join(packageRoot(), 'test/fixtures/original-operator/controller.yaml'), 'utf8'));
    const response = hooks.sync(syncRequest(parent), FIXED_NOW);
    expect(container(response).volumeMounts).toContainEqual({ name: 'controller-storage', mountPath: '/root/store', subPath: 'store' });
    expect(child(response, 'StatefulSet').spec.template.spec.volumes).toContainEqual({
      name: 'controller-storage',
      hostPath: { path: '/data/rocketmq/controller' },
    });
    expect(podSettings(response, 'controller-0')).toMatchObject({ controllerDLegerSelfId: 'n0', controllerStorePath: '/root/store' });
  });
});
