import fc from 'fast-check';
import type { V1Job } from '@kubernetes/client-node';
import { parseArgs, type TopicTransferCommand } from '../../../hooks/jobs/runner-command.js';
import { renderRunnerJob, type RunnerJobOptions } from '../../../hooks/jobs/runner-job.js';
import { runnerCommand } from './commands.js';

const command: TopicTransferCommand = {
  task: 'transfer',
  name: 'move',
  namespace: 'mq',
  nameServers: 'ns-0:9876',
  topic: 'T',
  source: 'a',
  target: 'b',
  consumeTimeoutSeconds: 600,
};
const options: RunnerJobOptions = {
  name: 'move-transfer',
  namespace: 'mq',
  labels: { app: 'runner' },
  image: 'operator:1',
  command,
  backoffLimit: 6,
};

describe('a runner Job', () => {
  it('runs the runner entry with the command, unprivileged and read-only', () => {
    const job = renderRunnerJob(options);
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'move-transfer', namespace: 'mq', labels: { app: 'runner' } },
    });
    expect(job.spec).toEqual({
      backoffLimit: 6,
      template: {
        metadata: { labels: { app: 'runner' } },
        spec: {
          automountServiceAccountToken: false,
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'runner',
              image: 'operator:1',
              command: ['node', 'dist/hooks/runner/main.js'],
              args: [
                'topic-transfer',
                '--mode=transfer',
                '--name=move',
                '--namespace=mq',
                '--namesrv=ns-0:9876',
                '--topic=T',
                '--source=a',
                '--target=b',
                '--consume-timeout-seconds=600',
              ],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    });
  });

  it('carries the arguments the runner reads back as the same command', () => {
    fc.assert(
      fc.property(runnerCommand, (c) => {
        const args = renderRunnerJob({ ...options, command: c }).spec!.template.spec!.containers[0].args!;
        expect(parseArgs(args)).toEqual(c);
      }),
    );
  });

  it('mounts an API token only for a runner given its own identity', () => {
    const spec = renderRunnerJob({ ...options, serviceAccountName: 'move-transfer' }).spec!.template.spec!;
    expect(spec.serviceAccountName).toBe('move-transfer');
    expect(spec).not.toHaveProperty('automountServiceAccountToken');
  });

  it('puts annotations on the Job and sets suspend only when true', () => {
    const job = renderRunnerJob({ ...options, annotations: { note: 'x' }, suspend: true });
    expect(job.metadata.annotations).toEqual({ note: 'x' });
    expect(job.spec!.template.metadata).toEqual({ labels: { app: 'runner' } });
    expect(job.spec!.suspend).toBe(true);
    expect(renderRunnerJob({ ...options, suspend: false }).spec).not.toHaveProperty('suspend');
  });

  it('keeps the template and retries of an observed Job, which cannot change, and follows suspend', () => {
    const observed: V1Job = { spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'runner', args: ['older'] }] } } } };
    const job = renderRunnerJob({ ...options, image: 'operator:2', suspend: true, observed });
    expect(job.spec).toEqual({ backoffLimit: 2, suspend: true, template: observed.spec!.template });
  });
});
