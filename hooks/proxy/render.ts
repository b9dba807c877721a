// The proxies: a Deployment running bin/mqproxy in cluster mode from the generated rmq-proxy.json,
// the ConfigMap holding that file, a Service in front of them and a PodDisruptionBudget.
import { merged } from '../core/merged.js';
import { renderConfigMap } from '../k8s/config-map.js';
import type { KubeObject } from '../core/metacontroller.js';
import { renderDisruptionBudget } from '../k8s/disruption-budget.js';
import { shortTextHash } from '../k8s/hash.js';
import { commonLabels } from '../k8s/labels.js';
import { DEFAULT_CONTAINER_SECURITY_CONTEXT, defaultPodSecurityContext, passThroughPodFields, tcpProbe } from '../k8s/pod.js';
import { prune } from '../k8s/prune.js';
import { canonicalResources } from '../k8s/quantity.js';
import { credentialEnv, proxyAclSteps } from '../rocketmq-pods/acl.js';
import { imageFlavor, officialProxyCommand, PROXY_CONFIG_DIR, PROXY_CONFIG_FILE, STOP_JVMS_LIFECYCLE } from '../rocketmq-pods/image.js';
import { jvmOptionsForLimit, withJvmFlags } from '../rocketmq-pods/jvm.js';
import type { ProxySpec } from '../schema/types.js';
import { PROXY_PORTS, proxyConfigMapName, proxyPodSelector } from './names.js';

/** Hash of rmq-proxy.json on the pod template, so a configuration change rolls the proxies. */
export const CONFIG_HASH_ANNOTATION = 'rocketmq.apache.org/config-hash';

const CONFIG_VOLUME = 'proxy-config';
/**
 * What a proxy writes: its logs, and at start a self-signed certificate for gRPC's TLS in the JVM's
 * temporary directory. Volumes of their own keep that working with `readOnlyRootFilesystem: true`.
 */
const WRITABLE_VOLUMES = { 'proxy-logs': 'logs', 'proxy-tmp': '/tmp' } as const;
/** In memory: the copy of rmq-proxy.json with the account, written at each start. */
const ACL_VOLUME = 'proxy-acl';
const ACL_DIR = '/run/rocketmq-proxy';
const ACL_CONFIG = `${ACL_DIR}/${PROXY_CONFIG_FILE}`;
const JVM_VARIABLE = 'JAVA_OPT_EXT';

export interface ProxyParent {
  name: string;
  namespace: string;
  spec: ProxySpec;
}

/** Proxies prefer different nodes, so one node failure takes at most one of them. */
function spreadAntiAffinity(name: string) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: proxyPodSelector(name) }, topologyKey: 'kubernetes.io/hostname' } },
      ],
    },
  };
}

export function renderProxyConfigMap({ name, namespace }: ProxyParent, configText: string): KubeObject {
  return renderConfigMap({
    component: 'proxy',
    instance: name,
    name: proxyConfigMapName(name),
    namespace,
    data: { [PROXY_CONFIG_FILE]: configText },
  });
}

/** With the cluster's admin Secret, the proxy starts from a copy of its configuration with the account added. */
export function renderProxyDeployment(parent: ProxyParent, configText: string, adminSecret?: string): KubeObject {
  const { name, namespace, spec } = parent;
  const flavor = imageFlavor(spec.proxyImage);
  const resources = canonicalResources(spec.resources);
  const memory = resources?.limits?.memory;
  const selector = proxyPodSelector(name);
  const container = {
    name: 'proxy',
    image: spec.proxyImage,
    imagePullPolicy: spec.imagePullPolicy,
    command:
      adminSecret === undefined
        ? flavor.proxyCommand
        : officialProxyCommand(proxyAclSteps(`${PROXY_CONFIG_DIR}/${PROXY_CONFIG_FILE}`, ACL_CONFIG), ACL_CONFIG),
    resources,
    // The user's JAVA_OPT_EXT follows the sizing from the limit, so a flag the user repeats wins.
    env: [
      ...(adminSecret === undefined ? [] : credentialEnv(adminSecret).filter((e) => !spec.env?.some((u) => u.name === e.name))),
      ...withJvmFlags(prune(spec.env) ?? [], JVM_VARIABLE, memory === undefined ? undefined : jvmOptionsForLimit(memory)),
    ],
    ports: Object.entries(PROXY_PORTS).map(([portName, port]) => ({ name: portName, containerPort: port, protocol: 'TCP' })),
    securityContext: spec.containerSecurityContext ?? DEFAULT_CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [
      { name: CONFIG_VOLUME, mountPath: PROXY_CONFIG_DIR, readOnly: true },
      ...Object.entries(WRITABLE_VOLUMES).map(([volume, path]) => ({
        name: volume,
        mountPath: path.startsWith('/') ? path : `${flavor.dataRoot}/${path}`,
      })),
      ...(adminSecret === undefined ? [] : [{ name: ACL_VOLUME, mountPath: ACL_DIR }]),
    ],
    // Clients speak gRPC to the proxies: a proxy is in service once that port accepts connections.
    readinessProbe: tcpProbe(PROXY_PORTS.grpc, 5, 3),
    livenessProbe: tcpProbe(PROXY_PORTS.grpc, 30, 6),
    // bin/mqproxy runs the JVM under a shell that ignores SIGTERM.
    lifecycle: STOP_JVMS_LIFECYCLE,
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: commonLabels('proxy', name) },
    spec: {
      replicas: spec.size,
      selector: { matchLabels: selector },
      // One proxy at a time is out of service; a lone proxy is replaced only once its successor is Ready.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: spec.size > 1 ? 1 : 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: merged(commonLabels('proxy', name), selector),
          annotations: merged(spec.podAnnotations, { [CONFIG_HASH_ANNOTATION]: shortTextHash(configText) }),
        },
        spec: merged(passThroughPodFields(spec), {
          affinity: spec.affinity ?? spreadAntiAffinity(name),
          securityContext: spec.securityContext ?? defaultPodSecurityContext(flavor),
          containers: [container],
          volumes: [
            { name: CONFIG_VOLUME, configMap: { name: proxyConfigMapName(name) } },
            ...Object.keys(WRITABLE_VOLUMES).map((volume) => ({ name: volume, emptyDir: {} })),
            ...(adminSecret === undefined ? [] : [{ name: ACL_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]),
          ],
        }),
      },
    },
  };
  return prune(deployment);
}

export function renderProxyService({ name, namespace, spec }: ProxyParent): KubeObject {
  return prune({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: commonLabels('proxy', name), annotations: spec.serviceAnnotations },
    spec: {
      type: spec.serviceType,
      selector: proxyPodSelector(name),
      ports: Object.entries(PROXY_PORTS).map(([portName, port]) => ({ name: portName, port, targetPort: port, protocol: 'TCP' })),
    },
  });
}

/** Node drains evict one proxy at a time, as rolling updates replace them. */
export function renderProxyDisruptionBudget({ name, namespace }: ProxyParent): KubeObject {
  return renderDisruptionBudget({ component: 'proxy', instance: name, name, namespace, podSelector: proxyPodSelector(name) });
}
