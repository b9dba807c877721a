import type { HookRequest, SyncResponse } from '../../../hooks/core/metacontroller.js';
import type { BrokerStatus } from '../../../hooks/schema/types.js';
import { applyAndSettle, broker, FIXED_NOW, hooks, nameService, syncRequest, at, failedJobStatus } from './support.js';

const settings = { runnerImage: 'registry.example/rocketmq-operator:1.0.0' };

function sync(request: HookRequest, now = FIXED_NOW): SyncResponse<BrokerStatus> {
  return hooks.sync(request, now, settings);
}

/** A running cluster of `size` groups, then the same cluster with spec.size grown and brought up. */
function grownCluster(from: number, to: number): HookRequest {
  let request = syncRequest(broker({ size: from, replicaPerGroup: 1 }), { related: [nameService()] });
  request = applyAndSettle(request, sync(request));
  request = applyAndSettle(request, sync(request));
  request = { ...request, parent: { ...request.parent, spec: { size: to, replicaPerGroup: 1 } } };
  return applyAndSettle(request, sync(request));
}

const jobs = (response: SyncResponse<object>) => response.children.filter((c) => c.kind === 'Job') as any[];
const copyOf = (response: SyncResponse<object>, group: number) =>
  (response.status as any).groups.find((g: any) => g.group === group).metadataCopy;

function withJobStatus(request: HookRequest, response: SyncResponse<object>, status: object): HookRequest {
  const next = applyAndSettle(request, response);
  const jobMap = next.children!['Job.batch/v1'];
  for (const key of Object.keys(jobMap)) jobMap[key] = { ...jobMap[key], status };
  return next;
}

