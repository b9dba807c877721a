// RocketMQ's controller inside the name servers (spec.controller.enabled).
import { nameServiceHooks as hooks } from '../../../hooks/nameservice/hooks.js';
import type { SyncResponse } from '../../../hooks/core/metacontroller.js';
import { parseConfigLines } from '../../../hooks/rocketmq/properties.js';
import type { NameServiceStatus } from '../../../hooks/schema/types.js';
import { customResource, FIXED_NOW, hookFailure, syncRequest } from '../../support/hook-requests.js';

function sync(spec: unknown, name = 'ns', options: Parameters<typeof syncRequest>[1] = {}): SyncResponse<NameServiceStatus> {
  return hooks.sync(syncRequest(customResource('NameService', name, spec, 'mq'), options), FIXED_NOW);
}

const withController = { size: 3, nameServiceImage: 'apache/rocketmq:5.3.3', controller: { enabled: true } };
const kinds = (response: SyncResponse<object>) => response.children.map((c) => `${c.kind}/${c.metadata.name}`);
const find = (response: SyncResponse<object>, kind: string, name?: string): any =>
  response.children.find((c) => c.kind === kind && (name === undefined || c.metadata.name === name));
const container = (response: SyncResponse<object>) => find(response, 'StatefulSet').spec.template.spec.containers[0];

/** The file a pod starts from, by the shell expansion its command relies on (what follows the last '-'). */
function podSettings(response: SyncResponse<object>, pod: string): Record<string, string> {
  const file = /-c \/etc\/rocketmq-namesrv\/(\S+)$/.exec(container(response).command[2])![1];
  return parseConfigLines(find(response, 'ConfigMap').data[file.replace('${MY_POD_NAME##*-}', pod.slice(pod.lastIndexOf('-') + 1))]);
}

describe('controllers inside the name servers', () => {
  it('turns the controller on in every name server, one Raft peer per pod by its stable DNS name', () => {
    const response = sync(withController, 'my-ns');
    const peers = [0, 1, 2].map((i) => `n${i}-my-ns-${i}.my-ns.mq.svc:9878`).join(';');
    for (const i of [0, 1, 2]) {
      expect(podSettings(response, `my-ns-${i}`)).toEqual({
        enableControllerInNamesrv: 'true',
        controllerType: 'DLedger',
        controllerDLegerGroup: 'ControllerGroup-my-ns',
        controllerDLegerPeers: peers,
        controllerDLegerSelfId: `n${i}`,
        controllerStorePath: '/home/rocketmq/store',
        mappedFileSize: '67108864',
      });
    }
  });

  it('opens the controller port on the pods and on the headless Service that governs them', () => {
    const response = sync(withController);
    expect(container(response).ports).toContainEqual({ name: 'controller', containerPort: 9878, protocol: 'TCP' });
    expect(find(response, 'Service', 'ns').spec.ports).toContainEqual({
      name: 'controller',
      port: 9878,
      targetPort: 9878,
      protocol: 'TCP',
    });
    expect(find(response, 'StatefulSet').spec.serviceName).toBe('ns');
  });

  it('keeps the Raft log in the data volume, and restarts the name servers when the peers change', () => {
    const response = sync(withController);
    expect(container(response).volumeMounts).toContainEqual({
      name: 'namesrv-storage',
      mountPath: '/home/rocketmq/store',
      subPath: 'store',
    });
    const hash = (r: SyncResponse<object>) => find(r, 'StatefulSet').spec.template.metadata.annotations['rocketmq.apache.org/config-hash'];
    expect(hash(sync({ ...withController, size: 5 }))).not.toBe(hash(response));
  });

  it('changes nothing for a NameService without it', () => {
    for (const spec of [{ size: 3 }, { size: 3, controller: { enabled: false } }]) {
      const response = sync(spec);
      expect(kinds(response)).toEqual(['Service/ns', 'StatefulSet/ns', 'PodDisruptionBudget/ns']);
      expect(container(response).command).toEqual(['sh', '-c', 'exec sh "$ROCKETMQ_HOME/bin/mqnamesrv"']);
      expect(find(response, 'Service').spec.ports.map((p: any) => p.name)).toEqual(['main']);
    }
  });

  it('refuses a RocketMQ 4 image, naming the field', () => {
    const error = hookFailure(() => sync({ ...withController, nameServiceImage: 'apache/rocketmq:4.9.8' }));
    expect(error.statusCode).toBe(422);
    expect(error.details).toEqual([
      expect.stringMatching(/^spec\.controller\.enabled: apache\/rocketmq:4\.9\.8 is RocketMQ 4, which has no controller/),
    ]);
  });

  it('refuses while the name servers have no DNS names of their own (a StatefulSet adopted from the original operator)', () => {
    const adopted = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'ns', namespace: 'mq' }, spec: { serviceName: '' } };
    const error = hookFailure(() => sync(withController, 'ns', { children: [adopted] }));
    expect(error.details).toEqual([
      expect.stringMatching(/^spec\.controller\.enabled: the controllers reach each other by the name servers' DNS names/),
    ]);
  });
});
