// A new name-server list reaches running brokers without restarting them: the ConfigMap's
// `namesrvAddr` (read into NAMESRV_LIST when a broker container starts) changes at once, and a runner
// Job sends every running broker the list with updateBrokerConfig, reading it back. Brokers from
// RocketMQ 4.9.4 on re-read it on a timer and register with the new name servers from then on.
//
// What the update must remember lives in observed children, never in status: the broker ConfigMap's
// `name-servers-applied` annotation holds the list every running broker is known to hold, or
// `pending` from the moment a Job is started until one succeeds (a Job that failed part-way may
// have changed some brokers only); `name-servers-applied-by` names the Job that did it. A Job's
// name carries a hash of its list and a number that grows with every Job of the Broker, so a new
// list gets a new Job and the newest Job is known without timestamps; its annotations say which
// attempt for its list it is. A failed attempt is followed by the next after a backoff. Each Job is
// kept until what it did is observed.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
import type { KubeObject, ObservedObjects } from '../core/metacontroller.js';
import { renderRunnerJob } from '../jobs/runner-job.js';
import { credentialEnv } from '../rocketmq-pods/acl.js';
import { shortTextHash } from '../k8s/hash.js';
import { commonLabels } from '../k8s/labels.js';
import { isStatefulSetReady, jobOutcome } from '../k8s/readiness.js';
import type { BrokerStatus } from '../schema/types.js';
import type { BrokerMember } from './members.js';
import { brokerConfigMapName, brokerServiceName } from './names.js';
import { BROKER_PORTS, RESTART_NAME_SERVERS_ANNOTATION } from './render/pod.js';
import { observedStatefulSet } from './rollout.js';
import { NAME_SERVER_LIST_VARIABLE } from '../rocketmq-pods/image.js';

export type NameServerUpdate = NonNullable<BrokerStatus['nameServerUpdate']>;

/** On the broker ConfigMap: the list every running broker holds, or `pending` while that is not known. */
export const APPLIED_ANNOTATION = 'rocketmq.apache.org/name-servers-applied';
/** Beside a list in APPLIED_ANNOTATION: the Job that gave it to the brokers. */
export const APPLIED_BY_ANNOTATION = 'rocketmq.apache.org/name-servers-applied-by';
export const PENDING = 'pending';

export const UPDATE_JOB_LABEL = 'rocketmq.apache.org/name-server-update';
/** On an update Job: the list it gives the brokers. */
export const JOB_LIST_ANNOTATION = 'rocketmq.apache.org/name-servers';
/** On an update Job: the broker pods it gives the list to. */
const JOB_PODS_ANNOTATION = 'rocketmq.apache.org/broker-pods';
/** On an update Job: which attempt at its list it is (1 for the first Job of a list). */
const JOB_ATTEMPT_ANNOTATION = 'rocketmq.apache.org/attempt';

/** Waits between failed attempts: 30 s, doubling, at most 10 min (as the metadata copy). */
const backoffSeconds = (attempts: number) => Math.min(30 * 2 ** (attempts - 1), 600);

/** Hex characters of the list's hash in a Job name: a Broker name of 39 characters (the most it may have) still leaves room for 3-digit numbers. */
const HASH_LENGTH = 8;

export const listHash = (nameServers: string) => shortTextHash(nameServers).slice(0, HASH_LENGTH);
export const updateJobName = (name: string, nameServers: string, sequence: number) =>
  `${name}-namesrv-${listHash(nameServers)}-${sequence}`;

/** How brokers of this Broker take a new list. */
export type UpdateMode =
  /** updateBrokerConfig through a runner Job (RocketMQ 4.9.4 and later). */
  | 'hot'
  /** A rolling restart: the list is in the pod template (older images). */
  | 'restart'
  /** spec.env sets NAMESRV_ADDR: the user's value is used, and changes by the user roll the brokers. */
  | 'pinned';

export interface UpdateInput {
  name: string;
  namespace: string;
  members: BrokerMember[];
  observed: ObservedObjects;
  /** Broker pods by name. */
  pods: Map<string, V1Pod>;
  /** The list brokers should hold now (only ever a settled NameService's). */
  nameServers: string;
  mode: UpdateMode;
  /** A rolling restart is under way: brokers it restarts start with the list anyway. */
  rolling: boolean;
  runnerImage: string;
  /** The Secret with the admin account brokers authenticate requests with, when spec.acl is on. */
  adminSecret?: string;
  now: Date;
}

export interface UpdatePlan {
  /** The broker ConfigMap's annotations in this reply. */
  annotations: Record<string, string>;
  jobs: KubeObject[];
  update?: NameServerUpdate;
  resyncAfterSeconds?: number;
}

interface UpdateJob {
  name: string;
  job: V1Job;
  nameServers: string;
  sequence: number;
  attempt: number;
  pods: string[];
}

