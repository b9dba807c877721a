// What the hook refuses in the failover modes, with messages that name the field and the fix.
import type { KubeObject } from '../../../hooks/core/metacontroller.js';
import { hookFailure } from '../../support/hook-requests.js';
import { broker, syncBroker } from './support.js';

const refusal = (spec: Record<string, unknown>, children?: KubeObject[]) => hookFailure(() => syncBroker(broker(spec), { children }));

describe('failover mode specs the hook refuses', () => {
  it('refuses a DLEDGER group of fewer than 3 brokers, naming replicaPerGroup and the fix', () => {
    for (const replicaPerGroup of [0, 1]) {
      const error = refusal({ replicationMode: 'DLEDGER', replicaPerGroup });
      expect(error.statusCode).toBe(422);
      expect(error.details).toEqual([
        expect.stringMatching(/^spec\.replicaPerGroup must be at least 2 with spec\.replicationMode DLEDGER.*set replicaPerGroup: 2/),
      ]);
    }
  });

  it('refuses DLEDGER in clusterMode CONTROLLER', () => {
    const error = refusal({ clusterMode: 'CONTROLLER', controllerAddr: 'c:9878', replicationMode: 'DLEDGER', replicaPerGroup: 2 });
    expect(error.details).toEqual([
      expect.stringMatching(/^spec\.replicationMode DLEDGER cannot be combined with spec\.clusterMode CONTROLLER/),
    ]);
  });

  it('refuses controller settings outside clusterMode CONTROLLER, and both ways of naming controllers at once', () => {
    expect(refusal({ controllerRef: 'c' }).details).toEqual([
      expect.stringMatching(/only to spec\.clusterMode CONTROLLER: set clusterMode: CONTROLLER/),
    ]);
    expect(refusal({ clusterMode: 'CONTROLLER', controllerRef: 'c', controllerAddr: 'a:9878' }).details).toEqual([
      'set either spec.controllerAddr or spec.controllerRef, not both',
    ]);
  });

  it('refuses a controller list that is not host:port;host:port', () => {
    const error = refusal({ clusterMode: 'CONTROLLER', controllerAddr: 'http://c:9878' });
    expect(error.details).toEqual([expect.stringMatching(/^spec\.controllerAddr: must be a list "host:port;host:port"/)]);
  });

  it("refuses the mode's own keys in spec.properties", () => {
    const error = refusal({ replicationMode: 'DLEDGER', replicaPerGroup: 2, properties: { dLegerPeers: 'n0-a:40911' } });
    expect(error.details).toEqual([
      'spec.properties.dLegerPeers: is set by the operator in DLEDGER mode, from spec.clusterMode and spec.replicationMode; remove it',
    ]);
    // Outside that mode the key is the user's, as before.
    expect(() => syncBroker(broker({ properties: { dLegerPeers: 'n0-a:40911' } }))).not.toThrow();
  });
});

describe('a mode change on an existing Broker', () => {
  const statefulSet = (name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {},
  });
  const confMap = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'broker-broker-conf', namespace: 'default' },
    data,
  });

  it('is refused from STATIC to CONTROLLER, naming clusterMode and the way back', () => {
    const error = refusal({ clusterMode: 'CONTROLLER', controllerAddr: 'c:9878' }, [
      statefulSet('broker-0-master'),
      statefulSet('broker-0-replica-1'),
    ]);
    expect(error.statusCode).toBe(422);
    expect(error.details).toEqual([
      expect.stringMatching(
        /^spec\.clusterMode: the brokers run in STATIC mode \(StatefulSets broker-0-master, broker-0-replica-1\).*set clusterMode: STATIC without replicationMode DLEDGER again/,
      ),
    ]);
  });

  it('is refused from DLEDGER back to STATIC, naming replicationMode', () => {
    const conf = confMap({ 'broker-0-0.conf': 'enableDLegerCommitLog=true\n' });
    const error = refusal({ replicationMode: 'ASYNC' }, [statefulSet('broker-0-0'), conf]);
    expect(error.details).toEqual([
      expect.stringMatching(/^spec\.replicationMode: the brokers run in DLEDGER mode .*set replicationMode: DLEDGER again/),
    ]);
  });

  it('is refused between the two failover modes, which share StatefulSet names, from what the brokers were started with', () => {
    const conf = confMap({ 'broker-0-0.conf': 'enableControllerMode=true\ncontrollerAddr=c:9878\n' });
    const error = refusal({ replicationMode: 'DLEDGER', replicaPerGroup: 2 }, [statefulSet('broker-0-0'), conf]);
    expect(error.details).toEqual([
      expect.stringMatching(/^spec\.clusterMode: the brokers run in CONTROLLER mode \(StatefulSets broker-0-0\)/),
    ]);
  });

  it('takes StatefulSets <name>-<g>-<r> made without a broker.conf of ours (by the original operator) as CONTROLLER', () => {
    expect(refusal({}, [statefulSet('broker-0-0')]).details![0]).toMatch(/^spec\.clusterMode: the brokers run in CONTROLLER mode/);
  });

  it('is not a change when the observed brokers were made in the same mode', () => {
    const conf = confMap({ 'broker-0-0.conf': 'enableControllerMode=true\n' });
    expect(() =>
      syncBroker(broker({ clusterMode: 'CONTROLLER', controllerAddr: 'c:9878' }), { children: [statefulSet('broker-0-0'), conf] }),
    ).not.toThrow();
  });
});
