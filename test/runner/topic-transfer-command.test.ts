// The runner reads exactly the arguments the TopicTransfer hook renders into its Jobs.
import { parseArgs } from '../../hooks/jobs/runner-command.js';
import { runRunner } from '../../hooks/runner/main.js';
import { renderTransferJob, type TransferTask } from '../../hooks/topictransfer/render.js';

const parent = {
  name: 'move',
  namespace: 'mq',
  spec: { topic: 'TopicTest', sourceCluster: 'broker-0', targetCluster: 'broker', consumeTimeoutSeconds: 900 },
};

function renderedArgs(task: TransferTask): string[] {
  const job = renderTransferJob(parent, task, 'ns-0.ns.mq.svc:9876;ns-1.ns.mq.svc:9876', 'operator:1', { suspend: false });
  return job.spec!.template.spec!.containers[0].args!;
}

describe('the topic-transfer runner command', () => {
  it.each<TransferTask>(['transfer', 'rollback'])('understands the %s Job the hook renders', (task) => {
    const args = renderedArgs(task);
    expect(args[0]).toBe('topic-transfer');
    expect(parseArgs(args)).toEqual({
      task,
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
    expect(errors.join('\n')).toMatch(
      /missing --name, --namespace, --namesrv, --topic, --source, --target, --consume-timeout-seconds\nusage: topic-transfer/,
    );
  });

  it('refuses an unknown mode', () => {
    const args = renderedArgs('transfer').map((a) => (a.startsWith('--mode=') ? '--mode=sideways' : a));
    expect(() => parseArgs(args)).toThrow(/--mode must be transfer or rollback, got "sideways"/);
  });
});