describe('metadata copy to new broker groups', () => {
  it('copies from the scalePodName broker to every new master once they are Ready', () => {
    const response = sync(grownCluster(2, 4));
    const [job] = jobs(response);
    expect(job.metadata.name).toBe('broker-copy-metadata-1');
    expect(job.spec.template.spec.containers[0]).toMatchObject({
      image: 'registry.example/rocketmq-operator:1.0.0',
      args: [
        'copy-metadata',
        '--namesrv=name-service-0.name-service.default.svc:9876',
        '--source-broker=broker-0',
        '--target-broker=broker-2,broker-3',
      ],
    });
    expect(copyOf(response, 2)).toMatchObject({ phase: 'Running', attempts: 1 });
    expect(copyOf(response, 0)).toBeUndefined();
    expect(response.status.size).toBe(2);
  });

  it('renders no copy Job while a new master is not Ready', () => {
    let request = syncRequest(broker({ size: 1, replicaPerGroup: 1 }), { related: [nameService()] });
    request = applyAndSettle(request, sync(request));
    request = applyAndSettle(request, sync(request));
    const grown = { ...request, parent: { ...request.parent, spec: { size: 2, replicaPerGroup: 1 } } };
    const response = sync(grown);
    expect(jobs(response)).toEqual([]);
    expect(copyOf(response, 1)).toMatchObject({ phase: 'Pending', message: 'waiting for broker-1-master-0 to be Ready' });
  });

  it('marks the groups done, stops rendering the Job and moves status.size once the copy succeeded', () => {
    const request = grownCluster(2, 3);
    const started = sync(request);
    const done = sync(withJobStatus(request, started, { succeeded: 1 }));
    expect(copyOf(done, 2)).toMatchObject({
      phase: 'Done',
      message: 'topics and subscription groups copied from broker-0 by Job broker-copy-metadata-1',
    });
    expect(done.status.size).toBe(3);
    // The Job stays until the group's master is seen marked done, then it goes.
    expect(jobs(done).map((j) => j.metadata.name)).toEqual(['broker-copy-metadata-1']);
    const later = sync(applyAndSettle(request, done));
    expect(jobs(later)).toEqual([]);
    // Which Job copied, and so how many attempts it took, stays on the group's master.
    expect(copyOf(later, 2)).toMatchObject({
      phase: 'Done',
      attempts: 1,
      message: 'topics and subscription groups copied by Job broker-copy-metadata-1',
    });
    expect(later.status.size).toBe(3);
  });

  it('retries a failed copy with a new Job after a growing backoff, keeping the failed one until then', () => {
    const request = grownCluster(2, 3);
    const started = sync(request);
    const failedRequest = withJobStatus(request, started, failedJobStatus(0));
    const waiting = sync(failedRequest, at(10));
    expect(copyOf(waiting, 2)).toMatchObject({ phase: 'Failed', attempts: 1 });
    expect(copyOf(waiting, 2).message).toMatch(
      /Job broker-copy-metadata-1 failed: Job has reached the specified backoff limit; attempt 2 in 30 s/,
    );
    expect(jobs(waiting).map((j) => j.metadata.name)).toEqual(['broker-copy-metadata-1']);
    expect(waiting.resyncAfterSeconds).toBe(20);
    const retried = sync({ ...failedRequest, parent: { ...failedRequest.parent, status: waiting.status } }, at(31));
    // The failed attempt stays until the new one is observed, so the attempt count survives any stale view.
    expect(jobs(retried).map((j) => j.metadata.name)).toEqual(['broker-copy-metadata-1', 'broker-copy-metadata-2']);
    expect(copyOf(retried, 2)).toMatchObject({ phase: 'Running', attempts: 2 });
    const running = sync(applyAndSettle(failedRequest, retried), at(32));
    expect(jobs(running).map((j) => j.metadata.name)).toEqual(['broker-copy-metadata-2']);
  });

  it('takes the retry when it is due whatever status the parent carries: the same request differs only by the clock', () => {
    const request = grownCluster(2, 3);
    const failedRequest = withJobStatus(request, sync(request), failedJobStatus(0));
    expect(jobs(sync(failedRequest, at(29))).map((j) => j.metadata.name)).toEqual(['broker-copy-metadata-1']);
    expect(jobs(sync(failedRequest, at(30))).map((j) => j.metadata.name)).toEqual(['broker-copy-metadata-1', 'broker-copy-metadata-2']);
  });

  it('never copies again after a success, even when Metacontroller sends a stale parent', () => {
    const request = grownCluster(2, 3);
    const started = sync(request);
    const succeeded = withJobStatus(request, started, { succeeded: 1 });
    const done = sync(succeeded);
    const afterDone = applyAndSettle(succeeded, done);
    // The parent as it was before the copy (status from before the scale-up), children as they are now.
    const stale = { ...afterDone, parent: { ...afterDone.parent, status: request.parent.status } };
    for (const reply of [sync(stale), sync(applyAndSettle(stale, sync(stale)))]) {
      expect(jobs(reply)).toEqual([]);
      expect(copyOf(reply, 2).phase).toBe('Done');
      expect(reply.status.size).toBe(3);
    }
  });

  it('keeps a new group marked for its copy on its master StatefulSet, not in status', () => {
    const request = grownCluster(2, 3);
    const started = sync(request);
    const master = started.children.find((c) => c.metadata.name === 'broker-2-master')!;
    expect(master.metadata.annotations).toMatchObject({ 'rocketmq.apache.org/metadata-copy': 'pending' });
    const withoutStatus = { ...request, parent: { ...request.parent, status: undefined } };
    expect(jobs(sync(withoutStatus)).map((j) => j.metadata.name)).toEqual(['broker-copy-metadata-1']);
    expect(sync(withoutStatus).status.size).toBe(2);
  });

  it('never holds back the rest of the cluster while a copy fails', () => {
    const request = grownCluster(2, 3);
    const failing = sync(withJobStatus(request, sync(request), failedJobStatus(0)), at(5));
    const statefulSets = failing.children.filter((c) => c.kind === 'StatefulSet').map((c) => c.metadata.name);
    expect(statefulSets).toHaveLength(6);
    expect((failing.status.conditions as any[]).find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  });

  it('says so when spec.scalePodName names no broker of the cluster', () => {
    let request = syncRequest(broker({ size: 1, replicaPerGroup: 0, scalePodName: 'broker-9-master-0' }), { related: [nameService()] });
    request = applyAndSettle(request, sync(request));
    request = applyAndSettle(request, sync(request));
    const grown = { ...request, parent: { ...request.parent, spec: { size: 2, replicaPerGroup: 0, scalePodName: 'broker-9-master-0' } } };
    const response = sync(applyAndSettle(grown, sync(grown)));
    expect(copyOf(response, 1)).toMatchObject({
      phase: 'Failed',
      message: expect.stringMatching(
        /spec.scalePodName "broker-9-master-0" is not a broker pod of this Broker: set it to one of broker-0-master-0/,
      ),
    });
    expect(jobs(response)).toEqual([]);
  });
});
