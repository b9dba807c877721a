// A larger storage request than the existing StatefulSets' claim templates is reported with the
// claims to grow until each one asks for it; a smaller one is refused, naming the field.
import type { HookRequest, KubeObject, SyncResponse } from '../../hooks/core/metacontroller.js';
import { brokerHooks } from '../../hooks/broker/hooks.js';
import { controllerHooks } from '../../hooks/controller/hooks.js';
import { nameServiceHooks } from '../../hooks/nameservice/hooks.js';
import type { KindHooks } from '../../hooks/core/kind-hooks.js';
import { afterApplying, customResource, FIXED_NOW, hookFailure, syncRequest } from '../support/hook-requests.js';
import { nameService } from './broker/support.js';

const claimTemplate = (storage: string) => ({
  metadata: { name: 'data' },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage } } },
});
const brokerSpec = (storage: string) => ({
  size: 2,
  replicaPerGroup: 1,
  storageMode: 'StorageClass',
  volumeClaimTemplates: [claimTemplate(storage)],
});
const oneStatefulSetSpec = (storage: string, size = 3) => ({
  size,
  storageMode: 'StorageClass',
  volumeClaimTemplates: [claimTemplate(storage)],
});

/** A claim the StatefulSet controller made, labelled with the StatefulSet's selector. */
const claim = (name: string, storage: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { resources: { requests: { storage } } },
});

// In the order brokers restart: a group's replicas before its master.
const BROKER_CLAIMS = ['data-broker-0-replica-1-0', 'data-broker-0-master-0', 'data-broker-1-replica-1-0', 'data-broker-1-master-0'];

/** The request after the kind was created with `before` and the user then changed the spec to `after`. */
function changedSpec(hooks: KindHooks<object>, kind: string, before: object, after: object, related: KubeObject[]): HookRequest {
  const first = syncRequest(customResource(kind, kind === 'Broker' ? 'broker' : 'ns', before), { related });
  const next = afterApplying(first, hooks.sync(first, FIXED_NOW));
  return { ...next, parent: { ...next.parent, spec: after } };
}

const resizeCondition = (response: SyncResponse<any>) =>
  response.status.conditions.find((c: { type: string }) => c.type === 'StorageResizePending');
const claimTemplates = (response: SyncResponse<object>) =>
  response.children.filter((c) => c.kind === 'StatefulSet').map((s: any) => s.spec.volumeClaimTemplates[0].spec.resources.requests.storage);

