// The pod template of one broker, with hashes that tell whether a running pod is current.
import type { V1Volume } from '@kubernetes/client-node';
import { InvalidSpecError } from '../../core/errors.js';
import type { KubeObject } from '../../core/metacontroller.js';
import { shortHash } from '../../k8s/hash.js';
import { imageFlavor } from '../../rocketmq-pods/image.js';
import { commonLabels } from '../../k8s/labels.js';
import { DEFAULT_CONTAINER_SECURITY_CONTEXT, defaultPodSecurityContext, passThroughPodFields, tcpProbe } from '../../k8s/pod.js';
import { prune } from '../../k8s/prune.js';
import { checkedResources } from '../../k8s/resources.js';
import type { Storage } from '../../k8s/storage.js';
import type { BrokerSpec } from '../../schema/types.js';
import type { BrokerMember } from '../members.js';
import { BROKER_NAME_LABEL, brokerConfigKey, brokerConfigMapName, brokerPodSelector, memberPodSelector } from '../names.js';
import { brokerEnv } from './env.js';

export const BROKER_PORTS = { vip: 10909, main: 10911, ha: 10912 } as const;

/** Hash of the broker's broker.conf, so a configuration change changes the pod template. */
export const CONFIG_HASH_ANNOTATION = 'rocketmq.apache.org/config-hash';
/** Hash of the whole desired template: the observed one carries it, so comparing needs no field-by-field diff. */
export const TEMPLATE_HASH_ANNOTATION = 'rocketmq.apache.org/template-hash';

const CONFIG_VOLUME = 'rocketmq-broker-conf';

export interface BrokerParent {
  name: string;
  namespace: string;
  spec: BrokerSpec;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The pod volume names the operator adds; a user volume of the same name would clash with it. */
export function checkVolumeNames(parent: BrokerParent, storage: Storage): void {
  const reserved = [storage.volumeName, CONFIG_VOLUME];
  const details = (parent.spec.volumes ?? [])
    .map((v, i) => ({ v, i }))
    .filter(({ v }) => reserved.includes(v.name))
    .map(({ v, i }) => `spec.volumes[${i}].name: "${v.name}" is the operator's ${v.name === CONFIG_VOLUME ? 'broker.conf volume' : 'data volume (volumeClaimTemplates[0])'}; rename it`);
  if (details.length > 0) throw new InvalidSpecError('Broker', parent.name, details);
}

/** Group members prefer different nodes, so one node failure does not take a master and its replicas. */
function groupAntiAffinity(name: string, member: BrokerMember) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: { ...brokerPodSelector(name), [BROKER_NAME_LABEL]: member.brokerName } },
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  };
}

export interface BrokerPodInput {
  parent: BrokerParent;
  member: BrokerMember;
  nameServers: string;
  conf: string;
  storage: Storage;
}

export function brokerPodTemplate({ parent, member, nameServers, conf, storage }: BrokerPodInput): PodTemplate {
  const { name, spec } = parent;
  const flavor = imageFlavor(spec.brokerImage);
  const resources = checkedResources('spec.resources', spec.resources);
  const volumes: V1Volume[] = [...(spec.volumes ?? []), ...storage.volumes, { name: CONFIG_VOLUME, configMap: { name: brokerConfigMapName(name) } }];
  const container = {
    name: 'broker',
    image: spec.brokerImage,
    imagePullPolicy: spec.imagePullPolicy,
    command: flavor.brokerCommand,
    resources,
    env: brokerEnv({ clusterName: name, member, nameServers, memoryLimit: resources?.limits?.memory as string | undefined, flavor, userEnv: spec.env }),
    ports: Object.entries(BROKER_PORTS).map(([portName, port]) => ({ name: portName, containerPort: port, protocol: 'TCP' })),
    securityContext: spec.containerSecurityContext ?? DEFAULT_CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [
      { name: storage.volumeName, mountPath: `${flavor.dataRoot}/logs`, subPath: `logs/${member.statefulSet}` },
      { name: storage.volumeName, mountPath: `${flavor.dataRoot}/store`, subPath: `store/${member.statefulSet}` },
      { name: CONFIG_VOLUME, mountPath: flavor.brokerConfigPath, subPath: brokerConfigKey(member) },
    ],
    // Readiness only: a broker replaying its commit log after a crash must not be killed for being slow.
    readinessProbe: tcpProbe(BROKER_PORTS.main, 10, 3),
  };
  const template: PodTemplate = prune({
    metadata: {
      labels: { ...commonLabels('broker', name), ...memberPodSelector(name, member), [BROKER_NAME_LABEL]: member.brokerName },
      annotations: { ...spec.podAnnotations, [CONFIG_HASH_ANNOTATION]: shortHash(conf) },
    },
    spec: {
      ...passThroughPodFields(spec),
      affinity: spec.affinity ?? groupAntiAffinity(name, member),
      hostNetwork: spec.hostNetwork || undefined,
      dnsPolicy: spec.hostNetwork ? 'ClusterFirstWithHostNet' : undefined,
      securityContext: spec.securityContext ?? defaultPodSecurityContext(flavor),
      containers: [container],
      volumes,
    },
  });
  template.metadata.annotations[TEMPLATE_HASH_ANNOTATION] = shortHash(template);
  return template;
}

/** The template hash an operator-made StatefulSet's pods are made from. */
export function statefulSetTemplateHash(statefulSet: KubeObject | undefined): string | undefined {
  const spec = statefulSet?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined;
  return spec?.template?.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION];
}

/** The template hash a pod was made from. */
export function podTemplateHash(pod: { metadata?: { annotations?: Record<string, string> } } | undefined): string | undefined {
  return pod?.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION];
}
