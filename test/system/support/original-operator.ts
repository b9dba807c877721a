// What apache/rocketmq-operator leaves in a namespace for the example cluster, built from its
// documented facts: its Deployment (selector name=rocketmq-operator); the NameService StatefulSet
// with no serviceName and pods labelled app=name_service; one StatefulSet of one pod per broker
// (<cr>-<g>-master, <cr>-<g>-replica-<r>) sharing the selector app=broker,broker_cr=<cr>, given the
// name servers' pod IPs; the console Deployment named after the Console with the user's selector.
import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';

const claim = (name: string, storage: string) => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
});

function statefulSet(name: string, labels: Record<string, string>, container: object, claimName: string, storage: string): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [container as never] } },
      volumeClaimTemplates: [claim(claimName, storage)],
    },
  };
}

export function originalOperator(): V1Deployment {
  const labels = { name: 'rocketmq-operator' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'rocketmq-operator' },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'manager', image: 'apache/rocketmq-operator:latest', command: ['/manager'] }] },
      },
    },
  };
}

export function originalNameServers(size: number): V1StatefulSet {
  const sts = statefulSet(
    'name-service',
    { app: 'name_service', name_service_cr: 'name-service' },
    {
      name: 'name-service',
      image: 'apache/rocketmq:5.3.1',
      ports: [{ name: 'main', containerPort: 9876 }],
      volumeMounts: [{ name: 'namesrv-storage', mountPath: '/root/logs', subPath: 'logs' }],
    },
    'namesrv-storage',
    '1Gi',
  );
  return { ...sts, spec: { ...sts.spec!, replicas: size } };
}

export function originalBrokers(groups: number, replicas: number, nameServerIps: string[]): V1StatefulSet[] {
  const members = Array.from({ length: groups }, (_, g) =>
    Array.from({ length: replicas + 1 }, (_, r) => ({ g, r, name: r === 0 ? `broker-${g}-master` : `broker-${g}-replica-${r}` })),
  ).flat();
  return members.map(({ g, r, name }) => {
    const sts = statefulSet(
      name,
      { app: 'broker', broker_cr: 'broker' },
      {
        name: 'broker',
        image: 'apache/rocketmq:5.3.1',
        env: [
          { name: 'NAMESRV_ADDR', value: nameServerIps.map((ip) => `${ip}:9876`).join(';') + ';' },
          { name: 'BROKER_ID', value: String(r) },
          { name: 'BROKER_CLUSTER_NAME', value: 'broker' },
          { name: 'BROKER_NAME', value: `broker-${g}` },
        ],
        volumeMounts: [{ name: 'broker-storage', mountPath: '/root/store', subPath: `store/${name}` }],
      },
      'broker-storage',
      '8Gi',
    );
    return sts;
  });
}

export function originalConsole(nameServerIps: string[]): V1Deployment {
  const labels = { app: 'rocketmq-dashboard' };
  const javaOpts = `-Drocketmq.namesrv.addr=${nameServerIps.map((ip) => `${ip}:9876`).join(';')}; -Dcom.rocketmq.sendMessageWithVIPChannel=false`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'console' },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'dashboard', image: 'apacherocketmq/rocketmq-dashboard:1.0.0', env: [{ name: 'JAVA_OPTS', value: javaOpts }] },
          ],
        },
      },
    },
  };
}
