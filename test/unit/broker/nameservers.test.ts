import { parseManifests, renderManifests } from '../../../hooks/dry-run.js';
import { FIXED_NOW } from '../../support/hook-requests.js';
import { broker, brokerContainer, brokerCommonConfigMap, child, envOf, hooks, nameService, syncBroker } from './support.js';
import { hookFailure } from '../../support/hook-requests.js';

/** The list brokers start with: NAMESRV_LIST comes from the broker ConfigMap's namesrvAddr. */
function nameServersOf(response: ReturnType<typeof syncBroker>): string {
  expect(envOf(brokerContainer(response, 'broker-0-master')).NAMESRV_LIST).toEqual({
    configMapKeyRef: { name: 'broker-broker-conf', key: 'namesrvAddr' },
  });
  return child(response, 'ConfigMap', 'broker-broker-conf').data.namesrvAddr;
}

describe('Broker name-server discovery', () => {
  it('uses spec.nameServers as given, without looking for a NameService', () => {
    const response = syncBroker(broker({ nameServers: '10.0.0.1:9876;10.0.0.2:9876' }), { related: [] });
    expect(nameServersOf(response)).toBe('10.0.0.1:9876;10.0.0.2:9876');
    expect(response.status.nameServers).toBe('10.0.0.1:9876;10.0.0.2:9876');
    expect(hooks.customize(broker({ nameServers: '10.0.0.1:9876' })).map((r) => r.resource)).toEqual(['pods']);
  });

  it("uses the stable DNS names of the only NameService's pods, which do not change when they move", () => {
    const response = syncBroker(broker({}, 'broker', 'mq'), { related: [nameService('ns', 'mq', 3)] });
    expect(nameServersOf(response)).toBe('ns-0.ns.mq.svc:9876;ns-1.ns.mq.svc:9876;ns-2.ns.mq.svc:9876');
  });

  it('uses the per-pod Services of a NameService whose annotation says they are in use, and the headless names otherwise', () => {
    const withMode = (mode: string) => {
      const ns = nameService('ns', 'mq', 2);
      return { ...ns, metadata: { ...ns.metadata, annotations: { 'rocketmq.apache.org/pod-services': mode } } };
    };
    const inUse = syncBroker(broker({}, 'broker', 'mq'), { related: [withMode('in-use')] });
    expect(nameServersOf(inUse)).toBe('ns-0.mq.svc:9876;ns-1.mq.svc:9876');
    const retiring = syncBroker(broker({}, 'broker', 'mq'), { related: [withMode('retiring')] });
    expect(nameServersOf(retiring)).toBe('ns-0.ns.mq.svc:9876;ns-1.ns.mq.svc:9876');
    const bad = hookFailure(() => syncBroker(broker({}, 'broker', 'mq'), { related: [withMode('on')] }));
    expect(bad.message).toContain('NameService ns is invalid: metadata.annotations["rocketmq.apache.org/pod-services"] is "on"');
  });

  it('uses the NameService named by nameServiceRef among several', () => {
    const response = syncBroker(broker({ nameServiceRef: 'b' }), { related: [nameService('a'), nameService('b', 'default', 2)] });
    expect(nameServersOf(response)).toBe('b-0.b.default.svc:9876;b-1.b.default.svc:9876');
    expect(hooks.customize(broker({ nameServiceRef: 'b' }))).toContainEqual({
      apiVersion: 'rocketmq.apache.org/v1alpha1',
      resource: 'nameservices',
      namespace: 'default',
      names: ['b'],
    });
  });

  it('keeps two clusters in two namespaces on their own name servers', () => {
    const everything = [nameService('name-service', 'team-a', 1), nameService('name-service', 'team-b', 2)];
    const a = syncBroker(broker({}, 'broker', 'team-a'), { related: everything.filter((o) => o.metadata.namespace === 'team-a') });
    const b = syncBroker(broker({}, 'broker', 'team-b'), { related: everything.filter((o) => o.metadata.namespace === 'team-b') });
    expect(nameServersOf(a)).toBe('name-service-0.name-service.team-a.svc:9876');
    expect(nameServersOf(b)).toBe('name-service-0.name-service.team-b.svc:9876;name-service-1.name-service.team-b.svc:9876');
    // Asking again in the other order gives the same answers: nothing is shared between calls.
    expect(nameServersOf(syncBroker(broker({}, 'broker', 'team-a'), { related: [everything[0]] }))).toBe(nameServersOf(a));
    expect(hooks.customize(broker({}, 'broker', 'team-a'))).toContainEqual({
      apiVersion: 'rocketmq.apache.org/v1alpha1',
      resource: 'nameservices',
      namespace: 'team-a',
      labelSelector: {},
    });
  });

  it('keeps clusters apart when one stream holds several, each NameService and Broker per namespace', () => {
    const cluster = (namespace: string, size: number) => `
apiVersion: rocketmq.apache.org/v1alpha1
kind: NameService
metadata: { name: ns, namespace: ${namespace} }
spec: { size: ${size} }
---
apiVersion: rocketmq.apache.org/v1alpha1
kind: Broker
metadata: { name: broker, namespace: ${namespace} }
spec: { size: 1, replicaPerGroup: 0 }
`;
    const rendered = renderManifests(parseManifests([cluster('east', 1), cluster('west', 2)].join('---')), FIXED_NOW).filter(
      (r) => r.parent.kind === 'Broker',
    );
    expect(rendered.map((r) => [r.parent.metadata.namespace, r.status.nameServers])).toEqual([
      ['east', 'ns-0.ns.east.svc:9876'],
      ['west', 'ns-0.ns.west.svc:9876;ns-1.ns.west.svc:9876'],
    ]);
  });

  it('answers non-200 saying what to create when there is no NameService', () => {
    const error = hookFailure(() => syncBroker(broker({}, 'broker', 'mq'), { related: [] }));
    expect(error.statusCode).toBe(424);
    expect(error.message).toBe(
      'Broker mq/broker has no name servers: create a NameService in namespace mq, or set spec.nameServiceRef or spec.nameServers ("host:9876;host:9876")',
    );
  });

  it('answers non-200 when several NameServices exist and none is named', () => {
    const error = hookFailure(() => syncBroker(broker({}), { related: [nameService('a'), nameService('b')] }));
    expect(error.statusCode).toBe(424);
    expect(error.message).toMatch(/cannot choose among the NameServices a, b in namespace default: set spec.nameServiceRef/);
  });

  it('answers non-200 when nameServiceRef names a NameService that does not exist', () => {
    const error = hookFailure(() => syncBroker(broker({ nameServiceRef: 'gone' }), { related: [nameService('other')] }));
    expect(error.statusCode).toBe(424);
    expect(error.message).toMatch(/waits for NameService "gone" \(spec.nameServiceRef\), which does not exist in namespace default/);
  });

  it('answers non-200 when a volume names a ConfigMap that does not exist', () => {
    const spec = { volumes: [{ name: 'broker-config', configMap: { name: 'broker-config' } }] };
    const error = hookFailure(() => syncBroker(broker(spec)));
    expect(error.statusCode).toBe(424);
    expect(error.message).toMatch(/mounts ConfigMap "broker-config" .* which does not exist in namespace default: create it/);
    expect(hooks.customize(broker(spec))).toContainEqual({
      apiVersion: 'v1',
      resource: 'configmaps',
      namespace: 'default',
      names: ['broker-config'],
    });
    const optional = { volumes: [{ name: 'broker-config', configMap: { name: 'broker-config', optional: true } }] };
    expect(() => syncBroker(broker(optional))).not.toThrow();
    expect(() => syncBroker(broker(spec), { related: [nameService(), brokerCommonConfigMap('deleteWhen=04')] })).not.toThrow();
  });
});
