// Topics and subscription groups reach new broker groups through a runner Job that copies them from
// the spec.scalePodName broker once the new masters are Ready; the Job never touches a running pod,
// so nothing is overwritten when a broker restarts later.
import type { KubeObject, ObservedObjects } from '../core/metacontroller.js';
import { commonLabels } from '../k8s/labels.js';
import type { BrokerSpec, BrokerStatus } from '../schema/types.js';
import type { BrokerMember } from './members.js';
import { isStatefulSetReady } from '../k8s/readiness.js';
import { observedStatefulSet } from './rollout.js';

export type MetadataCopy = NonNullable<NonNullable<BrokerStatus['groups']>[number]['metadataCopy']>;

export const COPY_JOB_LABEL = 'rocketmq.apache.org/metadata-copy';
const TARGET_GROUPS_ANNOTATION = 'rocketmq.apache.org/target-groups';
/** Waits between failed attempts: 30 s, doubling, at most 10 min. */
const backoffSeconds = (attempts: number) => Math.min(30 * 2 ** (attempts - 1), 600);

export interface CopyInput {
  name: string;
  namespace: string;
  spec: BrokerSpec;
  members: BrokerMember[];
  observed: ObservedObjects;
  previous?: BrokerStatus;
  nameServers: string;
  runnerImage: string;
  now: Date;
}

export interface CopyPlan {
  /** Copy state per group that needs or needed one. */
  copies: Map<number, MetadataCopy>;
  jobs: KubeObject[];
  resyncAfterSeconds?: number;
}

interface JobView {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: { succeeded?: number; conditions?: { type: string; status: string; message?: string; lastTransitionTime?: string }[] };
}

export const copyJobName = (name: string, attempt: number) => `${name}-copy-metadata-${attempt}`;

/**
 * Groups at or beyond the size the cluster had been brought to need a copy; a recorded copy state is
 * carried until it is Done. A first start copies nothing: there is nothing to copy yet.
 */
function copiesToCarry(members: BrokerMember[], previous: BrokerStatus | undefined): Map<number, MetadataCopy> {
  const copies = new Map<number, MetadataCopy>();
  const broughtTo = previous?.size ?? 0;
  for (const group of new Set(members.map((m) => m.group))) {
    const recorded = previous?.groups?.find((g) => g.group === group)?.metadataCopy;
    if (recorded) copies.set(group, recorded);
    else if (broughtTo > 0 && group >= broughtTo) copies.set(group, { phase: 'Pending', message: 'waiting for the group to be Ready', attempts: 0 });
  }
  return copies;
}

function renderCopyJob(input: CopyInput, attempt: number, source: BrokerMember, targets: BrokerMember[]): KubeObject {
  const { name, namespace, nameServers, runnerImage } = input;
  const labels = { ...commonLabels('broker', name), [COPY_JOB_LABEL]: name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: copyJobName(name, attempt), namespace, labels, annotations: { [TARGET_GROUPS_ANNOTATION]: targets.map((t) => t.group).join(',') } },
    spec: {
      // The runner retries each request itself; a failed Job is followed by a new attempt with backoff.
      backoffLimit: 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'copy-metadata',
              image: runnerImage,
              command: ['node', 'dist/hooks/runner/main.js'],
              args: ['copy-metadata', '--namesrv', nameServers, '--source-broker', source.brokerName, '--target-broker', targets.map((t) => t.brokerName).join(',')],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

function jobOutcome(job: KubeObject | undefined): { done: boolean; failed?: { message: string; since: number } } {
  const view = job as JobView | undefined;
  if ((view?.status?.succeeded ?? 0) > 0) return { done: true };
  const failed = view?.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return { done: false };
  return { done: false, failed: { message: failed.message ?? 'the copy Job failed', since: Date.parse(failed.lastTransitionTime ?? '') || 0 } };
}

export function planMetadataCopy(input: CopyInput): CopyPlan {
  const { name, spec, members, observed, now } = input;
  const copies = copiesToCarry(members, input.previous);
  const waiting = [...copies].filter(([, c]) => c.phase !== 'Done').map(([group]) => group);
  if (waiting.length === 0) return { copies, jobs: [] };

  const set = (phase: MetadataCopy['phase'], message: string, attempts: number) => waiting.forEach((g) => copies.set(g, { phase, message, attempts }));
  const attempts = Math.max(...waiting.map((g) => copies.get(g)!.attempts ?? 0));
  const scalePod = spec.scalePodName ?? `${name}-0-master-0`;
  const source = members.find((m) => m.pod === scalePod);
  if (!source) {
    set('Failed', `spec.scalePodName "${scalePod}" is not a broker pod of this Broker: set it to one of ${members.filter((m) => !waiting.includes(m.group)).map((m) => m.pod).join(', ')}`, attempts);
    return { copies, jobs: [] };
  }
  const targets = members.filter((m) => m.brokerId === 0 && waiting.includes(m.group));

  if (attempts === 0) {
    const notReady = [source, ...targets].filter((m) => !isStatefulSetReady(observedStatefulSet(observed, m)));
    if (notReady.length > 0) {
      set('Pending', `waiting for ${notReady.map((m) => m.pod).join(', ')} to be Ready`, 0);
      return { copies, jobs: [] };
    }
    set('Running', `copying topics and subscription groups from ${source.brokerName} (Job ${copyJobName(name, 1)})`, 1);
    return { copies, jobs: [renderCopyJob(input, 1, source, targets)] };
  }

  const jobName = copyJobName(name, attempts);
  const job = observed.get('Job', 'batch/v1', jobName);
  const outcome = jobOutcome(job);
  if (outcome.done) {
    const covered = ((job as JobView).metadata.annotations?.[TARGET_GROUPS_ANNOTATION] ?? '').split(',').map(Number);
    for (const group of covered) copies.set(group, { phase: 'Done', message: `topics and subscription groups copied from ${source.brokerName} by Job ${jobName}`, attempts });
    // Groups added while the Job ran get a copy of their own.
    const rest = waiting.filter((g) => !covered.includes(g));
    return { copies, jobs: [], ...(rest.length > 0 ? { resyncAfterSeconds: 1 } : {}) };
  }
  if (outcome.failed) {
    const retryAt = outcome.failed.since + backoffSeconds(attempts) * 1000;
    if (now.getTime() < retryAt) {
      const wait = Math.ceil((retryAt - now.getTime()) / 1000);
      set('Failed', `Job ${jobName} failed: ${outcome.failed.message}; attempt ${attempts + 1} in ${backoffSeconds(attempts)} s`, attempts);
      // The failed Job stays until the next attempt, so its pod logs can be read.
      return { copies, jobs: [renderCopyJob(input, attempts, source, targets)], resyncAfterSeconds: wait };
    }
    set('Running', `copying topics and subscription groups from ${source.brokerName} (Job ${copyJobName(name, attempts + 1)}, after: ${outcome.failed.message})`, attempts + 1);
    return { copies, jobs: [renderCopyJob(input, attempts + 1, source, targets)] };
  }
  set('Running', `copying topics and subscription groups from ${source.brokerName} (Job ${jobName})`, attempts);
  return { copies, jobs: [renderCopyJob(input, attempts, source, targets)] };
}
