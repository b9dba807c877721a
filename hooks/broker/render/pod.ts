// The pod template of one broker, with hashes that tell whether a running pod is current.
import type { V1Volume } from '@kubernetes/client-node';
import { InvalidSpecError } from '../../core/errors.js';
import { merged } from '../../core/merged.js';
import type { KubeObject } from '../../core/metacontroller.js';
import { jsonTextTemplate, shortHash, shortTextHash } from '../../k8s/hash.js';
import { aclGeneration, aclSecretOf, brokerAclSteps, credentialEnv, usesPlainAcl } from '../../rocketmq-pods/acl.js';
import { BROKER_LOGBACK_KEY, BROKER_LOGBACK_PATH } from '../../rocketmq-pods/broker-logging.js';
import { type ImageFlavor, imageFlavor, officialBrokerCommand, STOP_JVMS_LIFECYCLE } from '../../rocketmq-pods/image.js';
import { commonLabels } from '../../k8s/labels.js';
import { DEFAULT_CONTAINER_SECURITY_CONTEXT, defaultPodSecurityContext, passThroughPodFields, tcpProbe } from '../../k8s/pod.js';
import { markPruned, prune } from '../../k8s/prune.js';
import { canonicalResources } from '../../k8s/quantity.js';
import type { Storage } from '../../k8s/storage.js';
import type { BrokerSpec } from '../../schema/types.js';
import type { BrokerMember, BrokerRole } from '../members.js';
import { clusterNameOf } from '../../rocketmq-pods/cluster.js';
import {
  BROKER_NAME_LABEL,
  BROKER_ROLE_LABEL,
  brokerConfigKey,
  brokerRoleLabel,
  brokerConfigMapName,
  brokerPodSelector,
  memberPodSelector,
  NAMESRV_ADDR_KEY,
} from '../names.js';
import { failoverMode } from '../failover.js';
import { DLEDGER_PORT } from './election.js';
import { brokerEnvRenderer } from './env.js';
import { brokerMetricsPort, METRICS_PORT_NAME } from './metrics.js';

export const BROKER_PORTS = { vip: 10909, main: 10911, ha: 10912 } as const;

/**
 * The ports a broker pod listens on, by their port names: RocketMQ's, its DLedger commit log's in
 * DLEDGER mode, and the exporter's when it serves metrics.
 */
export function brokerPorts(metricsPort: number | undefined, dledger = false): Record<string, number> {
  if (metricsPort === undefined && !dledger) return BROKER_PORTS;
  return merged(
    BROKER_PORTS,
    dledger ? { [DLEDGER_PORT_NAME]: DLEDGER_PORT } : undefined,
    metricsPort === undefined ? undefined : { [METRICS_PORT_NAME]: metricsPort },
  );
}

const DLEDGER_PORT_NAME = 'dledger';

/** Hash of the broker's broker.conf, so a configuration change changes the pod template. */
export const CONFIG_HASH_ANNOTATION = 'rocketmq.apache.org/config-hash';
/** Hash of the whole desired template: the observed one carries it, so comparing needs no field-by-field diff. */
export const TEMPLATE_HASH_ANNOTATION = 'rocketmq.apache.org/template-hash';
/**
 * Only for images whose brokers read namesrvAddr at start alone (before 4.9.4): the list they must
 * start with, so a new list changes the template and brokers roll onto it one at a time.
 */
export const RESTART_NAME_SERVERS_ANNOTATION = 'rocketmq.apache.org/name-servers';

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
    .map(
      ({ v, i }) =>
        `spec.volumes[${i}].name: "${v.name}" is the operator's ${v.name === CONFIG_VOLUME ? 'broker.conf volume' : 'data volume (volumeClaimTemplates[0])'}; rename it`,
    );
  if (details.length > 0) throw new InvalidSpecError('Broker', parent.name, details);
}

/**
 * Where the spec enables acl, the operator's start command must be the one that starts the broker,
 * since it writes the account; and RocketMQ 4 replicas do not sign the requests they make to their
 * master, so their master would refuse them.
 */
export function checkAcl(parent: BrokerParent): void {
  const { spec } = parent;
  if (aclSecretOf(spec.acl) === undefined) return;
  const details: string[] = [];
  if (imageFlavor(spec.brokerImage, spec.imageFlavor).brokerConfigCopy === undefined) {
    details.push(
      `spec.acl.enabled: ${spec.brokerImage} is an original-operator image that starts the broker by itself, so the operator cannot give it the account; use an official image (apache/rocketmq) or disable acl`,
    );
  }
  if (aclGeneration(spec.brokerImage) === 'plain' && spec.replicaPerGroup > 0) {
    details.push(
      `spec.acl.enabled: RocketMQ 4 replicas (${spec.brokerImage}) send their master unsigned requests, which ACL refuses; set spec.replicaPerGroup to 0 or use a RocketMQ 5 image`,
    );
  }
  if (details.length > 0) throw new InvalidSpecError('Broker', parent.name, details);
}

