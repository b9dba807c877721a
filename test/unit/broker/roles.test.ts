// Failover modes: the master is whichever pod RocketMQ reports (the role annotation), it restarts
// last in its group, and in controller mode its role is handed to a Ready replica first.
import type { HookRequest, KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { HAND_OVER_LABEL, ROLE_REPORT_GRACE_SECONDS } from '../../../hooks/broker/hand-over.js';
import { ROLE_ANNOTATION } from '../../../hooks/broker/roles.js';
import {
  applyAndSettle,
  at,
  broker,
  child,
  children,
  failedJobStatus,
  FIXED_NOW,
  hooks,
  nameService,
  podOf,
  syncRequest,
} from './support.js';

const CONTROLLERS = 'controller-0.controller-svc-headless.default.svc:9878;controller-1.controller-svc-headless.default.svc:9878';
const CONTROLLER_SPEC = { size: 2, replicaPerGroup: 2, clusterMode: 'CONTROLLER', controllerAddr: CONTROLLERS };
const DLEDGER_SPEC = { size: 1, replicaPerGroup: 2, replicationMode: 'DLEDGER' };

type Roles = Record<number, 'master' | 'replica' | undefined>;

interface Cluster {
  /** A settled cluster whose spec just changed, so that every broker must restart. */
  request: HookRequest;
  /** StatefulSet names by group, in brokerId order. */
  groups: string[][];
}

function changedCluster(spec: Record<string, unknown>): Cluster {
  const first = syncRequest(broker(spec), { related: [nameService()] });
  const running = applyAndSettle(first, hooks.sync(first, FIXED_NOW));
  const statefulSets = Object.values(running.children!['StatefulSet.apps/v1']);
  const groups: string[][] = [];
  for (const s of statefulSets) {
    const group = Number(s.metadata.labels?.['rocketmq.apache.org/broker-name']?.split('-').pop());
    (groups[group] ??= []).push(s.metadata.name);
  }
  const edited = { ...spec, properties: { ...(spec.properties as object), flushIntervalCommitLog: '600' } };
  return { request: { ...running, parent: { ...running.parent, spec: edited } }, groups: groups.map((g) => g.sort(byBrokerId)) };
}

/** `-master` before `-replica-1` before `-replica-2`, or `-0` before `-1`. */
const byBrokerId = (a: string, b: string) => rank(a) - rank(b);
const rank = (s: string) => (s.endsWith('-master') ? 0 : Number(s.split('-').pop()));

/** Pods of every broker, Ready, with the given role annotations (group 0 by brokerId; other groups: first is master). */
function withPods(cluster: Cluster, roles: Roles, options: { ready?: (sts: string) => boolean; extra?: KubeObject[] } = {}): HookRequest {
  const statefulSets = byName(cluster.request.children!['StatefulSet.apps/v1']);
  const pods = cluster.groups.flatMap((names, group) =>
    names.map((name, brokerId) => {
      const pod = podOf(statefulSets[name], options.ready?.(name) ?? true) as any;
      const role = group === 0 ? roles[brokerId] : brokerId === 0 ? 'master' : 'replica';
      pod.metadata.annotations = role ? { [ROLE_ANNOTATION]: role } : {};
      pod.status.podIP = `10.0.${group}.${brokerId + 1}`;
      return pod;
    }),
  );
  return { ...cluster.request, related: syncRequest(cluster.request.parent, { related: [nameService(), ...pods] }).related };
}

const byName = (objects: Record<string, KubeObject>) => Object.fromEntries(Object.values(objects).map((o) => [o.metadata.name, o]));

/** StatefulSets given a new template in the reply. */
function restarted(request: HookRequest, response: SyncResponse<object>): string[] {
  const observed = byName(request.children!['StatefulSet.apps/v1']);
  return children(response, 'StatefulSet')
    .filter((s) => JSON.stringify(s.spec.template) !== JSON.stringify((observed[s.metadata.name] as any).spec.template))
    .map((s) => s.metadata.name);
}

const progressing = (response: SyncResponse<object>) => (response.status as any).conditions.find((c: any) => c.type === 'Progressing');
const handOverJobs = (response: SyncResponse<object>) => children(response, 'Job').filter((j) => j.metadata.labels?.[HAND_OVER_LABEL]);

/** The request after the reply's Jobs were created and given `status`. */
function withJobs(request: HookRequest, response: SyncResponse<object>, status: object): HookRequest {
  const jobs = Object.fromEntries(handOverJobs(response).map((j) => [j.metadata.name, { ...j, status }]));
  return { ...request, children: { ...request.children, 'Job.batch/v1': jobs } };
}

describe('roll order from the roles RocketMQ reports', () => {
  it('restarts the replicas of a group first and the broker reported master last', () => {
    const cluster = changedCluster(DLEDGER_SPEC);
    const [b0, b1, b2] = cluster.groups[0];
    // broker 1 holds the master role: 0 and 2 go first, in brokerId order.
    const order: string[] = [];
    let request = withPods(cluster, { 0: 'replica', 1: 'master', 2: 'replica' });
    for (let step = 0; step < 3; step++) {
      const response = hooks.sync(request, FIXED_NOW);
      const now = restarted(request, response);
      expect(now).toHaveLength(1);
      order.push(...now);
      expect(handOverJobs(response)).toEqual([]);
      const applied = applyAndSettle(request, response);
      cluster.request = applied;
      request = withPods(cluster, { 0: 'replica', 1: 'master', 2: 'replica' });
    }
    expect(order).toEqual([b0, b2, b1]);
  });

  it('restarts no Ready broker of a group whose master is not reported, and says what it waits for', () => {
    const cluster = changedCluster(DLEDGER_SPEC);
    const request = withPods(cluster, { 0: 'replica', 1: 'replica', 2: undefined });
    const response = hooks.sync(request, FIXED_NOW);
    expect(restarted(request, response)).toEqual([]);
    expect(progressing(response).message).toMatch(/waiting for the name servers to report the master of group 0 .*broker-roles observer/);
    expect(response.resyncAfterSeconds).toBeLessThanOrEqual(15);
  });

  it('still restarts a broker that is down, whatever the roles', () => {
    const cluster = changedCluster(DLEDGER_SPEC);
    const [, , b2] = cluster.groups[0];
    const request = withPods(cluster, {}, { ready: (s) => s !== b2 });
    // The down pod's StatefulSet reports it not Ready either.
    const down = Object.values(request.children!['StatefulSet.apps/v1']).find((s) => s.metadata.name === b2) as any;
    down.status = { ...down.status, readyReplicas: 0 };
    expect(restarted(request, hooks.sync(request, FIXED_NOW))).toEqual([b2]);
  });

  it('keeps the fixed order of STATIC brokers, whatever a pod annotation says', () => {
    const cluster = changedCluster({ size: 1, replicaPerGroup: 1 });
    const request = withPods(cluster, { 0: 'replica', 1: 'master' });
    expect(restarted(request, hooks.sync(request, FIXED_NOW))).toEqual([cluster.groups[0][1]]);
  });
});

describe('hand-over of a controller-mode master before it restarts', () => {
  /** Group 0 with its replicas already restarted: only the master (broker 0) is left to roll. */
  function masterLeft(
    roles: Roles = { 0: 'master', 1: 'replica', 2: 'replica' },
    ready?: (sts: string) => boolean,
    spec: Record<string, unknown> = CONTROLLER_SPEC,
  ) {
    const cluster = changedCluster(spec);
    let request = withPods(cluster, roles, { ready });
    for (let step = 0; step < 2; step++) {
      cluster.request = applyAndSettle(request, hooks.sync(request, FIXED_NOW));
      request = withPods(cluster, roles, { ready });
    }
    return { cluster, request, master: cluster.groups[0][0] };
  }

  it('asks the controller, by a Job, to elect a Ready replica instead of restarting the master', () => {
    const { request, master } = masterLeft();
    const response = hooks.sync(request, FIXED_NOW);
    expect(restarted(request, response)).toEqual([]);
    const [job] = handOverJobs(response);
    expect(job.metadata.name).toMatch(/^broker-0-hand-over-[0-9a-f]{8}$/);
    expect(job.spec.template.spec.containers[0].args).toEqual([
      'hand-over',
      `--controllers=${CONTROLLERS}`,
      '--cluster=broker',
      '--broker-name=broker-0',
      '--from-host=10.0.0.1',
      '--to-host=10.0.0.2,10.0.0.3',
      // RocketMQ's registration period (30 s unless set), and a margin.
      '--settle-seconds=40',
    ]);
    expect(progressing(response)).toMatchObject({
      reason: 'HandingOver',
      message: expect.stringContaining(`master, then waits up to 40 s for the replicas to be in sync, before restarting ${master}-0`),
    });
    expect(response.resyncAfterSeconds).toBe(5);
  });

  it("has the Job wait for the replicas as long as the brokers' own registration period, held where RocketMQ holds it", () => {
    const settle = (period?: number) => {
      const spec =
        period === undefined ? CONTROLLER_SPEC : { ...CONTROLLER_SPEC, properties: { registerNameServerPeriod: String(period) } };
      const [job] = handOverJobs(hooks.sync(masterLeft(undefined, undefined, spec).request, FIXED_NOW));
      return (job.spec.template.spec.containers[0].args as string[]).find((a) => a.startsWith('--settle-seconds='));
    };
    expect(settle(20_000)).toBe('--settle-seconds=30');
    expect(settle(1_000)).toBe('--settle-seconds=20');
    expect(settle(600_000)).toBe('--settle-seconds=70');
  });

  it('gives the Job the name the brokers look their controllers up by, when they resolve it by DNS', () => {
    const { controllerAddr: _list, ...byRef } = CONTROLLER_SPEC;
    const { request } = masterLeft(undefined, undefined, { ...byRef, controllerRef: 'ctl' });
    const [job] = handOverJobs(hooks.sync(request, FIXED_NOW));
    const args: string[] = job.spec.template.spec.containers[0].args;
    expect(args.filter((a) => a.startsWith('--controllers'))).toEqual([
      `--controllers-by-dns=ctl-svc-headless.${request.parent.metadata.namespace}.svc:9878`,
    ]);
  });

  it('waits while the Job runs, and after it succeeded until the observer reports the new master', () => {
    const { request, master } = masterLeft();
    const first = hooks.sync(request, FIXED_NOW);
    const running = withJobs(request, first, { active: 1 });
    const during = hooks.sync(running, at(3));
    expect(restarted(running, during)).toEqual([]);
    expect(handOverJobs(during)).toHaveLength(1);
    const done = withJobs(request, first, { succeeded: 1, completionTime: at(4).toISOString() });
    const after = hooks.sync(done, at(10));
    expect(restarted(done, after)).toEqual([]);
    expect(progressing(after).message).toContain(`waiting for the name servers to report ${master}-0 as a replica`);
  });

  it('restarts the old master as a replica once the observer reports the new roles, and drops the Job', () => {
    const { cluster, request, master } = masterLeft();
    const first = hooks.sync(request, FIXED_NOW);
    const done = withJobs(request, first, { succeeded: 1, completionTime: at(4).toISOString() });
    cluster.request = done;
    const swapped = withPods(cluster, { 0: 'replica', 1: 'master', 2: 'replica' });
    const response = hooks.sync(swapped, at(8));
    expect(restarted(swapped, response)).toEqual([master]);
    expect(handOverJobs(response)).toEqual([]);
    expect((response.status as any).groups[0].master).toBe(`${cluster.groups[0][1]}-0`);
  });

  it('restarts the master as it is when no replica is Ready, when the Job failed, or when roles are not reported in time', () => {
    // Pods not Ready (their StatefulSets not yet saying so) are no successors.
    const noReplica = masterLeft(undefined, (s) => s.endsWith('master'));
    const alone = hooks.sync(noReplica.request, FIXED_NOW);
    expect(handOverJobs(alone)).toEqual([]);
    expect(restarted(noReplica.request, alone)).toEqual([noReplica.master]);

    const { request, master } = masterLeft();
    const first = hooks.sync(request, FIXED_NOW);
    const failed = withJobs(request, first, failedJobStatus(5));
    const afterFailure = hooks.sync(failed, at(6));
    expect(restarted(failed, afterFailure)).toEqual([master]);
    expect(progressing(afterFailure).message).toMatch(
      /could not hand the master role over: Job has reached the specified backoff limit; restarting/,
    );

    const done = withJobs(request, first, { succeeded: 1, completionTime: at(4).toISOString() });
    const late = hooks.sync(done, at(4 + ROLE_REPORT_GRACE_SECONDS));
    expect(restarted(done, late)).toEqual([master]);
  });

  it('waits for the roles of its Ready replicas to be reported before handing over, rather than restarting the master without a Job', () => {
    const { request, cluster } = masterLeft({ 0: 'master' });
    const response = hooks.sync(request, FIXED_NOW);
    expect(handOverJobs(response)).toEqual([]);
    expect(restarted(request, response)).toEqual([]);
    expect(progressing(response).message).toMatch(
      new RegExp(
        `report the role of ${cluster.groups[0][1]}-0, ${cluster.groups[0][2]}-0 .* before handing the master role of group 0 over`,
      ),
    );
    expect(response.resyncAfterSeconds).toBe(5);
    // Once one of them is reported a replica, it is asked to take over.
    const reported = withPods(cluster, { 0: 'master', 1: 'replica' });
    expect(handOverJobs(hooks.sync(reported, FIXED_NOW))).toHaveLength(1);
  });
});

describe('the role observer of a Broker in a failover mode', () => {
  const reply = (spec: Record<string, unknown>) =>
    hooks.sync(syncRequest(broker(spec, 'mq', 'prod'), { related: [nameService('name-service', 'prod')] }), FIXED_NOW);

  it('runs observe-roles as its own identity, reading the name servers from the broker ConfigMap', () => {
    const response = reply({ ...CONTROLLER_SPEC, acl: { enabled: true, adminSecret: 'mq-admin' } });
    const deployment = child(response, 'Deployment', 'mq-roles');
    const pod = deployment.spec.template.spec;
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(pod.serviceAccountName).toBe('mq-roles');
    expect(pod.containers[0].args).toEqual([
      'observe-roles',
      '--namespace=prod',
      '--pod-selector=app=broker,broker_cr=mq',
      '--cluster=mq',
      '--namesrv-file=/etc/rocketmq-roles/namesrvAddr',
      '--interval-ms=5000',
    ]);
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '10m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(pod.volumes).toEqual([
      { name: 'name-servers', configMap: { name: 'mq-broker-conf', items: [{ key: 'namesrvAddr', path: 'namesrvAddr' }] } },
    ]);
    expect(pod.containers[0].env.map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual(['mq-admin', 'mq-admin']);
    // Its pods are not broker pods: the Broker's selectors never count them.
    expect(deployment.spec.template.metadata.labels).not.toHaveProperty('broker_cr');
  });

  it('may read pods and patch only the Broker pods', () => {
    const response = reply(CONTROLLER_SPEC);
    const pods = children(response, 'StatefulSet').map((s) => `${s.metadata.name}-0`);
    expect(child(response, 'Role', 'mq-roles').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: pods, verbs: ['patch'] },
    ]);
    expect(child(response, 'RoleBinding', 'mq-roles')).toMatchObject({
      roleRef: { kind: 'Role', name: 'mq-roles' },
      subjects: [{ kind: 'ServiceAccount', name: 'mq-roles', namespace: 'prod' }],
    });
    expect(child(response, 'ServiceAccount', 'mq-roles')).toBeDefined();
  });

  it('is rendered for DLEDGER brokers too, and never for STATIC ones', () => {
    expect(children(reply(DLEDGER_SPEC), 'Deployment').map((d) => d.metadata.name)).toEqual(['mq-roles']);
    const staticReply = reply({ size: 1 });
    for (const kind of ['Deployment', 'Role', 'RoleBinding', 'ServiceAccount']) expect(children(staticReply, kind)).toEqual([]);
  });
});

describe('status of the roles', () => {
  it('names each group master as reported and counts the groups that have one', () => {
    const cluster = changedCluster(CONTROLLER_SPEC);
    const status = hooks.sync(withPods(cluster, { 0: 'replica', 1: 'replica', 2: 'master' }), FIXED_NOW).status as any;
    expect(status.groups.map((g: any) => g.master)).toEqual([`${cluster.groups[0][2]}-0`, `${cluster.groups[1][0]}-0`]);
    expect(status.groups[0].pods.map((p: any) => p.role)).toEqual(['SLAVE', 'SLAVE', 'MASTER']);
    expect(status.masters).toBe('2/2');
    const unknown = hooks.sync(withPods(cluster, { 0: 'master', 1: 'master' }), FIXED_NOW).status as any;
    expect(unknown.groups[0]).not.toHaveProperty('master');
    expect(unknown.masters).toBe('1/2');
  });

  it('names the -master pods of STATIC brokers', () => {
    const status = hooks.sync(syncRequest(broker({ size: 2 }), { related: [nameService()] }), FIXED_NOW).status as any;
    expect(status.groups.map((g: any) => g.master)).toEqual(['broker-0-master-0', 'broker-1-master-0']);
    expect(status.masters).toBe('2/2');
  });
});
