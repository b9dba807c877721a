// The controllers a Controller renders, run for real: three ControllerStartup JVMs from the RocketMQ
// 5.3.3 jars, each with the file of the rendered ConfigMap its pod would pick (peer DNS names mapped
// to loopback ports, the store path to a test directory). They elect one leader, and elect another
// when the leader is killed with SIGKILL.
import { controllerHooks } from '../../hooks/controller/hooks.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { describeWithRocketMQ } from '../support/rocketmq.js';
import {
  type ControllerMetadata,
  type TestController,
  type TestControllerGroup,
  startControllers,
} from '../support/rocketmq-controllers.js';

/** A name with dashes, which the pods' Raft ids must not depend on. */
const NAME = 'rocketmq-ctl';

function rendered(): { files: Record<string, string>; addresses: string[] } {
  const response = controllerHooks.sync(syncRequest(customResource('Controller', NAME, { size: 3 }, 'mq')), new Date());
  const configMap = response.children.find((c) => c.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
  return { files: configMap.data, addresses: response.status.addresses ?? [] };
}

/** Polls until every controller of `members` reports the same leader, itself one of them; the leader. */
async function agreedLeader(group: TestControllerGroup, members: TestController[], timeoutMs: number): Promise<TestController> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(members.map((m) => group.metadata(m)));
    const leaders = new Set(views.map((v) => v?.leaderId));
    const [leaderId] = leaders;
    const leader = members.find((m) => m.selfId === leaderId);
    const claims = views.filter((v): v is ControllerMetadata => v?.isLeader === true);
    if (leaders.size === 1 && leader && claims.length === 1 && views[members.indexOf(leader)]?.isLeader) return leader;
    if (Date.now() > deadline) {
      throw new Error(`no agreed leader after ${timeoutMs} ms: ${JSON.stringify(views)}\n${group.logs()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeWithRocketMQ('three RocketMQ 5.3.3 controllers started from a rendered Controller', () => {
  let group: TestControllerGroup;
  let started: number;

  beforeAll(async () => {
    const { files, addresses } = rendered();
    started = Date.now();
    group = await startControllers(files, addresses);
  }, 120_000);

  afterAll(async () => {
    await group?.stop();
  });

  it('run one Raft group, each with the id of its own ordinal', () => {
    expect(group.controllers.map((c) => c.selfId)).toEqual(['n0', 'n1', 'n2']);
    expect(new Set(group.controllers.map((c) => c.settings.controllerDLegerGroup))).toEqual(new Set([`ControllerGroup-${NAME}`]));
  });

  it('elect exactly one leader, which every controller reports', async () => {
    const leader = await agreedLeader(group, group.controllers, 60_000);
    console.log(`controllers: first leader ${leader.selfId} agreed ${Date.now() - started} ms after the JVMs were spawned`);
    const view = await group.metadata(group.controllers.find((c) => c !== leader)!);
    expect(view).toMatchObject({
      group: `ControllerGroup-${NAME}`,
      leaderId: leader.selfId,
      leaderAddress: leader.address,
      isLeader: false,
    });
  }, 70_000);

  it('elect a new leader among the two left after the leader is killed with SIGKILL', async () => {
    const old = await agreedLeader(group, group.controllers, 10_000);
    await group.kill(old);
    const killed = Date.now();
    const survivors = group.controllers.filter((c) => c !== old);
    const leader = await agreedLeader(group, survivors, 45_000);
    console.log(`controllers: ${leader.selfId} took over from ${old.selfId} ${Date.now() - killed} ms after the SIGKILL`);
    expect(leader.selfId).not.toBe(old.selfId);
  }, 60_000);
});