/** The command that starts a broker: with acl, one that first writes the Secret's account where RocketMQ reads it. */
function brokerCommand(spec: BrokerSpec, flavor: ImageFlavor): string[] | undefined {
  if (aclSecretOf(spec.acl) === undefined || flavor.brokerConfigCopy === undefined) return flavor.brokerCommand;
  return officialBrokerCommand(brokerAclSteps(aclGeneration(spec.brokerImage), flavor.brokerConfigCopy));
}

/** Group members prefer different nodes, so one node failure does not take a master and its replicas. */
function groupAntiAffinity(name: string, member: BrokerMember) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: merged(brokerPodSelector(name), { [BROKER_NAME_LABEL]: member.brokerName }) },
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  };
}

/**
 * Masters of different groups prefer different nodes, so one node failure stops writes to at most
 * one group. A preference only: a cluster with fewer nodes than groups still schedules every master.
 */
function masterSpread(name: string) {
  return [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: merged(brokerPodSelector(name), { [BROKER_ROLE_LABEL]: brokerRoleLabel('MASTER') }) },
    },
  ];
}

/** Renders the pod template of each member of one Broker, from its broker.conf. */
export type BrokerPodRenderer = (member: BrokerMember, conf: string) => PodTemplate;

/** Members whose template text is serialized whole before the rest are made from one serialized text. */
const TEXT_TEMPLATE_AFTER = 4;

/** Stands for what each member fills in, in the parts the members share. */
const PER_MEMBER = ['per member'];

/**
 * The pod templates of one Broker's members. Most of a template is the same for every member (image,
 * resources, volumes, security contexts, the user's env and scheduling fields): that part is built
 * and pruned once, and each member's template only adds its labels, hashes, env, mounts and
 * anti-affinity. The templates share those parts, which nothing changes after rendering.
 *
 * The name-server list is not in them: brokers read it from the ConfigMap (NAMESRV_ADDR), unless
 * `restartOnNameServers` gives it for brokers that must restart to take a new one
 * (RESTART_NAME_SERVERS_ANNOTATION).
 */
