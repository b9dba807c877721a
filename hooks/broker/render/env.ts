import type { V1EnvVar } from '@kubernetes/client-node';
import { type ImageFlavor, NAME_SERVER_LIST_VARIABLE } from '../../rocketmq-pods/image.js';
import { heapFlags, jvmOptionsForLimit, withJvmFlags } from '../../rocketmq-pods/jvm.js';
import type { BrokerMember } from '../members.js';

/** JVM memory flags from the memory limit, for the variable the image's start script reads. */
function jvmFlags(memoryLimit: string | undefined, flavor: ImageFlavor): string | undefined {
  if (memoryLimit === undefined) return undefined;
  // BROKER_MEM replaces only the heap flags: the original image's script sets direct memory itself, after it.
  return flavor.brokerMemoryVariable === 'BROKER_MEM' ? heapFlags(memoryLimit) : jvmOptionsForLimit(memoryLimit);
}

/** Where brokers read their name-server list when their container starts: a key of a ConfigMap. */
export interface NameServersSource {
  configMap: string;
  key: string;
}

export interface BrokerEnvInput {
  clusterName: string;
  member: BrokerMember;
  nameServers: NameServersSource;
  memoryLimit?: string;
  flavor: ImageFlavor;
  userEnv?: V1EnvVar[];
  /** The admin account's variables, read from its Secret, when the cluster authenticates requests. */
  credentials?: V1EnvVar[];
}

/**
 * The env contract of the original broker image (its start script builds broker.conf from it), then
 * the user's entries. A user entry replaces the operator's of the same name rather than repeating
 * it, since a list with a name twice cannot be applied server-side. The name-server list comes from a
 * ConfigMap key rather than a value: a new list then changes no pod template (running brokers are
 * sent it, see name-server-update.ts), and a broker container that starts later starts with the
 * current list. It is read into NAME_SERVER_LIST_VARIABLE, which the start command turns into
 * NAMESRV_ADDR.
 */
export function brokerEnv({ member, ...shared }: BrokerEnvInput): V1EnvVar[] {
  return brokerEnvRenderer(shared)(member);
}

/**
 * brokerEnv for every member of one Broker: what all members share (the name servers, the JVM flags,
 * the user's entries) is worked out once. The entries are shared between the lists it returns.
 */
export function brokerEnvRenderer({
  clusterName,
  nameServers,
  memoryLimit,
  flavor,
  userEnv = [],
  credentials = [],
}: Omit<BrokerEnvInput, 'member'>): (member: BrokerMember) => V1EnvVar[] {
  const userNames = new Set(userEnv.map((e) => e.name));
  const own = (entry: V1EnvVar) => (userNames.has(entry.name) ? undefined : entry);
  // The user's own NAMESRV_ADDR is what the brokers run with: the operator's list is then left out.
  const nameServerEntry = userNames.has('NAMESRV_ADDR')
    ? undefined
    : own({
        name: NAME_SERVER_LIST_VARIABLE,
        valueFrom: { configMapKeyRef: { name: nameServers.configMap, key: nameServers.key } },
      });
  const clusterEntry = own({ name: 'BROKER_CLUSTER_NAME', value: clusterName });
  const podIpEntry = own({ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } });
  const after = [
    ...[podIpEntry, ...credentials.map(own)].filter((e): e is V1EnvVar => e !== undefined),
    ...withJvmFlags(userEnv, flavor.brokerMemoryVariable, jvmFlags(memoryLimit, flavor)),
  ];
  const withId = !userNames.has('BROKER_ID');
  const withName = !userNames.has('BROKER_NAME');
  return (member) => {
    const env: V1EnvVar[] = [];
    if (nameServerEntry) env.push(nameServerEntry);
    if (withId) env.push({ name: 'BROKER_ID', value: String(member.brokerId) });
    if (clusterEntry) env.push(clusterEntry);
    if (withName) env.push({ name: 'BROKER_NAME', value: member.brokerName });
    for (const entry of after) env.push(entry);
    return env;
  };
}
