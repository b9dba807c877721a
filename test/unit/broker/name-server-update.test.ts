// A new name-server list reaches running brokers through the ConfigMap and a runner Job, never
// through their pod templates: the decisions, the rendering, and what is remembered where.
import type { HookRequest, KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { imageVersion, reloadsNameServers } from '../../../hooks/rocketmq-pods/image.js';
import { parseArgs } from '../../../hooks/jobs/runner-command.js';
import type { BrokerStatus } from '../../../hooks/schema/types.js';
import {
  applyAndSettle,
  broker,
  child,
  children,
  FIXED_NOW,
  hooks,
  replacing,
  settledNameService,
  syncRequest,
  at,
  failedJobStatus,
} from './support.js';

const settings = { runnerImage: 'registry.example/rocketmq-operator:1.0.0' };
const SPEC = { size: 2, replicaPerGroup: 1, brokerImage: 'apache/rocketmq:5.3.1' };
const APPLIED = 'rocketmq.apache.org/name-servers-applied';
const APPLIED_BY = 'rocketmq.apache.org/name-servers-applied-by';
const ONE = 'name-service-0.name-service.default.svc:9876';
const THREE = [0, 1, 2].map((i) => `name-service-${i}.name-service.default.svc:9876`).join(';');
const FOUR = [0, 1, 2, 3].map((i) => `name-service-${i}.name-service.default.svc:9876`).join(';');
const PODS = ['broker-0-replica-1-0', 'broker-0-master-0', 'broker-1-replica-1-0', 'broker-1-master-0'];

function sync(request: HookRequest, now = FIXED_NOW): SyncResponse<BrokerStatus> {
  return hooks.sync(request, now, settings);
}

/** A Broker whose brokers run, started with a settled one-name-server NameService. */
function running(spec: Record<string, unknown> = SPEC): HookRequest {
  const first = syncRequest(broker(spec), { related: [settledNameService('name-service', 'default', 1)] });
  return applyAndSettle(first, sync(first));
}

/** The same request with the NameService as given (the parent unchanged). */
function withNameService(request: HookRequest, nameServiceObject: KubeObject): HookRequest {
  return { ...request, related: syncRequest(request.parent, { related: [nameServiceObject] }).related };
}

const jobs = (response: SyncResponse<object>) => children(response, 'Job');
const updateJobs = (response: SyncResponse<object>) =>
  jobs(response).filter((j) => j.metadata.labels['rocketmq.apache.org/name-server-update'] === 'broker');
const configMap = (response: SyncResponse<object>) => child(response, 'ConfigMap', 'broker-broker-conf');
/** Each StatefulSet's pod template as text: equal texts, no broker restarts. */
const templateTexts = (objects: KubeObject[]) =>
  Object.fromEntries(
    objects.filter((o) => o.kind === 'StatefulSet').map((s) => [s.metadata.name, JSON.stringify((s.spec as any).template)]),
  );
const observedObjects = (request: HookRequest) => Object.values(request.children ?? {}).flatMap((m) => Object.values(m));
const condition = (response: SyncResponse<BrokerStatus>, type: string) => response.status.conditions?.find((c) => c.type === type);

/** The request after the reply was applied: a Job keeps the status it had (the Job controller's, not the reply's). */
function apply(request: HookRequest, response: SyncResponse<object>): HookRequest {
  const before = request.children?.['Job.batch/v1'] ?? {};
  const next = applyAndSettle(request, response);
  const jobMap = next.children!['Job.batch/v1'] ?? {};
  for (const [key, job] of Object.entries(jobMap)) if (before[key]?.status) jobMap[key] = { ...job, status: before[key].status };
  return next;
}

/** The request after the reply was applied, every Job of it (or the one named) given `status`. */
function withJobStatus(request: HookRequest, response: SyncResponse<object>, status: object, name?: string): HookRequest {
  const next = apply(request, response);
  const jobMap = next.children!['Job.batch/v1'] ?? {};
  for (const [key, job] of Object.entries(jobMap)) if (!name || job.metadata.name === name) jobMap[key] = { ...job, status };
  return next;
}

/** A running Broker whose NameService grew from 1 to 3 and reports all 3 Ready. */
function grown(spec: Record<string, unknown> = SPEC): HookRequest {
  return withNameService(running(spec), settledNameService('name-service', 'default', 3));
}

describe('a new name-server list for running brokers', () => {
  it('goes into the ConfigMap and a runner Job for every broker pod, and changes no pod template', () => {
    const request = grown();
    const response = sync(request);

    // Every StatefulSet as observed, byte for byte: no broker restarts.
    expect(templateTexts(response.children)).toEqual(templateTexts(observedObjects(request)));
    const envFrom = child(response, 'StatefulSet', 'broker-0-master').spec.template.spec.containers[0].env[0];
    expect(envFrom).toEqual({ name: 'NAMESRV_LIST', valueFrom: { configMapKeyRef: { name: 'broker-broker-conf', key: 'namesrvAddr' } } });

    // The ConfigMap has the new list for any container that starts; the mark says brokers are being told.
    expect(configMap(response).data.namesrvAddr).toBe(THREE);
    expect(configMap(response).metadata.annotations).toEqual({ [APPLIED]: 'pending' });

    const [job] = updateJobs(response);
    expect(job.metadata.name).toMatch(/^broker-namesrv-[0-9a-f]{8}-1$/);
    expect(job.metadata.annotations).toMatchObject({ 'rocketmq.apache.org/name-servers': THREE, 'rocketmq.apache.org/attempt': '1' });
    const container = job.spec.template.spec.containers[0];
    expect(container.image).toBe(settings.runnerImage);
    expect(parseArgs(container.args)).toEqual({
      task: 'set-name-servers',
      nameServers: THREE,
      brokerAddresses: PODS.map((pod) => `${pod}.broker-brokers.default.svc:10911`),
    });
    // No API access: the runner only talks to brokers.
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(job.spec.template.spec.serviceAccountName).toBeUndefined();

    expect(response.status.nameServers).toBe(THREE);
    expect(response.status.nameServerUpdate).toMatchObject({ phase: 'Running', nameServers: THREE, job: job.metadata.name, attempts: 1 });
    expect(condition(response, 'Progressing')).toMatchObject({ status: 'True', reason: 'NameServerUpdate' });
    // Without acl the Job has no account to sign with.
    expect(container.env).toBeUndefined();
  });

  it('gives the Job the admin account from the Secret when the Broker authenticates requests, and no value', () => {
    const [job] = updateJobs(sync(grown({ ...SPEC, acl: { enabled: true, adminSecret: 'rocketmq-admin' } })));
    expect(job.spec.template.spec.containers[0].env).toEqual([
      { name: 'ROCKETMQ_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'accessKey' } } },
      { name: 'ROCKETMQ_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'secretKey' } } },
    ]);
  });

  it('waits for the NameService to report every name server Ready: until then nothing changes', () => {
    const before = running();
    const scaling = settledNameService('name-service', 'default', 3);
    const notYet = {
      ...scaling,
      metadata: { ...scaling.metadata, generation: 3 },
      status: { observedGeneration: 3, replicas: 3, readyReplicas: 2 },
    };
    const request = withNameService(before, notYet);
    const response = sync(request);
    expect(jobs(response)).toEqual([]);
    expect(JSON.stringify(response.children)).toBe(JSON.stringify(sync(before).children));
    expect(configMap(response).data.namesrvAddr).toBe(ONE);
    expect(response.status.nameServers).toBe(ONE);
    expect(response.status.nameServerUpdate).toBeUndefined();
  });

  it('marks the list applied once the Job succeeded, keeps the Job until the mark is observed, then drops it', () => {
    const request = grown();
    const started = sync(request);
    const jobName = updateJobs(started)[0].metadata.name;

    // Observed as running: the same Job, still pending.
    const runningJob = withJobStatus(request, started, { active: 1 });
    const again = sync(runningJob);
    expect(updateJobs(again).map((j) => j.metadata.name)).toEqual([jobName]);
    expect(JSON.stringify(again.children)).toBe(JSON.stringify(started.children));

    // Succeeded: the mark names the list and the Job; the Job stays while the old mark is observed.
    const succeeded = withJobStatus(runningJob, again, { succeeded: 1 });
    const done = sync(succeeded);
    expect(configMap(done).metadata.annotations).toEqual({ [APPLIED]: THREE, [APPLIED_BY]: jobName });
    expect(updateJobs(done).map((j) => j.metadata.name)).toEqual([jobName]);
    expect(done.status.nameServerUpdate).toMatchObject({ phase: 'Applied', nameServers: THREE, job: jobName });
    expect(condition(done, 'Progressing')).toMatchObject({ status: 'False', reason: 'UpToDate' });

    // The mark observed: the Job goes, and nothing else moves.
    const marked = apply(succeeded, done);
    const after = sync(marked);
    expect(updateJobs(after)).toEqual([]);
    expect(configMap(after).metadata.annotations).toEqual({ [APPLIED]: THREE, [APPLIED_BY]: jobName });
    expect(after.status.nameServerUpdate).toMatchObject({ phase: 'Applied', job: jobName });
    const steady = apply(marked, after);
    expect(JSON.stringify(sync(steady).children)).toBe(JSON.stringify(after.children));
    expect(templateTexts(after.children)).toEqual(templateTexts(observedObjects(request)));
  });

  it('reports a failed Job with its reason, retries after a backoff with a new Job, and keeps the count', () => {
    const request = grown();
    const started = sync(request);
    const first = updateJobs(started)[0].metadata.name;
    const failedRequest = withJobStatus(request, started, failedJobStatus(0));

    const failed = sync(failedRequest, at(10));
    expect(updateJobs(failed).map((j) => j.metadata.name)).toEqual([first]);
    expect(failed.status.nameServerUpdate).toMatchObject({
      phase: 'Failed',
      job: first,
      attempts: 1,
      message: expect.stringMatching(/^Job broker-namesrv-\w+-1 failed: Job has reached the specified backoff limit .*attempt 2 in 20 s$/),
    });
    expect(failed.resyncAfterSeconds).toBe(20);
    expect(condition(failed, 'Degraded')).toMatchObject({ status: 'True', reason: 'NameServerUpdateFailed' });
    expect(condition(failed, 'Ready')).toMatchObject({ reason: 'NameServerUpdateFailed' });
    expect(configMap(failed).metadata.annotations).toEqual({ [APPLIED]: 'pending' });

    // After the backoff: attempt 2, a Job of its own; the failed one stays until it is observed.
    const retry = sync(failedRequest, at(31));
    const names = updateJobs(retry).map((j) => j.metadata.name);
    expect(names).toEqual([first, first.replace(/-1$/, '-2')]);
    expect(updateJobs(retry)[1].metadata.annotations['rocketmq.apache.org/attempt']).toBe('2');
    expect(retry.status.nameServerUpdate).toMatchObject({ phase: 'Running', attempts: 2 });
    const observedRetry = withJobStatus(failedRequest, retry, { active: 1 }, names[1]);
    const next = sync(observedRetry, at(32));
    expect(updateJobs(next).map((j) => j.metadata.name)).toEqual([names[1]]);
    expect(next.status.nameServerUpdate).toMatchObject({ phase: 'Running', attempts: 2 });

    // A second failure waits twice as long.
    const failedAgain = withJobStatus(observedRetry, next, failedJobStatus(40), names[1]);
    expect(sync(failedAgain, at(41)).resyncAfterSeconds).toBe(59);
  });

  it('lets a Job of an earlier list end before the current list is sent, then sends it', () => {
    const request = grown();
    const toThree = sync(request);
    const threeJob = updateJobs(toThree)[0].metadata.name;
    const runningThree = withJobStatus(request, toThree, { active: 1 });

    const four = withNameService(runningThree, settledNameService('name-service', 'default', 4));
    const waiting = sync(four);
    expect(updateJobs(waiting).map((j) => j.metadata.name)).toEqual([threeJob]);
    expect(configMap(waiting).data.namesrvAddr).toBe(FOUR);
    expect(waiting.status.nameServerUpdate).toMatchObject({ phase: 'Pending', nameServers: FOUR });
    expect(waiting.status.nameServerUpdate?.message).toMatch(/waiting for Job broker-namesrv-\w+-1, which sends an earlier list, to end/);

    // Ended (either way): the current list's Job starts, the earlier one stays until it is observed.
    const ended = withJobStatus(four, waiting, { succeeded: 1 });
    const next = sync(ended);
    const [kept, fourJob] = updateJobs(next);
    expect(kept.metadata.name).toBe(threeJob);
    expect(fourJob.metadata.name).toMatch(/^broker-namesrv-[0-9a-f]{8}-2$/);
    expect(fourJob.metadata.annotations['rocketmq.apache.org/name-servers']).toBe(FOUR);
    expect(parseArgs(fourJob.spec.template.spec.containers[0].args)).toMatchObject({ nameServers: FOUR });
    expect(configMap(next).metadata.annotations).toEqual({ [APPLIED]: 'pending' });
  });

  it('sends a list again when it went back to one a Job may have changed only part-way', () => {
    const request = grown();
    const toThree = sync(request);
    const failedThree = withJobStatus(request, toThree, failedJobStatus(0));
    // The NameService is back to one name server: brokers may hold either list.
    const back = withNameService(failedThree, settledNameService('name-service', 'default', 1));
    const response = sync(back, at(1));
    const [, job] = updateJobs(response);
    expect(job.metadata.annotations['rocketmq.apache.org/name-servers']).toBe(ONE);
    expect(response.status.nameServerUpdate).toMatchObject({ phase: 'Running', nameServers: ONE, attempts: 1 });
  });

  it('starts no Job while a broker is not Ready, or while a rolling restart goes on', () => {
    const request = grown();
    const statefulSets = request.children!['StatefulSet.apps/v1'];
    statefulSets['default/broker-1-master'] = { ...statefulSets['default/broker-1-master'], status: { readyReplicas: 0 } };
    const notReady = sync(request);
    expect(jobs(notReady)).toEqual([]);
    expect(configMap(notReady).data.namesrvAddr).toBe(THREE);
    expect(notReady.status.nameServerUpdate).toMatchObject({ phase: 'Pending', message: 'waiting for broker-1-master-0 to be Ready' });

    const rolling = grown();
    const sets = rolling.children!['StatefulSet.apps/v1'];
    sets['default/broker-0-replica-1'] = replacing(sets['default/broker-0-replica-1']);
    const response = sync(rolling);
    expect(jobs(response)).toEqual([]);
    expect(response.status.nameServerUpdate).toMatchObject({ phase: 'Pending', message: 'waiting for the rolling restart to finish' });
  });

  it('starts no Job for a new Broker or for brokers not created yet: they start with the list', () => {
    const first = sync(syncRequest(broker(SPEC), { related: [settledNameService('name-service', 'default', 3)] }));
    expect(jobs(first)).toEqual([]);
    expect(configMap(first).data.namesrvAddr).toBe(THREE);
    expect(configMap(first).metadata.annotations).toEqual({ [APPLIED]: THREE });
    expect(first.status.nameServerUpdate).toBeUndefined();
  });

  it('rolls brokers of images older than RocketMQ 4.9.4 instead, and sends nothing', () => {
    const spec = { ...SPEC, brokerImage: 'apache/rocketmq:4.9.3' };
    const request = grown(spec);
    const response = sync(request);
    expect(jobs(response)).toEqual([]);
    expect(configMap(response).data.namesrvAddr).toBe(THREE);
    expect(configMap(response).metadata.annotations).toBeUndefined();
    const rolled = child(response, 'StatefulSet', 'broker-0-replica-1').spec.template.metadata.annotations;
    expect(rolled['rocketmq.apache.org/name-servers']).toBe(THREE);
    expect(response.status.rollingPod).toBe('broker-0-replica-1-0');
  });

  it('leaves brokers whose NAMESRV_ADDR the user sets in spec.env alone', () => {
    const spec = { ...SPEC, env: [{ name: 'NAMESRV_ADDR', value: '10.0.0.1:9876' }] };
    const request = grown(spec);
    const response = sync(request);
    expect(jobs(response)).toEqual([]);
    expect(templateTexts(response.children)).toEqual(templateTexts(observedObjects(request)));
  });

  it('takes over brokers an earlier operator version started with the list as a value: one roll, no Job', () => {
    const request = running();
    // As an earlier version rendered it: NAMESRV_ADDR as a value, no namesrvAddr key or mark.
    for (const sts of Object.values(request.children!['StatefulSet.apps/v1'])) {
      const container = (sts.spec as any).template.spec.containers[0];
      container.env[0] = { name: 'NAMESRV_ADDR', value: ONE };
      (sts.spec as any).template.metadata.annotations['rocketmq.apache.org/template-hash'] = 'earlier';
    }
    const cm = request.children!['ConfigMap.v1']['default/broker-broker-conf'];
    const { namesrvAddr: _ignored, ...oldData } = cm.data as Record<string, string>;
    request.children!['ConfigMap.v1']['default/broker-broker-conf'] = {
      ...cm,
      metadata: { ...cm.metadata, annotations: undefined },
      data: oldData,
    };

    const response = sync(request);
    expect(jobs(response)).toEqual([]);
    expect(configMap(response).metadata.annotations).toEqual({ [APPLIED]: ONE });
    expect(configMap(response).data.namesrvAddr).toBe(ONE);
    // The template changes once (value to ConfigMap key), one broker at a time.
    expect(response.status.rollingPod).toBe('broker-0-replica-1-0');

    // The same, with the NameService grown at the same time: the list is sent once the roll is over.
    const grownToo = withNameService(request, settledNameService('name-service', 'default', 3));
    const both = sync(grownToo);
    expect(both.status.nameServerUpdate).toMatchObject({ phase: 'Pending', message: 'waiting for the rolling restart to finish' });
    expect(configMap(both).metadata.annotations).toEqual({ [APPLIED]: ONE });
  });

  it('reaches a StatefulSet adopted from the original operator (no Service name, so no pod DNS name) by its pod IP', () => {
    const request = grown();
    const sts = request.children!['StatefulSet.apps/v1']['default/broker-0-master'];
    delete (sts.spec as any).serviceName;
    const noIp = sync(request);
    expect(noIp.status.nameServerUpdate).toMatchObject({ phase: 'Pending', message: 'waiting for broker-0-master-0 to be Ready' });
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'broker-0-master-0', namespace: 'default', labels: { app: 'broker', broker_cr: 'broker' } },
      status: { podIP: '10.1.2.3' },
    };
    const withPod = {
      ...request,
      related: syncRequest(request.parent, { related: [settledNameService('name-service', 'default', 3), pod] }).related,
    };
    const [job] = updateJobs(sync(withPod));
    expect(parseArgs(job.spec.template.spec.containers[0].args)).toMatchObject({
      brokerAddresses: [
        'broker-0-replica-1-0.broker-brokers.default.svc:10911',
        '10.1.2.3:10911',
        'broker-1-replica-1-0.broker-brokers.default.svc:10911',
        'broker-1-master-0.broker-brokers.default.svc:10911',
      ],
    });
  });

  it('gives the Jobs of a Broker with the longest name it may have names that leave room for 3-digit numbers', () => {
    const name = 'b'.repeat(39);
    let request = syncRequest(broker({ size: 1, replicaPerGroup: 0 }, name), {
      related: [settledNameService('name-service', 'default', 1)],
    });
    request = applyAndSettle(request, sync(request));
    request = withNameService(request, settledNameService('name-service', 'default', 2));
    const [job] = jobs(sync(request));
    expect(job.metadata.name).toMatch(new RegExp(`^${name}-namesrv-[0-9a-f]{8}-1$`));
    expect(job.metadata.name.length + 2).toBeLessThanOrEqual(63);
  });

  it('uses the stale parent’s status for nothing: the mark and the Jobs decide', () => {
    const request = grown();
    const started = sync(request);
    const succeeded = withJobStatus(request, started, { succeeded: 1 });
    const done = sync(succeeded);
    const marked = apply(succeeded, done);
    const stale = { ...marked, parent: { ...marked.parent, status: { nameServers: ONE, nameServerUpdate: { phase: 'Running' } } } };
    const response = sync(stale);
    expect(jobs(response)).toEqual([]);
    expect(response.status.nameServerUpdate).toMatchObject({ phase: 'Applied' });
  });
});

describe('which images take a new list without a restart', () => {
  it.each([
    ['apache/rocketmq:5.3.1', [5, 3, 1], true],
    ['apache/rocketmq:4.9.4', [4, 9, 4], true],
    ['apache/rocketmq:4.9.7-alpine', [4, 9, 7], true],
    ['registry:5000/apache/rocketmq:4.9.3', [4, 9, 3], false],
    ['apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0', [4, 5, 0], false],
    ['example.com/rocketmq:v4.8.0@sha256:abcd', [4, 8, 0], false],
    ['apache/rocketmq:latest', undefined, true],
    ['apache/rocketmq', undefined, true],
    ['apache/rocketmq@sha256:abcd', undefined, true],
  ])('%s', (image, version, reloads) => {
    expect(imageVersion(image)).toEqual(version);
    expect(reloadsNameServers(image)).toBe(reloads);
  });
});
