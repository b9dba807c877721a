// What brokers in the failover modes are rendered as: names, broker.conf keys, env, labels and ports.
import { parseConfigLines } from '../../../hooks/rocketmq/properties.js';
import { customResource } from '../../support/hook-requests.js';
import {
  broker,
  brokerCommonConfigMap,
  brokerContainer,
  child,
  envOf,
  FIXED_NOW,
  fixtureRequest,
  hooks,
  nameService,
  statefulSetNames,
  syncBroker,
} from './support.js';

const storage = {
  storageMode: 'StorageClass',
  volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } }],
};
const controllerMode = { clusterMode: 'CONTROLLER', controllerAddr: 'c-0.c.mq.svc:9878;c-1.c.mq.svc:9878', ...storage };
const dledger = { replicationMode: 'DLEDGER', replicaPerGroup: 2, ...storage };

const confOf = (response: ReturnType<typeof syncBroker>, statefulSet: string) =>
  parseConfigLines(child(response, 'ConfigMap').data[`${statefulSet}.conf`]);

describe.each([
  ['CONTROLLER', { ...controllerMode, size: 2, replicaPerGroup: 1 }],
  ['DLEDGER', { ...dledger, size: 2 }],
])('%s mode', (_mode, spec) => {
  const response = () => syncBroker(broker(spec, 'my-mq'));

  it('names StatefulSets <name>-<group>-<r> and pods <name>-<group>-<r>-0, as the original names CONTROLLER mode', () => {
    const names = statefulSetNames(response()).sort();
    const replicas = Number(spec.replicaPerGroup);
    const expected = [0, 1].flatMap((g) => Array.from({ length: replicas + 1 }, (_, r) => `my-mq-${g}-${r}`));
    expect(names).toEqual(expected.sort());
    expect(response().status.nodes).toEqual([]);
    expect(response().status.groups![0].pods!.map((p) => p.name)).toEqual(expected.slice(0, replicas + 1).map((s) => `${s}-0`));
  });

  it('keeps the data directories and claim names the original gives, so its volumes are found', () => {
    const sts = child(response(), 'StatefulSet', 'my-mq-1-1');
    expect(`${sts.spec.volumeClaimTemplates[0].metadata.name}-${sts.metadata.name}-0`).toBe('data-my-mq-1-1-0');
    expect(brokerContainer(response(), 'my-mq-1-0').volumeMounts.slice(0, 2)).toEqual([
      { name: 'data', mountPath: '/home/rocketmq/logs', subPath: 'logs/my-mq-1-master' },
      { name: 'data', mountPath: '/home/rocketmq/store', subPath: 'store/my-mq-1-master' },
    ]);
    expect(brokerContainer(response(), 'my-mq-1-1').volumeMounts[1].subPath).toBe('store/my-mq-1-replica-1');
  });

  it('gives no pod a fixed role label, nor spreads them as masters', () => {
    for (const name of statefulSetNames(response())) {
      const template = child(response(), 'StatefulSet', name).spec.template;
      expect(template.metadata.labels).not.toHaveProperty(['rocketmq.apache.org/broker-role']);
      expect(template.spec.topologySpreadConstraints).toBeUndefined();
      expect(template.metadata.labels['rocketmq.apache.org/broker-name']).toBe(`my-mq-${name.split('-')[2]}`);
    }
  });

  it('reports no fixed role in status', () => {
    for (const pod of response().status.groups![1].pods!) expect(pod).not.toHaveProperty('role');
  });

  it('gives every broker its place in the group as BROKER_ID, as the original did', () => {
    expect(envOf(brokerContainer(response(), 'my-mq-0-1'))).toMatchObject({ BROKER_ID: '1', BROKER_NAME: 'my-mq-0' });
  });
});

