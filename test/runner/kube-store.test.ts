// The transfer record on a real kube-apiserver, written as the runner's ServiceAccount with exactly
// the Role the TopicTransfer hook renders (get and patch on its own TopicTransfer).
// Missing binaries fail this file, unless SKIP_KUBE_E2E=1 says to skip with the reason.
import { KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { kubernetesTransferStore } from '../../hooks/runner/transfer/kube-store.js';
import { ConflictError } from '../../hooks/runner/transfer/store.js';
import { packageRoot } from '../../hooks/schema/crds.js';
import { renderRunnerAccess, runnerIdentity } from '../../hooks/topictransfer/render.js';
import { TRANSFER_STATE_ANNOTATION, type TransferState } from '../../hooks/topictransfer/state.js';
import { kubeSkipReason, serviceAccountIdentity, startApiServer, type ApiServer } from '../support/apiserver.js';

const BUILD_TIMEOUT_MS = 25 * 60 * 1000;
const NAMESPACE = 'mq';

const unavailable = await kubeSkipReason('the transfer store tests');

const spec = {
  topic: 'orders',
  sourceCluster: 'broker-0',
  targetCluster: 'broker-1',
  nameServers: 'ns-0.ns:9876',
  consumeTimeoutSeconds: 600,
};
const record = (step: number): TransferState => ({ phase: 'Running', step, steps: [], message: `step ${step}` });

(unavailable ? describe.skip : describe)('the transfer record on a TopicTransfer', () => {
  let kube: ApiServer;
  let runner: KubeConfig;

  async function ok(args: string[], stdin?: string): Promise<string> {
    const result = await kube.kubectl(args, stdin);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }

  async function annotation(name: string): Promise<string | undefined> {
    const object = JSON.parse(await ok(['get', 'topictransfer', name, '-n', NAMESPACE, '-o', 'json']));
    return object.metadata.annotations?.[TRANSFER_STATE_ANNOTATION];
  }

  beforeAll(async () => {
    kube = await startApiServer();
    await ok(['apply', '-f', join(packageRoot(), 'crds', 'topictransfer.yaml')]);
    await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd', 'topictransfers.rocketmq.apache.org']);
    await ok(['create', 'namespace', NAMESPACE]);
    for (const name of ['move', 'other']) {
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'rocketmq.apache.org/v1alpha1',
          kind: 'TopicTransfer',
          metadata: { name, namespace: NAMESPACE },
          spec,
        }),
      );
    }
    for (const object of renderRunnerAccess({ name: 'move', namespace: NAMESPACE, spec }))
      await ok(['apply', '-f', '-'], JSON.stringify(object));
    runner = new KubeConfig();
    runner.loadFromFile(await kube.writeKubeconfig('runner', { impersonate: serviceAccountIdentity(NAMESPACE, runnerIdentity('move')) }));
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await kube?.stop();
  });

  it('starts empty and keeps each saved record as the annotation the hooks read', async () => {
    const store = kubernetesTransferStore(runner, NAMESPACE, 'move');
    const first = await store.load();
    expect(first.state).toBeUndefined();
    const version = await store.save(record(1), first.version);
    expect(version).not.toBe(first.version);
    expect(JSON.parse((await annotation('move'))!)).toEqual(record(1));
    const second = await store.save(record(2), version);
    expect(await kubernetesTransferStore(runner, NAMESPACE, 'move').load()).toEqual({ state: record(2), version: second });
  });

  it('refuses the write of a runner whose record another runner changed since it read it', async () => {
    const mine = kubernetesTransferStore(runner, NAMESPACE, 'move');
    const theirs = kubernetesTransferStore(runner, NAMESPACE, 'move');
    const loaded = await mine.load();
    const raced = await theirs.load();
    await theirs.save(record(5), raced.version);
    await expect(mine.save(record(6), loaded.version)).rejects.toBeInstanceOf(ConflictError);
    expect(JSON.parse((await annotation('move'))!)).toEqual(record(5));
  });

  it('writes on when only the status changed meanwhile, as Metacontroller does after each write', async () => {
    const store = kubernetesTransferStore(runner, NAMESPACE, 'move');
    const { version } = await store.load();
    await ok([
      'patch',
      'topictransfer',
      'move',
      '-n',
      NAMESPACE,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { phase: 'Running', step: 3 } }),
    ]);
    await store.save(record(7), version);
    expect(JSON.parse((await annotation('move'))!)).toEqual(record(7));
  });

  it("may do exactly what the runner needs, by the apiserver's own authorizer", async () => {
    const identity = serviceAccountIdentity(NAMESPACE, runnerIdentity('move'));
    const canI = async (...args: string[]) => (await kube.kubectlAs(identity, ['auth', 'can-i', ...args, '-n', NAMESPACE])).stdout.trim();
    expect(await canI('get', 'topictransfers/move')).toBe('yes');
    expect(await canI('patch', 'topictransfers/move')).toBe('yes');
    for (const forbidden of [
      ['update', 'topictransfers/move'],
      ['delete', 'topictransfers/move'],
      ['patch', 'topictransfers/move', '--subresource=status'],
      ['get', 'topictransfers/other'],
      ['patch', 'topictransfers/other'],
      ['list', 'topictransfers'],
      ['create', 'topictransfers'],
      ['get', 'configmaps'],
      ['get', 'secrets'],
      ['create', 'pods'],
      ['patch', 'brokers/move'],
    ]) {
      expect([forbidden.join(' '), await canI(...forbidden)]).toEqual([forbidden.join(' '), 'no']);
    }
  });

  it('cannot read or write any other TopicTransfer', async () => {
    await expect(kubernetesTransferStore(runner, NAMESPACE, 'other').load()).rejects.toMatchObject({ code: 403 });
  });

  it('will not act on a record it cannot read', async () => {
    await ok(['annotate', '--overwrite', 'topictransfer', 'other', '-n', NAMESPACE, `${TRANSFER_STATE_ANNOTATION}=not json`]);
    const admin = kube.kubeConfig;
    await expect(kubernetesTransferStore(admin, NAMESPACE, 'other').load()).rejects.toThrow(
      /annotation of TopicTransfer mq\/other is unreadable; not acting on it/,
    );
  });
});
