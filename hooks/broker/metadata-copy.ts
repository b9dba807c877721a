// Topics and subscription groups reach new broker groups through a runner Job that copies them from
// the spec.scalePodName broker once the new masters are Ready; the Job never touches a running pod,
// so nothing is overwritten when a broker restarts later.
//
// Everything the copy must remember lives in observed children, never in status (Metacontroller may
// sync a stale parent and write its older status back): a new group's master StatefulSet carries
// `metadata-copy: pending` from its creation until a copy Job covering it succeeded, then `done`;
// attempts are the copy Jobs themselves, each kept until the next one is observed.
import type { V1Job } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
import type { KubeObject, ObservedObjects } from '../core/metacontroller.js';
import { renderRunnerJob } from '../jobs/runner-job.js';
import { aclSecretOf, credentialEnv } from '../rocketmq-pods/acl.js';
import { commonLabels } from '../k8s/labels.js';
import { isStatefulSetReady, jobOutcome } from '../k8s/readiness.js';
import type { BrokerSpec, BrokerStatus } from '../schema/types.js';
import type { BrokerMember } from './members.js';
import type { GroupRoles } from './roles.js';
import { observedStatefulSet } from './rollout.js';

export type MetadataCopy = NonNullable<NonNullable<BrokerStatus['groups']>[number]['metadataCopy']>;

/** On a group's master StatefulSet: whether the group still needs the cluster's metadata. */
export const COPY_MARK_ANNOTATION = 'rocketmq.apache.org/metadata-copy';
/** Beside a `done` mark: the copy Job that did it, which says how many attempts it took. */
export const COPIED_BY_ANNOTATION = 'rocketmq.apache.org/metadata-copied-by';
export type CopyMark = 'pending' | 'done';

export const COPY_JOB_LABEL = 'rocketmq.apache.org/metadata-copy';
const TARGET_GROUPS_ANNOTATION = 'rocketmq.apache.org/target-groups';
/** Waits between failed attempts: 30 s, doubling, at most 10 min. */
const backoffSeconds = (attempts: number) => Math.min(30 * 2 ** (attempts - 1), 600);

export interface CopyInput {
  name: string;
  namespace: string;
  spec: BrokerSpec;
  members: BrokerMember[];
  /** In a failover mode the copy reads from the master of the source's group as it is now. */
  roles: GroupRoles;
  observed: ObservedObjects;
  nameServers: string;
  runnerImage: string;
  now: Date;
}

export interface CopyPlan {
  /** Copy state per group that needs or needed one. */
  copies: Map<number, MetadataCopy>;
  /** The mark each master StatefulSet carries in this reply, by StatefulSet name. */
  marks: Map<string, CopyMark>;
  /** The Job that copied each `done` master's group, by StatefulSet name. */
  copiedBy: Map<string, string>;
  jobs: KubeObject[];
  resyncAfterSeconds?: number;
}

export const copyJobName = (name: string, attempt: number) => `${name}-copy-metadata-${attempt}`;

/** The attempt a copy Job of this Broker is, from its name; NaN for any other name. */
const copyAttemptOf = (name: string, jobName: string) =>
  jobName.startsWith(`${name}-copy-metadata-`) ? Number(jobName.slice(name.length + 15)) : NaN;

interface CopyJob {
  name: string;
  attempt: number;
  job: V1Job;
  targets: number[];
}

/** The copy Jobs of this Broker that exist, oldest attempt first. */
function observedCopyJobs(name: string, observed: ObservedObjects): CopyJob[] {
  const attemptOf = (jobName: string) => copyAttemptOf(name, jobName);
  return observed
    .list('Job', 'batch/v1')
    .filter((job) => job.metadata.labels?.[COPY_JOB_LABEL] === name && Number.isSafeInteger(attemptOf(job.metadata.name)))
    .map((job) => ({
      name: job.metadata.name,
      attempt: attemptOf(job.metadata.name),
      job,
      targets: (job.metadata.annotations?.[TARGET_GROUPS_ANNOTATION] ?? '').split(',').filter(Boolean).map(Number),
    }))
    .sort((a, b) => a.attempt - b.attempt);
}

