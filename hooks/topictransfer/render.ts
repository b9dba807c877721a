import type { V1Job } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
import type { KubeObject } from '../core/metacontroller.js';
import type { TopicTransferCommand } from '../jobs/runner-command.js';
import { renderRunnerJob, type RunnerJob } from '../jobs/runner-job.js';
import { commonLabels } from '../k8s/labels.js';
import { credentialEnv } from '../rocketmq-pods/acl.js';
import type { TopicTransferSpec } from '../schema/types.js';

export type TransferTask = TopicTransferCommand['task'];

export interface TransferParent {
  name: string;
  namespace: string;
  spec: TopicTransferSpec;
  /** The admin Secret of the namespace's Brokers with spec.acl, if any. */
  adminSecret?: string;
}

export const runnerIdentity = (name: string) => `${name}-transfer`;
export const runnerJobName = (name: string, task: TransferTask) => `${name}-${task}`;

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
 * The runner Job of a transfer or of its rollback. Once the Job exists it keeps its template (the
 * name servers may move meanwhile; the runner reads the TopicTransfer for the rest) and only
 * `suspend`, which stops its pods, follows the desired state.
 */
export function renderTransferJob(
  parent: TransferParent,
  task: TransferTask,
  nameServers: string,
  runnerImage: string,
  options: { suspend: boolean; observed?: V1Job },
): RunnerJob {
  const { name, namespace, spec, adminSecret } = parent;
  return renderRunnerJob({
    name: runnerJobName(name, task),
    namespace,
    labels: merged(labels(name), { 'rocketmq.apache.org/runner': task }),
    image: spec.image ?? runnerImage,
    command: {
      task,
      name,
      namespace,
      nameServers,
      topic: spec.topic,
      source: spec.sourceCluster,
      target: spec.targetCluster,
      consumeTimeoutSeconds: spec.consumeTimeoutSeconds,
    },
    env: adminSecret === undefined ? undefined : credentialEnv(adminSecret),
    serviceAccountName: runnerIdentity(name),
    // A killed runner resumes from the recorded state in a new pod.
    backoffLimit: 6,
    suspend: options.suspend,
    observed: options.observed,
  });
}