export function brokerPodRenderer(parent: BrokerParent, storage: Storage, restartOnNameServers?: string): BrokerPodRenderer {
  const { name, spec } = parent;
  const flavor = imageFlavor(spec.brokerImage, spec.imageFlavor);
  const resources = canonicalResources(spec.resources);
  const adminSecret = aclSecretOf(spec.acl);
  const volumes: V1Volume[] = [
    ...(spec.volumes ?? []),
    ...storage.volumes,
    { name: CONFIG_VOLUME, configMap: { name: brokerConfigMapName(name) } },
  ];
  const envOf = brokerEnvRenderer({
    clusterName: clusterNameOf(name, spec),
    nameServers: { configMap: brokerConfigMapName(name), key: NAMESRV_ADDR_KEY },
    memoryLimit: resources?.limits?.memory,
    flavor,
    userEnv: prune(spec.env),
    credentials: adminSecret === undefined ? undefined : credentialEnv(adminSecret),
  });
  const sharedContainer = prune({
    name: 'broker',
    image: spec.brokerImage,
    imagePullPolicy: spec.imagePullPolicy,
    command: brokerCommand(spec, flavor),
    resources,
    env: PER_MEMBER,
    ports: Object.entries(brokerPorts(brokerMetricsPort(spec), failoverMode(spec) === 'DLEDGER')).map(([portName, port]) => ({
      name: portName,
      containerPort: port,
      protocol: 'TCP',
    })),
    securityContext: spec.containerSecurityContext ?? DEFAULT_CONTAINER_SECURITY_CONTEXT,
    volumeMounts: PER_MEMBER,
    // Readiness only: a broker replaying its commit log after a crash must not be killed for being slow.
    readinessProbe: tcpProbe(BROKER_PORTS.main, 10, 3),
    lifecycle: STOP_JVMS_LIFECYCLE,
  });
  const sharedContainerWithoutEnv = Object.fromEntries(Object.entries(sharedContainer).filter(([key]) => key !== 'env'));
  const userAffinity = spec.affinity ?? undefined;
  const sharedSpecWith = (topologySpreadConstraints: unknown) =>
    prune(
      merged(passThroughPodFields(spec), {
        topologySpreadConstraints,
        affinity: userAffinity ?? PER_MEMBER,
        hostNetwork: spec.hostNetwork || undefined,
        dnsPolicy: spec.hostNetwork ? 'ClusterFirstWithHostNet' : undefined,
        securityContext: spec.securityContext ?? defaultPodSecurityContext(flavor),
        containers: PER_MEMBER,
        volumes,
      }),
    );
  // The user's list, even an empty one, replaces the default spread of masters. Where the master is
  // elected no pod is known to be one when it is scheduled: only the group's anti-affinity applies.
  const masterSpec = sharedSpecWith(spec.topologySpreadConstraints ?? masterSpread(name));
  const otherSpec = sharedSpecWith(spec.topologySpreadConstraints);
  const sharedSpecOf = (role: BrokerRole | undefined) => (role === 'MASTER' ? masterSpec : otherSpec);
  const common = commonLabels('broker', name);
  // Annotations the user gives with nothing to prune are used as they are; others are pruned with each template's.
  const userAnnotations: Record<string, string> = merged(
    spec.podAnnotations,
    restartOnNameServers === undefined ? undefined : { [RESTART_NAME_SERVERS_ANNOTATION]: restartOnNameServers },
  );
  const cleanAnnotations = prune(userAnnotations) === userAnnotations;
  const { dataRoot, brokerConfigPath } = flavor;
  const loggingMounts = usesPlainAcl(spec.acl, spec.brokerImage)
    ? [{ name: CONFIG_VOLUME, mountPath: BROKER_LOGBACK_PATH, subPath: BROKER_LOGBACK_KEY }]
    : [];

  /** A member's template; every value that differs between members comes from `member` and `configHash`. */
  const build = (member: BrokerMember, configHash: string): PodTemplate => {
    const annotations = merged(userAnnotations, { [CONFIG_HASH_ANNOTATION]: configHash });
    const env = envOf(member);
    const volumeMounts = [
      { name: storage.volumeName, mountPath: `${dataRoot}/logs`, subPath: `logs/${member.dataDir}` },
      { name: storage.volumeName, mountPath: `${dataRoot}/store`, subPath: `store/${member.dataDir}` },
      { name: CONFIG_VOLUME, mountPath: brokerConfigPath, subPath: brokerConfigKey(member) },
      ...loggingMounts,
    ];
    // An empty list is pruned away, as every empty list is.
    const container =
      env.length === 0 ? merged(sharedContainerWithoutEnv, { volumeMounts }) : merged(sharedContainer, { env, volumeMounts });
    return {
      metadata: {
        labels: merged(
          common,
          memberPodSelector(name, member),
          { [BROKER_NAME_LABEL]: member.brokerName },
          // An elected master's pod carries no role label: the role changes while the pod runs.
          member.role === undefined ? undefined : { [BROKER_ROLE_LABEL]: brokerRoleLabel(member.role) },
        ),
        annotations: cleanAnnotations ? annotations : prune(annotations),
      },
      // Keys keep their places: affinity (unless the user's was pruned away) and containers are in the shared part.
      spec: merged(sharedSpecOf(member.role), userAffinity === undefined ? { affinity: groupAntiAffinity(name, member) } : undefined, {
        containers: [container],
      }),
    };
  };
  // The template hash is of the template's JSON. With more than a few members, that text is
  // serialized once per role (the role decides labels and spread), with markers, and each
  // member's strings are put in its place.
  let rendered = 0;
  const templateTexts = new Map<BrokerRole | undefined, ((values: string[]) => string | undefined) | undefined>();
  const textTemplate = (role: BrokerRole | undefined) =>
    jsonTextTemplate(
      ([statefulSet, brokerName, brokerId, configHash, dataDir]) =>
        build(
          { statefulSet, pod: `${statefulSet}-0`, group: 0, brokerName, brokerId: brokerId as unknown as number, role, dataDir },
          configHash,
        ),
      5,
    );

  return (member, conf) => {
    const configHash = shortHash(conf);
    const template = build(member, configHash);
    if (++rendered >= TEXT_TEMPLATE_AFTER && !templateTexts.has(member.role)) templateTexts.set(member.role, textTemplate(member.role));
    const templateText = templateTexts.get(member.role);
    const values = [member.statefulSet, member.brokerName, String(member.brokerId), configHash, member.dataDir];
    const text = templateText?.(values) ?? JSON.stringify(template);
    template.metadata.annotations[TEMPLATE_HASH_ANNOTATION] = shortTextHash(text);
    return markPruned(template);
  };
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
