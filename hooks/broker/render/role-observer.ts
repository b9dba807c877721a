// The role observer of a Broker in a failover mode: one small runner pod that writes each broker
// pod's role as RocketMQ reports it onto the pod (see hooks/runner/roles). Its identity may read
// the namespace's pods and patch this Broker's broker pods, nothing else.
import { merged } from '../../core/merged.js';
import type { KubeObject } from '../../core/metacontroller.js';
import { runnerPodSpec } from '../../jobs/runner-job.js';
import { commonLabels } from '../../k8s/labels.js';
import { prune } from '../../k8s/prune.js';
import { credentialEnv } from '../../rocketmq-pods/acl.js';
import type { BrokerMember } from '../members.js';
import { brokerConfigMapName, brokerPodSelector, NAMESRV_ADDR_KEY } from '../names.js';

export const roleObserverName = (name: string) => `${name}-roles`;

/** A round every 5 s: with Metacontroller's sync on the pod change, status names a new master well within 30 s. */
export const OBSERVE_INTERVAL_MS = 5000;
/** Measured: about 110 MiB resident (Node.js and the Kubernetes client), well under 0.01 CPU between rounds. */
export const ROLE_OBSERVER_RESOURCES = { requests: { cpu: '10m', memory: '128Mi' }, limits: { memory: '256Mi' } };

const NAMESRV_DIR = '/etc/rocketmq-roles';
const NAMESRV_VOLUME = 'name-servers';

export interface RoleObserverInput {
  name: string;
  namespace: string;
  clusterName: string;
  members: BrokerMember[];
  runnerImage: string;
  adminSecret?: string;
}

function selectorText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** ServiceAccount, Role and RoleBinding of the observer. */
export function renderRoleObserverAccess({ name, namespace, members }: RoleObserverInput): KubeObject[] {
  const identity = roleObserverName(name);
  const metadata = { name: identity, namespace, labels: commonLabels('broker', name) };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        // Only this Broker's broker pods are written to.
        { apiGroups: [''], resources: ['pods'], resourceNames: members.map((m) => m.pod), verbs: ['patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: identity },
      subjects: [{ kind: 'ServiceAccount', name: identity, namespace }],
    },
  ];
}

export function renderRoleObserverDeployment(input: RoleObserverInput): KubeObject {
  const { name, namespace, clusterName, runnerImage, adminSecret } = input;
  const selector = merged(commonLabels('broker', name), { 'rocketmq.apache.org/runner': 'observe-roles' });
  return prune({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: roleObserverName(name), namespace, labels: commonLabels('broker', name) },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      // Two observers at once would only write the same annotations; Recreate keeps it to one.
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: selector },
        spec: runnerPodSpec({
          image: runnerImage,
          command: {
            task: 'observe-roles',
            namespace,
            podSelector: selectorText(brokerPodSelector(name)),
            clusterName,
            nameServersFile: `${NAMESRV_DIR}/${NAMESRV_ADDR_KEY}`,
            intervalMs: OBSERVE_INTERVAL_MS,
          },
          env: adminSecret === undefined ? undefined : credentialEnv(adminSecret),
          serviceAccountName: roleObserverName(name),
          restartPolicy: 'Always',
          resources: ROLE_OBSERVER_RESOURCES,
          // A mounted ConfigMap (not subPath) follows changes of the list while the observer runs.
          volumes: [
            {
              name: NAMESRV_VOLUME,
              configMap: { name: brokerConfigMapName(name), items: [{ key: NAMESRV_ADDR_KEY, path: NAMESRV_ADDR_KEY }] },
            },
          ],
          volumeMounts: [{ name: NAMESRV_VOLUME, mountPath: NAMESRV_DIR, readOnly: true }],
        }),
      },
    },
  });
}
