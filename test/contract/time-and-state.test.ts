// The reply is a function of the request and the clock: the same request gets the answer a fresh
// render gives at that moment, and what a hook must remember survives a stale parent.
import { buildServer } from '../../hooks/http/server.js';
import type { HookRequest, KubeObject } from '../../hooks/core/metacontroller.js';
import { applyAndSettle, broker, hooks, nameService } from '../unit/broker/support.js';
import { customResource, FIXED_NOW, syncRequest } from '../support/hook-requests.js';

const at = (seconds: number) => new Date(FIXED_NOW.getTime() + seconds * 1000);

/** A cluster of two groups grown to three, whose copy Job failed at FIXED_NOW. */
function failedCopy(): HookRequest {
  let request = syncRequest(broker({ size: 2, replicaPerGroup: 0 }), { related: [nameService()] });
  request = applyAndSettle(request, hooks.sync(request, FIXED_NOW));
  request = applyAndSettle(request, hooks.sync(request, FIXED_NOW));
  request = { ...request, parent: { ...request.parent, spec: { size: 3, replicaPerGroup: 0 } } };
  request = applyAndSettle(request, hooks.sync(request, FIXED_NOW));
  request = applyAndSettle(request, hooks.sync(request, FIXED_NOW));
  const jobs = request.children!['Job.batch/v1'];
  const failed = {
    conditions: [{ type: 'Failed', status: 'True', message: 'backoff limit reached', lastTransitionTime: FIXED_NOW.toISOString() }],
  };
  for (const key of Object.keys(jobs)) jobs[key] = { ...jobs[key], status: failed };
  return request;
}

const jobNames = (body: { children: KubeObject[] }) => body.children.filter((c) => c.kind === 'Job').map((c) => c.metadata.name);

describe('replies over time', () => {
  it('answers the same request differently once a retry is due, through the HTTP server', async () => {
    let now = at(10);
    const app = buildServer({ clock: () => now });
    const payload = failedCopy();
    const before = (await app.inject({ method: 'POST', url: '/sync/broker', payload })).json();
    expect(jobNames(before)).toEqual(['broker-copy-metadata-1']);
    expect(before.resyncAfterSeconds).toBe(20);
    now = at(31);
    const after = (await app.inject({ method: 'POST', url: '/sync/broker', payload })).json();
    expect(jobNames(after)).toEqual(['broker-copy-metadata-1', 'broker-copy-metadata-2']);
    await app.close();
  });

  it('starts no copy again when a stale parent comes with fresh children', async () => {
    const app = buildServer({ clock: () => at(60) });
    const failed = failedCopy();
    const succeeded = structuredClone(failed);
    const jobs = succeeded.children!['Job.batch/v1'];
    for (const key of Object.keys(jobs)) jobs[key] = { ...jobs[key], status: { succeeded: 1 } };
    const done = (await app.inject({ method: 'POST', url: '/sync/broker', payload: succeeded })).json();
    const settled = applyAndSettle(succeeded, done);
    const stale = { ...settled, parent: { ...settled.parent, status: { size: 2 } } };
    const reply = (await app.inject({ method: 'POST', url: '/sync/broker', payload: stale })).json();
    expect(jobNames(reply)).toEqual([]);
    expect(reply.status.size).toBe(3);
    await app.close();
  });
});

describe('refusals that need other objects, and pausing', () => {
  const app = buildServer({ clock: () => FIXED_NOW });
  afterAll(() => app.close());

  it('keeps every child as observed and reports a missing NameService in the Ready condition', async () => {
    const running = applyAndSettle(
      syncRequest(broker({ size: 1, replicaPerGroup: 0 }), { related: [nameService()] }),
      hooks.sync(syncRequest(broker({ size: 1, replicaPerGroup: 0 }), { related: [nameService()] }), FIXED_NOW),
    );
    const orphaned = { ...running, related: {} };
    const reply = await app.inject({ method: 'POST', url: '/sync/broker', payload: orphaned });
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    const observed = Object.values(running.children!)
      .flatMap((m) => Object.values(m))
      .map((c) => `${c.kind}/${c.metadata.name}`)
      .sort();
    expect(body.children.map((c: KubeObject) => `${c.kind}/${c.metadata.name}`).sort()).toEqual(observed);
    expect(body.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'MissingDependency',
      message: expect.stringMatching(/create a NameService/),
    });
  });

  it('holds only children filed under their own type, as last applied with their own apiVersion', async () => {
    const parent = customResource('NameService', 'ns', { size: 1 }, 'mq');
    const first = (await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(parent) })).json();
    const service = first.children.find((c: KubeObject) => c.kind === 'Service');
    const request = syncRequest(
      { ...parent, metadata: { ...parent.metadata, annotations: { 'rocketmq.apache.org/paused': 'true' } } },
      { children: first.children },
    );
    // A StatefulSet filed among the Services, and a Service whose record names another apiVersion.
    request.children!['Service.v1']['mq/stray'] = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'stray', namespace: 'mq' },
      spec: { template: {} },
    };
    const record = JSON.stringify({ ...service, apiVersion: 'v2' });
    const annotations = { 'metacontroller.k8s.io/last-applied-configuration': record };
    request.children!['Service.v1'][`mq/${service.metadata.name}`] = { ...service, metadata: { ...service.metadata, annotations } };
    const held = (await app.inject({ method: 'POST', url: '/sync/nameservice', payload: request })).json();
    expect(held.children.map((c: KubeObject) => `${c.apiVersion} ${c.kind}/${c.metadata.name}`).sort()).toEqual(
      first.children.map((c: KubeObject) => `${c.apiVersion} ${c.kind}/${c.metadata.name}`).sort(),
    );
  });

  it('creates nothing for a new parent whose NameService is missing, and says why', async () => {
    const reply = (await app.inject({ method: 'POST', url: '/sync/broker', payload: syncRequest(broker({ size: 1 })) })).json();
    expect(reply.children).toEqual([]);
    expect(reply.status.conditions[0]).toMatchObject({ type: 'Ready', reason: 'MissingDependency' });
  });

  it('keeps every child as observed while paused, and resumes when the annotation goes', async () => {
    const parent = customResource('NameService', 'ns', { size: 1 }, 'mq');
    const first = (await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(parent) })).json();
    const grown = { ...parent, spec: { size: 3 }, metadata: { ...parent.metadata, annotations: { 'rocketmq.apache.org/paused': 'true' } } };
    const paused = (
      await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(grown, { children: first.children }) })
    ).json();
    expect(paused.children).toEqual(first.children);
    expect(paused.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'Paused' });
    const resumed = { ...grown, metadata: { ...grown.metadata, annotations: {} } };
    const reply = (
      await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(resumed, { children: first.children }) })
    ).json();
    expect(reply.children.find((c: KubeObject) => c.kind === 'StatefulSet').spec.replicas).toBe(3);
  });
});
