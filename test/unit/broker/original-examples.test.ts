import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../hooks/core/metacontroller.js';
import { packageRoot } from '../../../hooks/schema/crds.js';
import { brokerContainer, child, envOf, FIXED_NOW, fixtureRequest, hooks, statefulSetNames } from './support.js';

const readmeCluster = () => hooks.sync(fixtureRequest('original-operator/broker-nfs.yaml', 'Broker'), FIXED_NOW);
const hostPathCluster = () => hooks.sync(fixtureRequest('original-operator/broker-hostpath.yaml', 'Broker'), FIXED_NOW);

function originalStatefulSet(): KubeObject {
  return parse(readFileSync(join(packageRoot(), 'test/fixtures/original-operator/broker-0-master-statefulset.yaml'), 'utf8'));
}

describe("the original operator's README examples", () => {
  it('yield the original StatefulSet, pod and claim names', () => {
    const response = readmeCluster();
    expect(statefulSetNames(response)).toEqual(['broker-0-replica-1', 'broker-0-master', 'broker-1-replica-1', 'broker-1-master']);
    for (const name of statefulSetNames(response)) {
      const sts = child(response, 'StatefulSet', name);
      expect(sts.spec.replicas).toBe(1);
      const pod = `${name}-0`;
      const claim = `${sts.spec.volumeClaimTemplates[0].metadata.name}-${pod}`;
      expect(claim).toBe(`broker-storage-${name}-0`);
    }
    expect(response.status.nodes).toEqual([]);
  });

  it('treat storageMode NFS as StorageClass and keep the claim template', () => {
    const sts = child(readmeCluster(), 'StatefulSet', 'broker-0-master');
    expect(sts.spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'broker-storage' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'rocketmq-storage',
          resources: { requests: { storage: '8Gi' } },
          volumeMode: 'Filesystem',
        },
        // As the API server stores it, so the StatefulSet is not written again after its creation.
        status: { phase: 'Pending' },
      },
    ]);
    expect(sts.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['broker-config', 'rocketmq-broker-conf']);
  });

  it('mount data and configuration where the original images read them, and let their start script run', () => {
    const container = brokerContainer(readmeCluster(), 'broker-0-replica-1');
    expect(container.command).toEqual([
      '/bin/bash',
      '-c',
      'export NAMESRV_ADDR="${NAMESRV_LIST:-$NAMESRV_ADDR}" && exec /bin/bash ./brokerStart.sh',
    ]);
    expect(container.volumeMounts).toEqual([
      { name: 'broker-storage', mountPath: '/root/logs', subPath: 'logs/broker-0-replica-1' },
      { name: 'broker-storage', mountPath: '/root/store', subPath: 'store/broker-0-replica-1' },
      { name: 'rocketmq-broker-conf', mountPath: '/root/rocketmq/broker/conf/broker-common.conf', subPath: 'broker-0-replica-1.conf' },
    ]);
    expect(container.ports.map((p: any) => [p.name, p.containerPort])).toEqual([
      ['vip', 10909],
      ['main', 10911],
      ['ha', 10912],
    ]);
  });

  it('keep the env contract of the original images, with the README BROKER_MEM instead of a derived heap', () => {
    const env = envOf(brokerContainer(readmeCluster(), 'broker-1-replica-1'));
    expect(Object.keys(env)).toEqual(['NAMESRV_LIST', 'BROKER_ID', 'BROKER_CLUSTER_NAME', 'BROKER_NAME', 'POD_IP', 'BROKER_MEM']);
    expect(env).toMatchObject({
      NAMESRV_LIST: { configMapKeyRef: { name: 'broker-broker-conf', key: 'namesrvAddr' } },
      BROKER_ID: '1',
      BROKER_CLUSTER_NAME: 'broker',
      BROKER_NAME: 'broker-1',
      POD_IP: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } },
      BROKER_MEM: { configMapKeyRef: { name: 'broker-config', key: 'BROKER_MEM' } },
    });
  });

  it('generate broker.conf from the README ConfigMap with replicationMode as the master role', () => {
    const data = child(readmeCluster(), 'ConfigMap').data;
    expect(data['broker-0-master.conf']).toContain('flushDiskType=ASYNC_FLUSH\n');
    expect(data['broker-0-master.conf']).toMatch(
      /brokerClusterName=broker\nbrokerName=broker-0\nbrokerId=0\nbrokerRole=ASYNC_MASTER\nstorePathRootDir=\/root\/store\n$/,
    );
    expect(data['broker-1-replica-1.conf']).toMatch(/brokerName=broker-1\nbrokerId=1\nbrokerRole=SLAVE\n/);
  });

  it('keep HostPath data under <hostPath>/store/<statefulset> and use the given name-server list', () => {
    const response = hostPathCluster();
    expect(statefulSetNames(response)).toEqual(['broker-0-replica-1', 'broker-0-replica-2', 'broker-0-master']);
    const sts = child(response, 'StatefulSet', 'broker-0-replica-2');
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'broker-storage', hostPath: { path: '/data/rocketmq/broker' } });
    expect(sts.spec.template.spec.containers[0].volumeMounts[1]).toEqual({
      name: 'broker-storage',
      mountPath: '/root/store',
      subPath: 'store/broker-0-replica-2',
    });
    expect(child(response, 'ConfigMap').data.namesrvAddr).toBe('192.168.130.33:9876');
    // RocketMQ 4.5 brokers read namesrvAddr only when they start: the list is in their template, so a new one restarts them.
    expect(sts.spec.template.metadata.annotations['rocketmq.apache.org/name-servers']).toBe('192.168.130.33:9876');
    expect(child(response, 'ConfigMap').data['broker-0-master.conf']).toContain('brokerRole=SYNC_MASTER\n');
  });

  it('adopt StatefulSets the original operator created, keeping their selector and claim templates exactly as stored', () => {
    const request = fixtureRequest('original-operator/broker-nfs.yaml', 'Broker');
    const original = originalStatefulSet();
    const response = hooks.sync({ ...request, children: { 'StatefulSet.apps/v1': { 'default/broker-0-master': original } } }, FIXED_NOW);
    const sts = child(response, 'StatefulSet', 'broker-0-master');
    expect(sts.spec.selector).toEqual({ matchLabels: { app: 'broker', broker_cr: 'broker' } });
    expect(sts.spec.serviceName).toBeUndefined();
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('broker-storage');
    // As stored, less the null the API server prints for the template's creationTimestamp.
    const [stored] = (original.spec as any).volumeClaimTemplates;
    expect(sts.spec.volumeClaimTemplates).toEqual([{ ...stored, metadata: { name: 'broker-storage' } }]);
    expect(sts.spec.template.metadata.labels).toMatchObject(sts.spec.selector.matchLabels);
  });
});