describe('CONTROLLER mode broker.conf', () => {
  it('starts every broker in controller mode, as a replica whose id the controllers give', () => {
    const conf = confOf(syncBroker(broker({ ...controllerMode, replicaPerGroup: 2 })), 'broker-0-2');
    expect(conf).toMatchObject({
      brokerName: 'broker-0',
      brokerId: '-1',
      brokerRole: 'SLAVE',
      enableControllerMode: 'true',
      controllerAddr: 'c-0.c.mq.svc:9878;c-1.c.mq.svc:9878',
      storePathRootDir: '/home/rocketmq/store',
    });
    expect(conf).not.toHaveProperty('fetchControllerAddrByDnsLookup');
    expect(conf).not.toHaveProperty('enableDLegerCommitLog');
  });

  it('acknowledges only what every in-sync replica holds unless replicationMode is ASYNC', () => {
    const ackOf = (replicationMode?: string) =>
      confOf(syncBroker(broker({ ...controllerMode, replicationMode })), 'broker-0-0').allAckInSyncStateSet;
    expect(ackOf(undefined)).toBe('true');
    expect(ackOf('SYNC')).toBe('true');
    expect(ackOf('ASYNC')).toBeUndefined();
  });

  it("replaces the user's role and controller keys rather than repeating them", () => {
    const common = brokerCommonConfigMap(
      'brokerRole=ASYNC_MASTER\ncontrollerAddr=old:9878\nfetchControllerAddrByDnsLookup=true\nenableControllerMode=false\ndeleteWhen=04\n',
    );
    const spec = { ...controllerMode, volumes: [{ name: 'broker-config', configMap: { name: 'broker-config' } }] };
    const text = child(syncBroker(broker(spec), { related: [nameService(), common] }), 'ConfigMap').data['broker-0-0.conf'];
    expect(text.match(/^controllerAddr=/gm)).toHaveLength(1);
    expect(text.match(/^brokerRole=/gm)).toHaveLength(1);
    // A lookup flag left over would make the brokers resolve the list as one name.
    expect(text).not.toMatch(/^fetchControllerAddrByDnsLookup=/m);
    expect(text).toContain('deleteWhen=04');
    expect(parseConfigLines(text)).toMatchObject({ brokerRole: 'SLAVE', enableControllerMode: 'true' });
  });

  it('declares no DLedger port', () => {
    const ports = brokerContainer(syncBroker(broker(controllerMode)), 'broker-0-0').ports.map((p: any) => p.name);
    expect(ports).not.toContain('dledger');
  });
});

describe('DLEDGER mode broker.conf', () => {
  const response = () => syncBroker(broker({ ...dledger, size: 2 }, 'my-mq', 'mq'), { related: [nameService('name-service', 'mq')] });

  it("makes every broker of a group a peer of the group's Raft log, by stable DNS, with its own id", () => {
    const peers = [0, 1, 2].map((r) => `n${r}-my-mq-1-${r}-0.my-mq-brokers.mq.svc:40911`).join(';');
    for (const r of [0, 1, 2]) {
      const conf = confOf(response(), `my-mq-1-${r}`);
      expect(conf).toMatchObject({
        brokerName: 'my-mq-1',
        enableDLegerCommitLog: 'true',
        dLegerGroup: 'my-mq-1',
        dLegerPeers: peers,
        dLegerSelfId: `n${r}`,
      });
      // The Raft log elects the master: the operator fixes neither id nor role.
      expect(conf).not.toHaveProperty('brokerId');
      expect(conf).not.toHaveProperty('brokerRole');
      expect(conf).not.toHaveProperty('enableControllerMode');
    }
  });

  it('opens the DLedger port on every broker and on the headless Service the peers resolve through', () => {
    const port = { name: 'dledger', containerPort: 40911, protocol: 'TCP' };
    expect(brokerContainer(response(), 'my-mq-0-2').ports).toContainEqual(port);
    const service = child(response(), 'Service', 'my-mq-brokers');
    expect(service.spec.ports).toContainEqual({ name: 'dledger', port: 40911, targetPort: 40911, protocol: 'TCP' });
    expect(child(response(), 'StatefulSet', 'my-mq-0-2').spec.serviceName).toBe('my-mq-brokers');
  });

  it('leaves STATIC brokers without the DLedger port', () => {
    const service = child(syncBroker(broker({})), 'Service', 'broker-brokers');
    expect(service.spec.ports.map((p: any) => p.name)).toEqual(['vip', 'main', 'ha', 'metrics']);
  });
});

