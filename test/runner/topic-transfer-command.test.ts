// The runner reads exactly the arguments the TopicTransfer hook renders into its Jobs.
import { runRunner } from '../../hooks/runner/main.js';
import { parseTransferArgs } from '../../hooks/runner/transfer/command.js';
import { renderRunnerJob, type RunnerMode } from '../../hooks/topictransfer/render.js';

const parent = {
  name: 'move',
  namespace: 'mq',
  spec: { topic: 'TopicTest', sourceCluster: 'broker-0', targetCluster: 'broker', consumeTimeoutSeconds: 900 },
};

function renderedArgs(mode: RunnerMode): string[] {
  const job = renderRunnerJob(parent, mode, 'ns-0.ns.mq.svc:9876;ns-1.ns.mq.svc:9876', 'operator:1', { suspend: false }) as any;
  return job.spec.template.spec.containers[0].args;
}

describe('the topic-transfer runner command', () => {
  it.each<RunnerMode>(['transfer', 'rollback'])('understands the %s Job the hook renders', (mode) => {
    const [command, ...args] = renderedArgs(mode);
    expect(command).toBe('topic-transfer');
    expect(parseTransferArgs(args)).toEqual({
      mode,
      name: 'move',
      namespace: 'mq',
      nameServers: 'ns-0.ns.mq.svc:9876;ns-1.ns.mq.svc:9876',
      topic: 'TopicTest',
      source: 'broker-0',
      target: 'broker',
      consumeTimeoutSeconds: 900,
    });
  });

  it('is dispatched by the runner entry and answers bad arguments with its usage, exit 2', async () => {
    const errors: string[] = [];
    const code = await runRunner(['topic-transfer', '--mode=sideways'], { stdout: () => undefined, stderr: (line) => errors.push(line) });
    expect(code).toBe(2);
    expect(errors.join('\n')).toMatch(/missing --name, --namespace, --namesrv, --topic, --source, --target, --consume-timeout-seconds\nusage: topic-transfer/);
  });

  it('refuses an unknown mode', () => {
    const args = renderedArgs('transfer').slice(1).map((a) => (a.startsWith('--mode=') ? '--mode=sideways' : a));
    expect(() => parseTransferArgs(args)).toThrow(/--mode must be transfer or rollback, got "sideways"/);
  });
});
