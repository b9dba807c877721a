// The one place that renders a runner Job: the operator's image run as `node dist/hooks/runner/main.js`
// with a typed command, as an unprivileged, read-only container. Kinds choose the name, labels,
// identity and retries; everything about the pod itself is the same for every runner.
import type { V1EnvVar, V1Job, V1PodSpec, V1ResourceRequirements, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
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

export interface RunnerPodOptions {
  image: string;
  command: RunnerCommand;
  env?: V1EnvVar[];
  serviceAccountName?: string;
  restartPolicy: 'Never' | 'Always';
  resources: V1ResourceRequirements;
  volumes?: V1Volume[];
  volumeMounts?: V1VolumeMount[];
}

/** The runner's pod spec: unprivileged, read-only, with an API token only when it has an identity. */
export function runnerPodSpec(options: RunnerPodOptions): V1PodSpec {
  const { serviceAccountName } = options;
  return {
    serviceAccountName,
    automountServiceAccountToken: serviceAccountName ? undefined : false,
    restartPolicy: options.restartPolicy,
    securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: RUNNER_CONTAINER,
        image: options.image,
        command: ['node', 'dist/hooks/runner/main.js'],
        args: toArgs(options.command),
        env: options.env,
        resources: options.resources,
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: options.volumeMounts,
      },
    ],
    volumes: options.volumes,
  };
}

export function renderRunnerJob(options: RunnerJobOptions): RunnerJob {
  const { name, namespace, labels, annotations, serviceAccountName, observed } = options;
  const template = {
    metadata: { labels },
    spec: runnerPodSpec({
      image: options.image,
      command: options.command,
      env: options.env,
      serviceAccountName,
      // The Job, not the kubelet, starts a failed runner again: a new pod resumes from what the
      // last one recorded, and every attempt's logs stay readable.
      restartPolicy: 'Never',
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    }),
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