/** The number of an update Job of this Broker, from its name; NaN for any other name. */
function sequenceOf(name: string, jobName: string): number {
  const match = /^-namesrv-[0-9a-f]+-([1-9]\d*)$/.exec(jobName.slice(name.length));
  return jobName.startsWith(name) && match ? Number(match[1]) : NaN;
}

/** The update Jobs of this Broker that exist, oldest first. */
function observedUpdateJobs(name: string, observed: ObservedObjects): UpdateJob[] {
  return observed
    .list('Job', 'batch/v1')
    .filter((job) => job.metadata.labels?.[UPDATE_JOB_LABEL] === name && Number.isSafeInteger(sequenceOf(name, job.metadata.name)))
    .map((job) => {
      const attempt = Number(job.metadata.annotations?.[JOB_ATTEMPT_ANNOTATION]);
      return {
        name: job.metadata.name,
        job,
        nameServers: job.metadata.annotations?.[JOB_LIST_ANNOTATION] ?? '',
        sequence: sequenceOf(name, job.metadata.name),
        attempt: Number.isSafeInteger(attempt) && attempt > 0 ? attempt : 1,
        pods: (job.metadata.annotations?.[JOB_PODS_ANNOTATION] ?? '').split(',').filter(Boolean),
      };
    })
    .sort((a, b) => a.sequence - b.sequence);
}

/**
 * Where the runner reaches a broker: its stable DNS name through the headless Service, or, for a
 * StatefulSet adopted from the original operator (which has no Service name, so its pod has no DNS
 * name), the pod's IP.
 */
function brokerAddress(input: UpdateInput, member: BrokerMember): string | undefined {
  const { name, namespace, observed, pods } = input;
  const service = brokerServiceName(name);
  if (observedStatefulSet(observed, member)?.spec?.serviceName === service) {
    return `${member.pod}.${service}.${namespace}.svc:${BROKER_PORTS.main}`;
  }
  const ip = pods.get(member.pod)?.status?.podIP;
  return ip ? `${ip.includes(':') ? `[${ip}]` : ip}:${BROKER_PORTS.main}` : undefined;
}

/**
 * The list brokers were started with when their pod templates carry it (an operator version that
 * set NAMESRV_ADDR as a value, the user's own NAMESRV_ADDR, or an image that restarts for a new
 * list); undefined unless every observed template names the same one.
 */
function listInTemplates(input: UpdateInput, existing: BrokerMember[]): string | undefined {
  const lists = new Set(
    existing.map((member) => {
      const template = observedStatefulSet(input.observed, member)?.spec?.template;
      const env = template?.spec?.containers?.[0]?.env ?? [];
      // Brokers that read the ConfigMap started with whatever it held then; a NAMESRV_ADDR value beside it is stale.
      const value = env.some((e) => e.name === NAME_SERVER_LIST_VARIABLE) ? undefined : env.find((e) => e.name === 'NAMESRV_ADDR')?.value;
      return value ?? template?.metadata?.annotations?.[RESTART_NAME_SERVERS_ANNOTATION];
    }),
  );
  const [only] = lists;
  return lists.size === 1 ? only : undefined;
}

interface JobSpec {
  nameServers: string;
  sequence: number;
  attempt: number;
  targets: { pod: string; address: string }[];
}

function updateJob(input: UpdateInput, { nameServers, sequence, attempt, targets }: JobSpec, observed?: V1Job) {
  const { name, namespace, runnerImage, adminSecret } = input;
  return renderRunnerJob({
    name: updateJobName(name, nameServers, sequence),
    namespace,
    labels: merged(commonLabels('broker', name), { [UPDATE_JOB_LABEL]: name }),
    annotations: {
      [JOB_LIST_ANNOTATION]: nameServers,
      [JOB_PODS_ANNOTATION]: targets.map((t) => t.pod).join(','),
      [JOB_ATTEMPT_ANNOTATION]: String(attempt),
    },
    image: runnerImage,
    command: { task: 'set-name-servers', nameServers, brokerAddresses: targets.map((t) => t.address) },
    // updateBrokerConfig is an admin request: with acl on, brokers refuse it unsigned.
    env: adminSecret === undefined ? undefined : credentialEnv(adminSecret),
    // The runner retries each request itself; a failed Job is followed by a new attempt with backoff.
    backoffLimit: 2,
    observed,
  });
}

/** Keeps an observed Job as it is (a Job's template cannot change; only its metadata is rendered again). */
const keep = (input: UpdateInput, job: UpdateJob) =>
  updateJob(input, { ...job, targets: job.pods.map((pod) => ({ pod, address: '' })) }, job.job);