/**
 * The mark of each group's master: as observed; for a master not created yet, `pending` when the
 * cluster already serves (some master is Ready), since a group added then starts without the
 * cluster's topics. Masters of a cluster's first start carry no mark: there is nothing to copy.
 */
function observedMarks(members: BrokerMember[], observed: ObservedObjects): Map<string, CopyMark> {
  const masters = members.filter((m) => m.brokerId === 0);
  const serving = masters.some((m) => isStatefulSetReady(observedStatefulSet(observed, m)));
  const marks = new Map<string, CopyMark>();
  for (const master of masters) {
    const statefulSet = observedStatefulSet(observed, master);
    const mark = statefulSet ? statefulSet.metadata.annotations?.[COPY_MARK_ANNOTATION] : serving ? 'pending' : undefined;
    if (mark === 'pending' || mark === 'done') marks.set(master.statefulSet, mark);
  }
  return marks;
}

function copyJob(input: CopyInput, attempt: number, source: BrokerMember, targets: BrokerMember[], observed?: V1Job): KubeObject {
  const { name, namespace, nameServers, runnerImage } = input;
  const adminSecret = aclSecretOf(input.spec.acl);
  return renderRunnerJob({
    name: copyJobName(name, attempt),
    namespace,
    labels: merged(commonLabels('broker', name), { [COPY_JOB_LABEL]: name }),
    annotations: { [TARGET_GROUPS_ANNOTATION]: targets.map((t) => t.group).join(',') },
    image: runnerImage,
    command: {
      task: 'copy-metadata',
      nameServers,
      sourceBroker: source.brokerName,
      targetBrokers: targets.map((t) => t.brokerName),
      targetAddresses: [],
    },
    env: adminSecret === undefined ? undefined : credentialEnv(adminSecret),
    // The runner retries each request itself; a failed Job is followed by a new attempt with backoff.
    backoffLimit: 2,
    observed,
  });
}

/** Keeps an observed Job as it is (a Job's template cannot change). */
const keep = (input: CopyInput, source: BrokerMember, copy: CopyJob) =>
  copyJob(
    input,
    copy.attempt,
    source,
    input.members.filter((m) => m.brokerId === 0 && copy.targets.includes(m.group)),
    copy.job,
  );

