// Where pods of every kind may run: the user's topology spread constraints reach the pod templates
// as given, and a Broker's masters prefer different nodes unless the user says otherwise.
import { consoleHooks } from '../../hooks/console/hooks.js';
import type { KubeObject, SyncResponse } from '../../hooks/core/metacontroller.js';
import { nameServiceHooks } from '../../hooks/nameservice/hooks.js';
import { proxyHooks } from '../../hooks/proxy/hooks.js';
import { TEMPLATE_HASH_ANNOTATION } from '../../hooks/broker/render/pod.js';
import { shortTextHash } from '../../hooks/k8s/hash.js';
import { customResource, FIXED_NOW, syncRequest } from '../support/hook-requests.js';
import { broker, children, nameService, syncBroker } from './broker/support.js';

const zoneSpread = [
  {
    maxSkew: 1,
    topologyKey: 'topology.kubernetes.io/zone',
    whenUnsatisfiable: 'DoNotSchedule',
    minDomains: 2,
    nodeTaintsPolicy: 'Honor',
    matchLabelKeys: ['pod-template-hash'],
    labelSelector: { matchLabels: { app: 'mq' } },
  },
];

const templateOf = (response: SyncResponse<object>, kind: string): any => response.children.find((c) => c.kind === kind)!.spec as any;
const podSpecs = (response: SyncResponse<object>) => children(response, 'StatefulSet').map((s) => [s.metadata.name, s.spec.template.spec]);

function syncKind(kind: 'NameService' | 'Proxy' | 'Console', spec: Record<string, unknown>): SyncResponse<object> {
  const hooks = { NameService: nameServiceHooks, Proxy: proxyHooks, Console: consoleHooks }[kind];
  const related: KubeObject[] = [nameService(), customResource('Broker', 'broker', { size: 1 })];
  return hooks.sync(syncRequest(customResource(kind, kind.toLowerCase(), spec), { related }), FIXED_NOW);
}

describe('topology spread constraints', () => {
  it('reach the name server pods as given', () => {
    const spec = templateOf(syncKind('NameService', { topologySpreadConstraints: zoneSpread }), 'StatefulSet').template.spec;
    expect(spec.topologySpreadConstraints).toEqual(zoneSpread);
  });

  it('reach the proxy pods as given, beside the default anti-affinity', () => {
    const spec = templateOf(syncKind('Proxy', { topologySpreadConstraints: zoneSpread }), 'Deployment').template.spec;
    expect(spec.topologySpreadConstraints).toEqual(zoneSpread);
    expect(spec.affinity.podAntiAffinity).toBeDefined();
  });

  it('reach the dashboard pods as given in consoleDeployment', () => {
    const consoleDeployment = {
      spec: { template: { spec: { topologySpreadConstraints: zoneSpread, containers: [{ name: 'console', image: 'dashboard:1' }] } } },
    };
    const spec = templateOf(syncKind('Console', { consoleDeployment }), 'Deployment').template.spec;
    expect(spec.topologySpreadConstraints).toEqual(zoneSpread);
  });

  it('are left out of pods whose spec gives none, except for broker masters', () => {
    expect(templateOf(syncKind('NameService', {}), 'StatefulSet').template.spec.topologySpreadConstraints).toBeUndefined();
    expect(templateOf(syncKind('Proxy', {}), 'Deployment').template.spec.topologySpreadConstraints).toBeUndefined();
  });
});

describe("a Broker's masters", () => {
  const masterSpread = {
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { app: 'broker', broker_cr: 'broker', 'rocketmq.apache.org/broker-role': 'master' } },
  };

  it('prefer different nodes by default, counting only this Broker’s masters; replicas carry no spread', () => {
    const response = syncBroker(broker({ size: 3, replicaPerGroup: 1 }));
    for (const [name, spec] of podSpecs(response)) {
      if (name.endsWith('-master')) expect(spec.topologySpreadConstraints).toEqual([masterSpread]);
      else expect(spec.topologySpreadConstraints).toBeUndefined();
    }
  });

  it('are labelled master and replicas replica, so the default selects exactly the masters', () => {
    const response = syncBroker(broker({ size: 2, replicaPerGroup: 2 }));
    const roles = children(response, 'StatefulSet').map((s) => [
      s.metadata.name,
      s.spec.template.metadata.labels['rocketmq.apache.org/broker-role'],
    ]);
    expect(Object.fromEntries(roles)).toEqual({
      'broker-0-master': 'master',
      'broker-0-replica-1': 'replica',
      'broker-0-replica-2': 'replica',
      'broker-1-master': 'master',
      'broker-1-replica-1': 'replica',
      'broker-1-replica-2': 'replica',
    });
  });

  it('follow the user’s constraints instead, which every broker pod gets', () => {
    const response = syncBroker(broker({ size: 2, replicaPerGroup: 1, topologySpreadConstraints: zoneSpread }));
    for (const [, spec] of podSpecs(response)) expect(spec.topologySpreadConstraints).toEqual(zoneSpread);
  });

  it('spread by no rule when the user gives an empty list', () => {
    const response = syncBroker(broker({ size: 2, topologySpreadConstraints: [] }));
    for (const [, spec] of podSpecs(response)) expect(spec.topologySpreadConstraints).toBeUndefined();
  });

  it('keep the default spread when only affinity is the user’s, which replaces the group anti-affinity', () => {
    const affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
        ],
      },
    };
    const response = syncBroker(broker({ size: 2, affinity }));
    for (const [name, spec] of podSpecs(response)) {
      expect(spec.affinity).toEqual(affinity);
      expect(spec.topologySpreadConstraints).toEqual(name.endsWith('-master') ? [masterSpread] : undefined);
    }
  });

  it('hash their templates as serialized, with masters and replicas of many groups', () => {
    const response = syncBroker(broker({ size: 5, replicaPerGroup: 2 }));
    for (const statefulSet of children(response, 'StatefulSet')) {
      const template = structuredClone(statefulSet.spec.template);
      const hash = template.metadata.annotations[TEMPLATE_HASH_ANNOTATION];
      delete template.metadata.annotations[TEMPLATE_HASH_ANNOTATION];
      expect(hash).toBe(shortTextHash(JSON.stringify(template)));
    }
  });
});
