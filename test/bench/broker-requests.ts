// Sync requests of a running Broker cluster of a given size, as Metacontroller sends them once
// every StatefulSet exists and is Ready: the request grows with the cluster.
import { brokerHooks } from '../../hooks/broker/hooks.js';
import type { HookRequest } from '../../hooks/core/metacontroller.js';
import { afterApplying, customResource, FIXED_NOW, syncRequest } from '../support/hook-requests.js';

const settledStatus = {
  observedGeneration: 1,
  replicas: 1,
  readyReplicas: 1,
  updatedReplicas: 1,
  currentRevision: 'r',
  updateRevision: 'r',
};

export function runningBrokerRequest(groups: number, replicaPerGroup = 2): HookRequest {
  const nameService = customResource('NameService', 'name-service', { size: 3 }, 'mq');
  const parent = customResource(
    'Broker',
    'broker',
    {
      size: groups,
      replicaPerGroup,
      nameServiceRef: 'name-service',
      resources: { limits: { memory: '4Gi', cpu: '2' }, requests: { memory: '4Gi', cpu: '1' } },
      storageMode: 'StorageClass',
      volumeClaimTemplates: [
        { metadata: { name: 'broker-storage' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } } } },
      ],
    },
    'mq',
  );
  const first = syncRequest(parent, { related: [nameService] });
  const applied = afterApplying(first, brokerHooks.sync(first, FIXED_NOW));
  const statefulSets = applied.children!['StatefulSet.apps/v1'];
  for (const key of Object.keys(statefulSets)) statefulSets[key] = { ...statefulSets[key], status: settledStatus };
  return applied;
}