describe('where CONTROLLER-mode brokers find controllers', () => {
  const spec = { clusterMode: 'CONTROLLER' };
  const controller = (name: string, namespace = 'default') => customResource('Controller', name, { size: 3 }, namespace);
  const addrOf = (response: ReturnType<typeof syncBroker>) => {
    const conf = confOf(response, 'broker-0-0');
    return conf.fetchControllerAddrByDnsLookup === 'true' ? `lookup ${conf.controllerAddr}` : conf.controllerAddr;
  };

  it('has the brokers look up every pod of the Controller spec.controllerRef names, through its headless Service', () => {
    const response = syncBroker(broker({ ...spec, controllerRef: 'b' }), { related: [nameService(), controller('a'), controller('b')] });
    expect(addrOf(response)).toBe('lookup b-svc-headless.default.svc:9878');
    expect(response.status.conditions!.find((c) => c.type === 'Ready')!.reason).toBe('BrokersNotReady');
  });

  it('renders every broker for a named Controller that does not exist yet, and says so in Ready', () => {
    const response = syncBroker(broker({ ...spec, controllerRef: 'later', replicaPerGroup: 2 }));
    expect(statefulSetNames(response).sort()).toEqual(['broker-0-0', 'broker-0-1', 'broker-0-2']);
    expect(addrOf(response)).toBe('lookup later-svc-headless.default.svc:9878');
    const ready = response.status.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'ControllerNotFound' });
    expect(ready.message).toMatch(/Controller "later" \(spec\.controllerRef\) does not exist in namespace default/);
  });

  it('uses the only Controller in the namespace', () => {
    expect(addrOf(syncBroker(broker(spec), { related: [nameService(), controller('ctl')] }))).toBe(
      'lookup ctl-svc-headless.default.svc:9878',
    );
  });

  it('refuses to choose among several Controllers (424 naming spec.controllerRef)', () => {
    const run = () => syncBroker(broker(spec), { related: [nameService(), controller('a'), controller('b')] });
    expect(run).toThrow(/cannot choose among the Controllers a, b in namespace default: set spec\.controllerRef/);
  });

  it("uses the controllers inside the brokers' NameService when the namespace has no Controller", () => {
    const withController = customResource('NameService', 'ns', { size: 3, controller: { enabled: true } }, 'default');
    const addresses = [0, 1, 2].map((i) => `ns-${i}.ns.default.svc:9878`).join(';');
    expect(addrOf(syncBroker(broker(spec), { related: [withController] }))).toBe(addresses);
  });

  it('says what to create when there are no controllers anywhere', () => {
    expect(() => syncBroker(broker(spec))).toThrow(
      /finds no controllers: create a Controller in namespace default, set spec\.controller\.enabled: true on NameService name-service, or set spec\.controllerRef or spec\.controllerAddr/,
    );
  });

  it('asks the customize hook for the Controllers it may use, and for none with an explicit list', () => {
    const rules = (s: Record<string, unknown>) => hooks.customize(broker(s)).filter((r: any) => r.resource === 'controllers');
    expect(rules({ ...spec, controllerRef: 'c' })).toEqual([
      { apiVersion: 'rocketmq.apache.org/v1alpha1', resource: 'controllers', namespace: 'default', names: ['c'] },
    ]);
    expect(rules(spec)).toEqual([
      { apiVersion: 'rocketmq.apache.org/v1alpha1', resource: 'controllers', namespace: 'default', labelSelector: {} },
    ]);
    expect(rules(controllerMode)).toEqual([]);
    expect(rules({})).toEqual([]);
  });
});

describe("the original operator's CONTROLLER-mode Broker", () => {
  const response = () => hooks.sync(fixtureRequest('original-operator/broker-controller-mode.yaml', 'Broker'), FIXED_NOW);

  it('keeps its StatefulSet names and HostPath directories', () => {
    expect(statefulSetNames(response())).toEqual(['broker-0-1', 'broker-0-0']);
    expect(brokerContainer(response(), 'broker-0-0').volumeMounts).toEqual([
      { name: 'broker-storage', mountPath: '/root/logs', subPath: 'logs/broker-0-master' },
      { name: 'broker-storage', mountPath: '/root/store', subPath: 'store/broker-0-master' },
      { name: 'rocketmq-broker-conf', mountPath: '/root/rocketmq/broker/conf/broker-common.conf', subPath: 'broker-0-0.conf' },
    ]);
    expect(child(response(), 'StatefulSet', 'broker-0-1').spec.template.spec.volumes).toContainEqual({
      name: 'broker-storage',
      hostPath: { path: '/data/rocketmq/broker' },
    });
  });

  it('reaches the Controller of its example, and drops the brokerRole its broker-common.conf sets', () => {
    const conf = confOf(response(), 'broker-0-1');
    expect(conf).toMatchObject({
      enableControllerMode: 'true',
      controllerAddr: 'controller-svc-headless.default.svc:9878',
      fetchControllerAddrByDnsLookup: 'true',
      brokerRole: 'SLAVE',
    });
    expect(conf.deleteWhen).toBe('04');
  });
});
