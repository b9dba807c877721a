// The one place that renders a runner Job: the operator's image run as `node dist/hooks/runner/main.js`
// with a typed command, as an unprivileged, read-only container. Kinds choose the name, labels,
// identity and retries; everything about the pod itself is the same for every runner.
import type { V1EnvVar, V1Job } from '@kubernetes/client-node';
import type { KubeObject } from '../core/metacontroller.js';
import { prune } from '../k8s/prune.js';
import { toArgs, type RunnerCommand } from './runner-command.js';

export type RunnerJob = V1Job & KubeObject;

export interface RunnerJobOptions {
  name: string;
  namespace: string;
  /** On the Job and on its pods. */
  labels: Record<string, string>;
  /** On the Job only. */
  annotations?: Record<string, string>;
  image: string;
  command: RunnerCommand;
  /** Variables of the runner, such as the admin account read from a Secret. */
  env?: V1EnvVar[];
  /**
   * The identity the runner acts as on the API server. Without one the pod gets no API token at all:
   * a runner that only talks to RocketMQ has no use for the namespace's default identity.
   */
  serviceAccountName?: string;
  /** Failed pods before the Job gives up. */
  backoffLimit: number;
  /** Stops the Job's pods, and starts none, while true. */
  suspend?: boolean;
  /**
   * The Job as observed. A Job's pod template cannot change once created, so an existing Job keeps
   * its template, and the retries it was given; only labels, annotations and `suspend` follow the
   * options.
   */
  observed?: V1Job;
}

export const RUNNER_CONTAINER = 'runner';

export function renderRunnerJob(options: RunnerJobOptions): RunnerJob {
  const { name, namespace, labels, annotations, serviceAccountName, observed } = options;
  const template = {
    metadata: { labels },
    spec: {
      serviceAccountName,
      automountServiceAccountToken: serviceAccountName ? undefined : false,
      // The Job, not the kubelet, starts a failed runner again: a new pod resumes from what the
      // last one recorded, and every attempt's logs stay readable.
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: RUNNER_CONTAINER,
          image: options.image,
          command: ['node', 'dist/hooks/runner/main.js'],
          args: toArgs(options.command),
          env: options.env,
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
  return prune({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels, annotations },
    spec: {
      backoffLimit: observed?.spec?.backoffLimit ?? options.backoffLimit,
      // Left out unless true: false is the API server's default.
      suspend: options.suspend || undefined,
      template: observed?.spec?.template ?? template,
    },
  });
}