export function planMetadataCopy(input: CopyInput): CopyPlan {
  const { name, spec, members, observed, now } = input;
  const marks = observedMarks(members, observed);
  const masterOf = (group: number) => members.find((m) => m.group === group && m.brokerId === 0)!;
  const groupsMarked = (mark: CopyMark) =>
    [...marks].filter(([, m]) => m === mark).map(([sts]) => members.find((m) => m.statefulSet === sts)!.group);
  const copiedBy = new Map<string, string>();
  const copies = new Map<number, MetadataCopy>();
  for (const group of groupsMarked('done')) {
    const statefulSet = masterOf(group).statefulSet;
    const job = observedStatefulSet(observed, masterOf(group))?.metadata.annotations?.[COPIED_BY_ANNOTATION];
    const attempts = job === undefined ? NaN : copyAttemptOf(name, job);
    if (job !== undefined) copiedBy.set(statefulSet, job);
    copies.set(group, {
      phase: 'Done',
      message: job ? `topics and subscription groups copied by Job ${job}` : 'topics and subscription groups copied',
      ...(Number.isSafeInteger(attempts) ? { attempts } : {}),
    });
  }
  const copyJobs = observedCopyJobs(name, observed);
  const plan = (jobs: KubeObject[], resyncAfterSeconds?: number): CopyPlan => ({
    copies,
    marks,
    copiedBy,
    jobs,
    ...(resyncAfterSeconds ? { resyncAfterSeconds } : {}),
  });

  const scalePod = spec.scalePodName ?? `${name}-0-master-0`;
  // Only the group matters (the copy reads from its master, wherever it runs): a pod named as in
  // STATIC mode also names its group where the master is elected, as the original's examples write it.
  const named = members.find((m) => m.pod === scalePod || `${m.dataDir}-0` === scalePod);
  // The Job names the source group, whose master the runner looks up; the hook waits for that master.
  const reported = named && input.roles.mode !== undefined ? input.roles.masters.get(named.group) : named;
  const source = reported ?? named;
  let pending = groupsMarked('pending');
  if (pending.length === 0 && copyJobs.length === 0) return plan([]);
  const set = (groups: number[], copy: MetadataCopy) => groups.forEach((g) => copies.set(g, copy));
  if (!source) {
    const choices = members.filter((m) => !pending.includes(m.group)).map((m) => m.pod);
    set(pending, {
      phase: 'Failed',
      message: `spec.scalePodName "${scalePod}" is not a broker pod of this Broker: set it to one of ${choices.join(', ')}`,
    });
    return plan([]);
  }

  // A succeeded Job marks its groups done; it is kept until those marks are observed, so a sync
  // that still sees the old marks finds the Job rather than starting the copy again.
  const kept: KubeObject[] = [];
  for (const copy of copyJobs.filter((c) => jobOutcome(c.job).state === 'Succeeded')) {
    const covered = copy.targets.filter((g) => pending.includes(g) || marks.get(masterOf(g)?.statefulSet) === 'done');
    for (const group of covered) {
      marks.set(masterOf(group).statefulSet, 'done');
      copiedBy.set(masterOf(group).statefulSet, copy.name);
      copies.set(group, {
        phase: 'Done',
        message: `topics and subscription groups copied from ${source.brokerName} by Job ${copy.name}`,
        attempts: copy.attempt,
      });
    }
    pending = pending.filter((g) => !covered.includes(g));
    const observedDone = copy.targets.every(
      (g) => observedStatefulSet(observed, masterOf(g))?.metadata.annotations?.[COPY_MARK_ANNOTATION] === 'done',
    );
    if (!observedDone) kept.push(keep(input, source, copy));
  }
  if (pending.length === 0) return plan(kept);

  // Only the newest unfinished attempt matters; older ones go once a newer one is observed.
  const latest = copyJobs.filter((c) => jobOutcome(c.job).state !== 'Succeeded').pop();
  const targets = pending.map(masterOf);
  const start = (attempt: number, after?: string): CopyPlan => {
    set(pending, {
      phase: 'Running',
      message: `copying topics and subscription groups from ${source.brokerName} (Job ${copyJobName(name, attempt)}${after ? `, after: ${after}` : ''})`,
      attempts: attempt,
    });
    // The attempt before stays until the new one is observed, so the attempt count is never lost.
    return plan([...kept, ...(latest ? [keep(input, source, latest)] : []), copyJob(input, attempt, source, targets)]);
  };
  if (!latest && !reported) {
    set(pending, {
      phase: 'Pending',
      message: `waiting for the name servers to report the master of group ${source.group}, which the copy reads from`,
      attempts: 0,
    });
    return plan(kept);
  }
  if (!latest) {
    const notReady = [source, ...targets].filter((m) => !isStatefulSetReady(observedStatefulSet(observed, m)));
    if (notReady.length > 0) {
      set(pending, { phase: 'Pending', message: `waiting for ${notReady.map((m) => m.pod).join(', ')} to be Ready`, attempts: 0 });
      return plan(kept);
    }
    return start(Math.max(0, ...copyJobs.map((c) => c.attempt)) + 1);
  }
  const outcome = jobOutcome(latest.job);
  if (outcome.state === 'Failed') {
    const retryAt = outcome.since + backoffSeconds(latest.attempt) * 1000;
    if (now.getTime() >= retryAt) return start(latest.attempt + 1, outcome.message);
    set(pending, {
      phase: 'Failed',
      message: `Job ${latest.name} failed: ${outcome.message}; attempt ${latest.attempt + 1} in ${backoffSeconds(latest.attempt)} s`,
      attempts: latest.attempt,
    });
    // The failed Job stays until the next attempt, so its pod logs can be read.
    return plan([...kept, keep(input, source, latest)], Math.ceil((retryAt - now.getTime()) / 1000));
  }
  set(pending, {
    phase: 'Running',
    message: `copying topics and subscription groups from ${source.brokerName} (Job ${latest.name})`,
    attempts: latest.attempt,
  });
  return plan([...kept, keep(input, source, latest)]);
}
