// The dashboard: a Deployment made from the user's whole consoleDeployment, pointed at the name
// servers, and a Service in front of it.
import type { V1Container, V1EnvVar, V1LabelSelector, V1Volume } from '@kubernetes/client-node';
import { merged } from '../core/merged.js';
import type { KubeObject } from '../core/metacontroller.js';
import { commonLabels } from '../k8s/labels.js';
import { prune } from '../k8s/prune.js';
import { canonicalQuantity, canonicalResources } from '../k8s/quantity.js';
import { keepImmutableFields } from '../k8s/statefulset.js';
import { credentialEnv } from '../rocketmq-pods/acl.js';
import type { ConsoleSpec } from '../schema/types.js';

export const DASHBOARD_ACCESS_KEY_ENV = 'ROCKETMQ_CONFIG_ACCESSKEY';
export const DASHBOARD_SECRET_KEY_ENV = 'ROCKETMQ_CONFIG_SECRETKEY';

/** The dashboard's port when its container declares none (rocketmq-dashboard and rocketmq-console listen on 8080). */
const DEFAULT_DASHBOARD_PORT = 8080;

export interface ConsoleParent {
  name: string;
  namespace: string;
  spec: ConsoleSpec;
}

/** On every dashboard pod, whatever selector the user gives: the Service selects by it. */
export function consolePodLabels(name: string): Record<string, string> {
  return { 'rocketmq.apache.org/console': name };
}

export function consoleServiceName(name: string): string {
  return `${name}-dashboard`;
}

export function nameServerJavaOpts(nameServers: string): string {
  return `-Drocketmq.namesrv.addr=${nameServers} -Dcom.rocketmq.sendMessageWithVIPChannel=false`;
}

/**
 * JAVA_OPTS with the name servers: appended to the user's value, so there is one entry (a JAVA_OPTS
 * from valueFrom is refused by readConsole, since nothing could be appended to it).
 */
function withNameServers(env: V1EnvVar[] | undefined, nameServers: string): V1EnvVar[] {
  const flags = nameServerJavaOpts(nameServers);
  const index = (env ?? []).findIndex((e) => e.name === 'JAVA_OPTS');
  if (index < 0) return [...(env ?? []), { name: 'JAVA_OPTS', value: flags }];
  const entry = env![index];
  return env!.map((e, i) => (i === index ? { name: 'JAVA_OPTS', value: entry.value ? `${entry.value} ${flags}` : flags } : e));
}

/**
 * The dashboard's rocketmq.config.accessKey and secretKey (Spring reads them from these variables),
 * from the Secret; a variable of the same name the user sets is left as it is.
 */
function withAccount(env: V1EnvVar[], adminSecret: string | undefined): V1EnvVar[] {
  if (adminSecret === undefined) return env;
  const [accessKey, secretKey] = credentialEnv(adminSecret);
  const account = [
    { ...accessKey, name: DASHBOARD_ACCESS_KEY_ENV },
    { ...secretKey, name: DASHBOARD_SECRET_KEY_ENV },
  ];
  return [...env, ...account.filter((a) => !env.some((e) => e.name === a.name))];
}

function canonicalContainer(container: V1Container): V1Container {
  return container.resources ? { ...container, resources: canonicalResources(container.resources) } : container;
}

function canonicalVolume(volume: V1Volume): V1Volume {
  const sizeLimit = volume.emptyDir?.sizeLimit;
  return sizeLimit === undefined ? volume : { ...volume, emptyDir: { ...volume.emptyDir, sizeLimit: canonicalQuantity(sizeLimit) } };
}

/**
 * Every field of consoleDeployment is kept. The operator sets the name, adds its labels (the user's
 * win), a selector when the user gives none, and the name servers to the first container.
 */
export function renderConsoleDeployment(
  parent: ConsoleParent,
  nameServers: string,
  observed?: KubeObject,
  adminSecret?: string,
): KubeObject {
  const { name, namespace, spec } = parent;
  const source = spec.consoleDeployment;
  const deploymentSpec = source.spec!;
  const podSpec = deploymentSpec.template.spec!;
  const observedSelector = (observed?.spec as { selector?: V1LabelSelector } | undefined)?.selector;
  const selector = observedSelector ?? deploymentSpec.selector ?? { matchLabels: consolePodLabels(name) };
  const [first, ...others] = podSpec.containers;
  const env = withAccount(withNameServers(first.env, nameServers), adminSecret);
  const containers = [{ ...first, env }, ...others].map(canonicalContainer);
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      labels: merged(commonLabels('console', name), source.metadata?.labels),
      annotations: source.metadata?.annotations,
    },
    spec: {
      ...deploymentSpec,
      selector,
      template: {
        ...deploymentSpec.template,
        metadata: {
          ...deploymentSpec.template.metadata,
          // The pods must match the selector in force, which may be the observed one.
          labels: {
            ...commonLabels('console', name),
            ...deploymentSpec.template.metadata?.labels,
            ...consolePodLabels(name),
            ...selector.matchLabels,
          },
        },
        spec: {
          ...podSpec,
          containers,
          initContainers: podSpec.initContainers?.map(canonicalContainer),
          volumes: podSpec.volumes?.map(canonicalVolume),
        },
      },
    },
  };
  // Only the selector of a Deployment is immutable; keeping the observed one avoids a refused update.
  return keepImmutableFields(prune(deployment) as KubeObject, observed);
}

export function renderConsoleService(parent: ConsoleParent): KubeObject {
  const { name, namespace, spec } = parent;
  const dashboard = spec.consoleDeployment.spec!.template.spec!.containers[0];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: consoleServiceName(name), namespace, labels: commonLabels('console', name) },
    spec: {
      type: spec.serviceType,
      selector: consolePodLabels(name),
      ports: [
        {
          name: 'http',
          port: spec.servicePort,
          targetPort: dashboard.ports?.[0]?.containerPort ?? DEFAULT_DASHBOARD_PORT,
          protocol: 'TCP',
        },
      ],
    },
  };
}