const listed = (names: string[]) => (names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`);

export function planNameServerUpdate(input: UpdateInput): UpdatePlan {
  const { name, members, observed, nameServers, now } = input;
  // Restarts or the user's own NAMESRV_ADDR give brokers their list: no Job, and no mark (should
  // the brokers later take lists at run time, their templates say what they started with).
  if (input.mode !== 'hot') return { annotations: {}, jobs: [] };

  const configMap = observed.get('ConfigMap', 'v1', brokerConfigMapName(name));
  const mark = configMap?.metadata.annotations?.[APPLIED_ANNOTATION];
  const markedBy = configMap?.metadata.annotations?.[APPLIED_BY_ANNOTATION];
  const existing = members.filter((m) => observedStatefulSet(observed, m) !== undefined);
  const jobs = observedUpdateJobs(name, observed);
  const latest = jobs.at(-1);
  const latestOutcome = latest && jobOutcome(latest.job);

  // What every running broker holds, as far as observed children tell; undefined when unknown.
  let held: string | undefined;
  let heldBy: string | undefined;
  if (latest) {
    if (latestOutcome?.state === 'Succeeded') [held, heldBy] = [latest.nameServers, latest.name];
  } else if (mark !== undefined) {
    if (mark !== PENDING) [held, heldBy] = [mark, markedBy];
  } else {
    // No mark: a Broker's first reply (its brokers start with the current list), or brokers
    // started with the list in their pod templates.
    held = existing.length === 0 ? nameServers : listInTemplates(input, existing);
  }
  const heldMark = (): Record<string, string> =>
    held === undefined
      ? { [APPLIED_ANNOTATION]: PENDING }
      : { [APPLIED_ANNOTATION]: held, ...(heldBy ? { [APPLIED_BY_ANNOTATION]: heldBy } : {}) };
  const previous = latest ? [keep(input, latest)] : [];

  if (held === nameServers) {
    // A succeeded Job stays until its mark is observed, so a sync that still sees the old mark finds it.
    return {
      annotations: heldMark(),
      jobs: latest && mark !== nameServers ? previous : [],
      ...(heldBy
        ? {
            update: {
              phase: 'Applied',
              nameServers,
              job: heldBy,
              message: `every running broker holds the name-server list, sent by Job ${heldBy}`,
            },
          }
        : {}),
    };
  }
  // Brokers still to be created start with the list: there is no one to tell yet.
  if (existing.length === 0) return { annotations: { [APPLIED_ANNOTATION]: nameServers }, jobs: [] };

  const waiting = (message: string): UpdatePlan => ({
    // Nothing is sent meanwhile, so the mark says what it said.
    annotations: heldMark(),
    jobs: previous,
    update: { phase: 'Pending', nameServers, attempts: 0, message },
  });
  const start = (attempt: number, after?: string): UpdatePlan => {
    const sequence = Math.max(0, ...jobs.map((j) => j.sequence)) + 1;
    const targets = existing.map((m) => ({ pod: m.pod, address: brokerAddress(input, m)! }));
    const job = updateJob(input, { nameServers, sequence, attempt, targets });
    return {
      annotations: { [APPLIED_ANNOTATION]: PENDING },
      // The Job before stays until the new one is observed, so the attempt count is never lost.
      jobs: [...previous, job],
      update: {
        phase: 'Running',
        nameServers,
        job: job.metadata.name,
        attempts: attempt,
        message: `sending the name-server list to ${listed(targets.map((t) => t.pod))} (Job ${job.metadata.name}${after ? `, after: ${after}` : ''})`,
      },
    };
  };

  if (latest && latest.nameServers === nameServers) {
    // Not Succeeded: that would have been `held`.
    if (latestOutcome?.state === 'Failed') {
      const retryAt = latestOutcome.since + backoffSeconds(latest.attempt) * 1000;
      if (now.getTime() >= retryAt) return start(latest.attempt + 1, latestOutcome.message);
      const wait = Math.ceil((retryAt - now.getTime()) / 1000);
      return {
        annotations: { [APPLIED_ANNOTATION]: PENDING },
        // The failed Job stays until the next attempt, so its pods' logs can be read.
        jobs: previous,
        update: {
          phase: 'Failed',
          nameServers,
          job: latest.name,
          attempts: latest.attempt,
          message: `Job ${latest.name} failed: ${latestOutcome.message} (its pods' logs name the broker); attempt ${latest.attempt + 1} in ${wait} s`,
        },
        resyncAfterSeconds: wait,
      };
    }
    return {
      annotations: { [APPLIED_ANNOTATION]: PENDING },
      jobs: previous,
      update: {
        phase: 'Running',
        nameServers,
        job: latest.name,
        attempts: latest.attempt,
        message: `sending the name-server list to ${listed(latest.pods)} (Job ${latest.name})`,
      },
    };
  }

  // A Job of another list still running finishes first (its runner is bounded): two runners never
  // write to one broker at once, so the list written last is the current one.
  if (latest && latestOutcome?.state === 'Running') return waiting(`waiting for Job ${latest.name}, which sends an earlier list, to end`);
  if (input.rolling) return waiting('waiting for the rolling restart to finish');
  const notReady = existing.filter((m) => !isStatefulSetReady(observedStatefulSet(observed, m)) || !brokerAddress(input, m));
  if (notReady.length > 0) return waiting(`waiting for ${listed(notReady.map((m) => m.pod))} to be Ready`);
  return start(1);
}
