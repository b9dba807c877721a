// The observe-roles command as its Deployment runs it, end to end: a real kube-apiserver (acting as
// the observer's ServiceAccount with the rendered Role, through KUBECONFIG) and a real RocketMQ
// 5.3.3 name server and broker. The name-server file first names an address where nothing listens,
// then the real name server, as a mounted ConfigMap changes under a running observer.
// Missing kube binaries or Java fail this file, unless SKIP_KUBE_E2E=1 or SKIP_ROCKETMQ_IT=1 says to skip.
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { brokerMembers } from '../../hooks/broker/members.js';
import { renderRoleObserverAccess, roleObserverName } from '../../hooks/broker/render/role-observer.js';
import { ROLE_ANNOTATION } from '../../hooks/broker/roles.js';
import { observeRolesCommand } from '../../hooks/runner/roles/observe-command.js';
import { kubeSkipReason, serviceAccountIdentity, startApiServer, type ApiServer } from '../support/apiserver.js';
import { describeWithRocketMQ, startRocketMQ, until, type TestRocketMQ } from '../support/rocketmq.js';

jest.setTimeout(180_000);

const NAMESPACE = 'mq';
const unavailable = await kubeSkipReason('the observe-roles command test');

(unavailable ? describe.skip : (name: string, body: () => void) => describeWithRocketMQ(name, body))(
  'observe-roles against a kube-apiserver and RocketMQ',
  () => {
    let kube: ApiServer;
    let mq: TestRocketMQ;
    let dir: string;
    const pod = brokerMembers('mq', { size: 1, replicaPerGroup: 0 }, [])[0].pod;

    beforeAll(
      async () => {
        [kube, mq] = await Promise.all([startApiServer(), startRocketMQ({ names: [{ clusterName: 'mq', brokerName: 'mq-0' }] })]);
        const ok = async (args: string[], stdin?: string) => {
          const r = await kube.kubectl(args, stdin);
          if (r.code !== 0) throw new Error(r.stderr);
        };
        await ok(['create', 'namespace', NAMESPACE]);
        const members = brokerMembers('mq', { size: 1, replicaPerGroup: 0 }, []);
        for (const object of renderRoleObserverAccess({
          name: 'mq',
          namespace: NAMESPACE,
          clusterName: 'mq',
          members,
          runnerImage: 'runner',
        }))
          await ok(['apply', '-f', '-'], JSON.stringify(object));
        const manifest = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: pod, namespace: NAMESPACE, labels: { app: 'broker', broker_cr: 'mq' } },
          spec: { containers: [{ name: 'broker', image: 'apache/rocketmq:5.3.3' }] },
        };
        await ok(['create', '-f', '-'], JSON.stringify(manifest));
        // The broker registers brokerIP1 127.0.0.1: that is its pod's IP here.
        await kube.kubeConfig
          .makeApiClient(CoreV1Api)
          .patchNamespacedPodStatus(
            { name: pod, namespace: NAMESPACE, body: { status: { podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }] } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
        dir = mkdtempSync(join(tmpdir(), 'observe-roles-'));
        process.env.KUBECONFIG = await kube.writeKubeconfig('observer', {
          impersonate: serviceAccountIdentity(NAMESPACE, roleObserverName('mq')),
        });
      },
      25 * 60 * 1000,
    );

    afterAll(async () => {
      delete process.env.KUBECONFIG;
      if (dir) rmSync(dir, { recursive: true, force: true });
      await Promise.all([kube?.stop(), mq?.stop()]);
    });

    it('annotates the master once the name-server file names a name server, logging each problem and change once', async () => {
      const file = join(dir, 'namesrvAddr');
      writeFileSync(file, '127.0.0.1:1\n');
      const stdout: string[] = [];
      const stderr: string[] = [];
      const stop = new AbortController();
      const command = { task: 'observe-roles' as const, namespace: NAMESPACE, podSelector: 'app=broker,broker_cr=mq', clusterName: 'mq' };
      const running = observeRolesCommand(
        { ...command, nameServersFile: file, intervalMs: 200, timeoutMs: 1000 },
        { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
        stop.signal,
      );
      await new Promise((r) => setTimeout(r, 1500));
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(/127\.0\.0\.1:1/);

      writeFileSync(file, `${mq.nameServer}\n`);
      const changed = Date.now();
      const api = kube.kubeConfig.makeApiClient(CoreV1Api);
      const role = () => api.readNamespacedPod({ name: pod, namespace: NAMESPACE }).then((p) => p.metadata?.annotations?.[ROLE_ANNOTATION]);
      expect(await until('the master annotated', role, 30_000)).toBe('master');
      console.log(`observe-roles: pod annotated ${Date.now() - changed} ms after the name-server file changed (rounds every 200 ms)`);
      stop.abort();
      expect(await running).toBe(0);
      expect(stdout.map((l) => l.replace(/^\S+ /, ''))).toEqual([
        'observing cluster mq (pods app=broker,broker_cr=mq in mq)',
        `name servers now ${mq.nameServer}`,
        `${pod}: unknown -> master`,
        'observing again',
      ]);
    });
  },
);
