import type { KubeObject } from '../core/metacontroller.js';
import type { TopicTransferSpec } from '../schema/types.js';
import { commonLabels } from '../k8s/labels.js';
import { prune } from '../k8s/prune.js';

export type RunnerMode = 'transfer' | 'rollback';

export interface TransferParent {
  name: string;
  namespace: string;
  spec: TopicTransferSpec;
}

export const runnerIdentity = (name: string) => `${name}-transfer`;
export const runnerJobName = (name: string, mode: RunnerMode) => `${name}-${mode}`;

function labels(name: string): Record<string, string> {
  return commonLabels('topictransfer', name);
}

/** The runner's identity may read and annotate this one TopicTransfer, and nothing else. */
export function renderRunnerAccess({ name, namespace }: TransferParent): KubeObject[] {
  const identity = runnerIdentity(name);
  const metadata = { name: identity, namespace, labels: labels(name) };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: ['rocketmq.apache.org'], resources: ['topictransfers'], resourceNames: [name], verbs: ['get', 'patch'] }],
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

/**
 * The runner Job. A Job's pod template cannot change, so once a Job exists its observed template is
 * kept (the name servers may move meanwhile; the runner reads the TopicTransfer for the rest) and
 * only `suspend`, which stops its pods, follows the desired state.
 */
export function renderRunnerJob(
  parent: TransferParent,
  mode: RunnerMode,
  nameServers: string,
  runnerImage: string,
  options: { suspend: boolean; observed?: KubeObject },
): KubeObject {
  const { name, namespace, spec } = parent;
  const jobLabels = { ...labels(name), 'rocketmq.apache.org/runner': mode };
  const args = [
    'topic-transfer',
    `--mode=${mode}`,
    `--name=${name}`,
    `--namespace=${namespace}`,
    `--namesrv=${nameServers}`,
    `--topic=${spec.topic}`,
    `--source=${spec.sourceCluster}`,
    `--target=${spec.targetCluster}`,
    `--consume-timeout-seconds=${spec.consumeTimeoutSeconds}`,
  ];
  const template = {
    metadata: { labels: jobLabels },
    spec: {
      serviceAccountName: runnerIdentity(name),
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'runner',
          image: spec.image ?? runnerImage,
          command: ['node', 'dist/hooks/runner/main.js'],
          args,
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
  const observedSpec = options.observed?.spec as { template?: unknown; backoffLimit?: number } | undefined;
  return prune({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: runnerJobName(name, mode), namespace, labels: jobLabels },
    spec: {
      // A killed runner resumes from the recorded state in a new pod.
      backoffLimit: observedSpec?.backoffLimit ?? 6,
      suspend: options.suspend || undefined,
      template: observedSpec?.template ?? template,
    },
  });
}