describe('growing a Broker’s storage', () => {
  const grown = (claims: KubeObject[]) => {
    const request = changedSpec(brokerHooks, 'Broker', brokerSpec('8Gi'), brokerSpec('20Gi'), [nameService()]);
    return brokerHooks.sync(
      { ...request, related: { ...request.related, ...syncRequest(request.parent, { related: claims }).related } },
      FIXED_NOW,
    );
  };

  it('reports the claims still asking for less, with the command that grows them', () => {
    const response = grown(BROKER_CLAIMS.map((c) => claim(c, '8Gi')));
    const condition = resizeCondition(response);
    expect(condition).toMatchObject({ status: 'True', reason: 'ClaimsSmallerThanSpec' });
    expect(condition.message).toContain(`spec.volumeClaimTemplates[0] asks for 20Gi`);
    expect(condition.message).toContain(BROKER_CLAIMS.join(', '));
    expect(condition.message).toContain(
      `kubectl -n default patch pvc data-broker-0-replica-1-0 -p '{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}'`,
    );
    expect(condition.message).toContain('allowVolumeExpansion: true');
  });

  it('keeps the StatefulSets’ claim templates, which cannot change', () => {
    expect(claimTemplates(grown([]))).toEqual(['8Gi', '8Gi', '8Gi', '8Gi']);
  });

  it('names only the claims not grown yet, counting one not made yet', () => {
    const response = grown([claim(BROKER_CLAIMS[0], '20Gi'), claim(BROKER_CLAIMS[1], '21474836480'), claim(BROKER_CLAIMS[2], '8Gi')]);
    expect(resizeCondition(response).message).toContain('so data-broker-1-replica-1-0, data-broker-1-master-0 ask for less');
  });

  it('clears once every claim asks for the new size, however it is written', () => {
    const response = grown(BROKER_CLAIMS.map((c) => claim(c, '20480Mi')));
    expect(resizeCondition(response)).toBeUndefined();
  });

  it('says nothing when the spec writes the same size another way', () => {
    const request = changedSpec(brokerHooks, 'Broker', brokerSpec('8Gi'), brokerSpec('8192Mi'), [nameService()]);
    expect(resizeCondition(brokerHooks.sync(request, FIXED_NOW))).toBeUndefined();
  });

  it('gives new groups claims of the new size at once', () => {
    const request = changedSpec(brokerHooks, 'Broker', brokerSpec('8Gi'), { ...brokerSpec('20Gi'), size: 3 }, [nameService()]);
    const response = brokerHooks.sync(request, FIXED_NOW);
    expect(claimTemplates(response)).toEqual(['8Gi', '8Gi', '8Gi', '8Gi', '20Gi', '20Gi']);
    expect(resizeCondition(response).message).not.toContain('broker-2');
  });

  it('refuses a smaller size, naming the field and the smallest allowed', () => {
    const request = changedSpec(brokerHooks, 'Broker', brokerSpec('8Gi'), brokerSpec('4Gi'), [nameService()]);
    const error = hookFailure(() => brokerHooks.sync(request, FIXED_NOW));
    expect(error.statusCode).toBe(422);
    expect(error.details).toContain(
      'spec.volumeClaimTemplates[0].spec.resources.requests.storage: 4Gi is less than the 8Gi the claims of StatefulSet broker-0-master were made with, and a volume cannot shrink: set it to 8Gi or more',
    );
  });

  it('ignores observed claim templates it cannot read, as it ignores claims of other names', () => {
    const request = changedSpec(brokerHooks, 'Broker', brokerSpec('8Gi'), brokerSpec('20Gi'), [nameService()]);
    for (const statefulSet of Object.values(request.children!['StatefulSet.apps/v1'])) {
      (statefulSet.spec as any).volumeClaimTemplates = [
        null,
        'x',
        { metadata: { name: 'data' }, spec: { resources: { requests: { storage: 'lots' } } } },
      ];
    }
    expect(resizeCondition(brokerHooks.sync(request, FIXED_NOW))).toBeUndefined();
  });

  it('watches the claims of its pods only when its data lives on claims', () => {
    const rules = (spec: object) =>
      brokerHooks.customize(customResource('Broker', 'broker', spec)).filter((r) => r.resource === 'persistentvolumeclaims');
    expect(rules(brokerSpec('8Gi'))).toEqual([
      {
        apiVersion: 'v1',
        resource: 'persistentvolumeclaims',
        namespace: 'default',
        labelSelector: { matchLabels: { app: 'broker', broker_cr: 'broker' } },
      },
    ]);
    expect(rules({ size: 1 })).toEqual([]);
  });
});

// Both run one StatefulSet named after them, of `size` pods.
describe.each([
  { kind: 'NameService', hooks: nameServiceHooks, watched: ['pods', 'persistentvolumeclaims'] },
  { kind: 'Controller', hooks: controllerHooks, watched: ['persistentvolumeclaims'] },
])('growing a $kind’s storage', ({ kind, hooks, watched }) => {
  const sync = (after: object, claims: KubeObject[]) => {
    const request = changedSpec(hooks, kind, oneStatefulSetSpec('1Gi'), after, []);
    return hooks.sync({ ...request, related: syncRequest(request.parent, { related: claims }).related }, FIXED_NOW);
  };

  it('reports every pod’s claim, those of pods still to come included', () => {
    const response = sync(oneStatefulSetSpec('2Gi', 5), [claim('data-ns-0', '2Gi'), claim('data-ns-1', '1Gi')]);
    expect(resizeCondition(response).message).toContain('data-ns-1, data-ns-2, data-ns-3, data-ns-4 ask for less');
    expect(claimTemplates(response)).toEqual(['1Gi']);
  });

  it('refuses a smaller size', () => {
    const error = hookFailure(() => sync(oneStatefulSetSpec('512Mi'), []));
    expect(error.details).toEqual([
      'spec.volumeClaimTemplates[0].spec.resources.requests.storage: 512Mi is less than the 1Gi the claims of StatefulSet ns were made with, and a volume cannot shrink: set it to 1Gi or more',
    ]);
  });

  it('watches its pods’ claims in StorageClass mode', () => {
    const rules = hooks.customize(customResource(kind, 'ns', oneStatefulSetSpec('1Gi')));
    expect(rules.map((r) => r.resource)).toEqual(watched);
  });
});
