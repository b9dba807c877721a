import { broker, brokerCommonConfigMap, brokerContainer, child, children, envOf, nameService, syncBroker } from './support.js';
import { hookFailure } from '../../support/hook-requests.js';

const related = (conf: string) => [nameService(), brokerCommonConfigMap(conf)];
const withConfigVolume = { volumes: [{ name: 'broker-config', configMap: { name: 'broker-config' } }] };

describe('Broker rendering', () => {
  it('renders a headless Service that gives every broker pod stable DNS, Ready or not', () => {
    const response = syncBroker(broker({ size: 1, replicaPerGroup: 1 }));
    const service = child(response, 'Service');
    expect(service.metadata.name).toBe('broker-brokers');
    expect(service.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { app: 'broker', broker_cr: 'broker' },
    });
    for (const sts of children(response, 'StatefulSet')) {
      expect(sts.spec.serviceName).toBe('broker-brokers');
      expect(sts.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    }
  });

  it('gives each StatefulSet a selector of its own and the group a shared broker-name label', () => {
    const response = syncBroker(broker({ size: 1, replicaPerGroup: 1 }));
    expect(child(response, 'StatefulSet', 'broker-0-master').spec.selector.matchLabels).toEqual({
      app: 'broker',
      broker_cr: 'broker',
      'rocketmq.apache.org/broker-pod': 'broker-0-master',
    });
    expect(child(response, 'StatefulSet', 'broker-0-replica-1').spec.template.metadata.labels['rocketmq.apache.org/broker-name']).toBe(
      'broker-0',
    );
  });

  it('budgets one unavailable broker pod across the whole cluster', () => {
    expect(child(syncBroker(broker({ size: 3 })), 'PodDisruptionBudget')).toEqual({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: expect.objectContaining({ name: 'broker-brokers' }),
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'broker', broker_cr: 'broker' } } },
    });
  });

  it('lets the operator’s lines (metrics, identity) win over broker-common.conf and properties, and properties over broker-common.conf', () => {
    const conf =
      'brokerClusterName=other\nbrokerName = x\nbrokerId:7\nflushDiskType=SYNC_FLUSH\ndeleteWhen=04\nlistenPort=10911\nstorePathRootDir=/tmp\n';
    const response = syncBroker(
      broker({ ...withConfigVolume, replicaPerGroup: 1, properties: { deleteWhen: '02', fileReservedTime: '72' } }),
      { related: related(conf) },
    );
    const master = child(response, 'ConfigMap').data['broker-0-master.conf'];
    expect(master.split('\n').slice(1)).toEqual([
      'flushDiskType=SYNC_FLUSH',
      'listenPort=10911',
      'deleteWhen=02',
      'fileReservedTime=72',
      'metricsExporterType=PROM',
      'metricsPromExporterHost=0.0.0.0',
      'metricsPromExporterPort=5557',
      'brokerClusterName=broker',
      'brokerName=broker-0',
      'brokerId=0',
      'brokerRole=ASYNC_MASTER',
      'storePathRootDir=/home/rocketmq/store',
      '',
    ]);
  });

  it('takes the masters role from replicationMode, then properties, then broker-common.conf; replicas are SLAVE', () => {
    const conf = (spec: object, common = 'brokerRole=SYNC_MASTER') =>
      child(syncBroker(broker({ ...withConfigVolume, ...spec }), { related: related(common) }), 'ConfigMap').data;
    expect(conf({})['broker-0-master.conf']).toContain('brokerRole=SYNC_MASTER');
    expect(conf({ properties: { brokerRole: 'ASYNC_MASTER' } })['broker-0-master.conf']).toContain('brokerRole=ASYNC_MASTER');
    expect(conf({ replicationMode: 'ASYNC' })['broker-0-master.conf']).toContain('brokerRole=ASYNC_MASTER');
    expect(conf({}, 'flushDiskType=ASYNC_FLUSH')['broker-0-master.conf']).toContain('brokerRole=ASYNC_MASTER');
    expect(conf({ replicationMode: 'SYNC' })['broker-0-replica-1.conf']).toContain('brokerRole=SLAVE');
  });

  it('names the cluster after properties.brokerClusterName when given, as clients know it', () => {
    const response = syncBroker(broker({ replicaPerGroup: 1, properties: { brokerClusterName: 'DefaultCluster' } }));
    const data = child(response, 'ConfigMap').data;
    for (const key of ['broker-0-master.conf', 'broker-0-replica-1.conf']) {
      expect(data[key].match(/^brokerClusterName=.*$/gm)).toEqual(['brokerClusterName=DefaultCluster']);
    }
    expect(envOf(brokerContainer(response, 'broker-0-master')).BROKER_CLUSTER_NAME).toBe('DefaultCluster');
    expect(response.status.clusterName).toBe('DefaultCluster');
    expect(syncBroker(broker({})).status.clusterName).toBe('broker');
  });

  it('refuses a broker-common.conf that makes masters SLAVE', () => {
    const error = hookFailure(() => syncBroker(broker(withConfigVolume), { related: related('brokerRole=SLAVE\n') }));
    expect(error.statusCode).toBe(422);
    expect(error.message).toMatch(/brokerRole=SLAVE.*ASYNC_MASTER or SYNC_MASTER/);
  });

  it('refuses properties that are not one line or that the operator sets', () => {
    const error = hookFailure(() => syncBroker(broker({ properties: { brokerName: 'x', 'bad key': '1', deleteWhen: '04\nbrokerId=3' } })));
    expect(error.statusCode).toBe(422);
    expect(error.details).toEqual([
      'spec.properties.brokerName: is set by the operator for each broker; remove it',
      "spec.properties.bad key: a broker property name holds letters, digits, '.', '_' and '-'",
      'spec.properties.deleteWhen: must be a single line',
    ]);
  });

  it('starts official images with mqbroker -c on a copy of broker.conf that adds the pod IP', () => {
    for (const image of ['apache/rocketmq:4.9.8', 'apache/rocketmq:5.3.1']) {
      const container = brokerContainer(syncBroker(broker({ brokerImage: image })), 'broker-0-master');
      expect(container.command[0]).toBe('sh');
      // The copy goes to the store volume: the root filesystem may be read-only.
      expect(container.command[2]).toContain('echo "brokerIP1=${POD_IP}" >> /home/rocketmq/store/broker.conf');
      // The operator's list (NAMESRV_LIST, from the ConfigMap) is what the broker gets, unless the user set NAMESRV_ADDR.
      expect(container.command[2]).toMatch(/^export NAMESRV_ADDR="\$\{NAMESRV_LIST:-\$NAMESRV_ADDR\}" && /);
      expect(container.command[2]).toMatch(
        /exec sh "\$ROCKETMQ_HOME\/bin\/mqbroker" -n "\$NAMESRV_ADDR" -c \/home\/rocketmq\/store\/broker.conf$/,
      );
      expect(container.lifecycle.preStop.exec.command[2]).toContain('[ "$(cat "$p/comm" 2>/dev/null)" = java ]');
      expect(container.volumeMounts).toEqual([
        { name: 'broker-storage', mountPath: '/home/rocketmq/logs', subPath: 'logs/broker-0-master' },
        { name: 'broker-storage', mountPath: '/home/rocketmq/store', subPath: 'store/broker-0-master' },
        { name: 'rocketmq-broker-conf', mountPath: '/etc/rocketmq/broker.conf', subPath: 'broker-0-master.conf' },
      ]);
    }
  });

  it("tells the original operator's images by their last path component under any registry, or by imageFlavor", () => {
    const layout = (spec: Record<string, unknown>) => {
      const container = brokerContainer(syncBroker(broker(spec)), 'broker-0-master');
      const start = container.command[2].endsWith('exec /bin/bash ./brokerStart.sh') ? 'brokerStart.sh' : 'mqbroker';
      return { start, mem: Object.keys(envOf(container)).includes('BROKER_MEM') };
    };
    const original = { start: 'brokerStart.sh', mem: true };
    const official = { start: 'mqbroker', mem: false };
    for (const image of [
      'apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0',
      'docker.io/library/rocketmq-broker:4.5.0-alpine',
      'registry.example.com:5000/team/rocketmq-broker@sha256:0123',
      'rocketmq-broker',
    ]) {
      expect({ image, layout: layout({ brokerImage: image, resources: { limits: { memory: '2Gi' } } }) }).toEqual({
        image,
        layout: original,
      });
    }
    for (const image of ['apache/rocketmq:5.3.1', 'example.com/rocketmq-broker-custom:1', 'example.com/my-rocketmq-broker:1']) {
      expect({ image, layout: layout({ brokerImage: image, resources: { limits: { memory: '2Gi' } } }) }).toEqual({
        image,
        layout: official,
      });
    }
    const memory = { resources: { limits: { memory: '2Gi' } } };
    expect(layout({ brokerImage: 'example.com/mq:4.9', imageFlavor: 'OriginalOperator', ...memory })).toEqual(original);
    expect(layout({ brokerImage: 'example.com/rocketmq-broker:5.3.1', imageFlavor: 'Official', ...memory })).toEqual(official);
  });

  it('derives the heap from the memory limit in the variable each image family reads', () => {
    const env = (image: string, memory: string) =>
      envOf(brokerContainer(syncBroker(broker({ brokerImage: image, resources: { limits: { memory } } })), 'broker-0-master'));
    expect(env('apache/rocketmq:5.3.1', '4Gi').JAVA_OPT_EXT).toBe('-Xms2048m -Xmx2048m -Xmn1024m -XX:MaxDirectMemorySize=1024m');
    expect(env('apache/rocketmq:5.3.1', '32Gi').JAVA_OPT_EXT).toBe('-Xms8192m -Xmx8192m -Xmn4096m -XX:MaxDirectMemorySize=8192m');
    expect(env('apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0', '3G')).toMatchObject({
      BROKER_MEM: '-Xms1430m -Xmx1430m -Xmn715m',
    });
    expect(env('apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0', '3G').JAVA_OPT_EXT).toBeUndefined();
    expect(envOf(brokerContainer(syncBroker(broker({})), 'broker-0-master')).JAVA_OPT_EXT).toBeUndefined();
  });

  it('puts the user’s JAVA_OPT_EXT after the operator’s sizing, and lets user env replace the operator’s', () => {
    const container = brokerContainer(
      syncBroker(
        broker({
          resources: { limits: { memory: '4Gi' } },
          env: [
            { name: 'JAVA_OPT_EXT', value: '-Xmx1g' },
            { name: 'NAMESRV_ADDR', value: 'ns:9876' },
          ],
        }),
      ),
      'broker-0-master',
    );
    expect(container.env.map((e: any) => e.name)).toEqual([
      'BROKER_ID',
      'BROKER_CLUSTER_NAME',
      'BROKER_NAME',
      'POD_IP',
      'JAVA_OPT_EXT',
      'NAMESRV_ADDR',
    ]);
    expect(envOf(container)).toMatchObject({
      JAVA_OPT_EXT: '-Xms2048m -Xmx2048m -Xmn1024m -XX:MaxDirectMemorySize=1024m -Xmx1g',
      NAMESRV_ADDR: 'ns:9876',
    });
  });

  it('canonicalises quantities and probes readiness on port 10911', () => {
    const container = brokerContainer(syncBroker(broker({ resources: { requests: { memory: '2048Mi', cpu: '0.5' } } })), 'broker-0-master');
    expect(container.resources).toEqual({ requests: { memory: '2Gi', cpu: '500m' } });
    expect(container.readinessProbe).toMatchObject({ tcpSocket: { port: 10911 } });
    expect(hookFailure(() => syncBroker(broker({ resources: { limits: { memory: 'lots' } } }))).statusCode).toBe(422);
  });

  it('spreads a group over nodes unless the user gives affinity', () => {
    const pod = (spec: Record<string, unknown>) => child(syncBroker(broker(spec)), 'StatefulSet', 'broker-1-replica-1').spec.template.spec;
    expect(pod({ size: 2 }).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 100,
        podAffinityTerm: {
          labelSelector: { matchLabels: { app: 'broker', broker_cr: 'broker', 'rocketmq.apache.org/broker-name': 'broker-1' } },
          topologyKey: 'kubernetes.io/hostname',
        },
      },
    ]);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'mq', operator: 'Exists' }] }] },
      },
    };
    expect(pod({ size: 2, affinity }).affinity).toEqual(affinity);
  });

  it('uses the host network with ClusterFirstWithHostNet DNS when asked', () => {
    const pod = child(syncBroker(broker({ hostNetwork: true })), 'StatefulSet', 'broker-0-master').spec.template.spec;
    expect(pod).toMatchObject({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' });
  });

  it('refuses a user volume named like the data or configuration volume', () => {
    const error = hookFailure(() => syncBroker(broker({ volumes: [{ name: 'broker-storage', emptyDir: {} }] })));
    expect(error.statusCode).toBe(422);
    expect(error.message).toMatch(/spec.volumes\[0\].name: "broker-storage" is the operator's data volume/);
  });

  it('refuses names that would make child names invalid, with a 422 naming the field', () => {
    for (const name of ['a'.repeat(42), 'my.broker', '1broker']) {
      const error = hookFailure(() => syncBroker(broker({}, name)));
      expect(error.statusCode).toBe(422);
      expect(error.message).toMatch(/is invalid: metadata\.name /);
    }
    expect(() => syncBroker(broker({}, 'a'.repeat(39)))).not.toThrow();
  });
});
