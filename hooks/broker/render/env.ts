import type { V1EnvVar } from '@kubernetes/client-node';
import type { ImageFlavor } from '../../rocketmq-pods/image.js';
import { jvmMemoryForLimit } from '../../rocketmq-pods/jvm.js';
import type { BrokerMember } from '../members.js';

/** Either variable means the user sizes the JVM; the operator then derives nothing. */
const USER_JVM_VARIABLES = ['BROKER_MEM', 'JAVA_OPT_EXT'];

/** JVM memory flags from the memory limit, in the variable the image's start script reads. */
function jvmEnv(memoryLimit: string | undefined, flavor: ImageFlavor, userEnv: V1EnvVar[]): V1EnvVar[] {
  if (memoryLimit === undefined || userEnv.some((e) => USER_JVM_VARIABLES.includes(e.name))) return [];
  const { heapMiB, youngMiB, directMiB } = jvmMemoryForLimit(memoryLimit);
  const heap = `-Xms${heapMiB}m -Xmx${heapMiB}m -Xmn${youngMiB}m`;
  // BROKER_MEM replaces only the heap flags: the original image's script sets direct memory itself, after it.
  const value = flavor.brokerMemoryVariable === 'BROKER_MEM' ? heap : `${heap} -XX:MaxDirectMemorySize=${directMiB}m`;
  return [{ name: flavor.brokerMemoryVariable, value }];
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
}

/**
 * The env contract of the original broker image (its start script builds broker.conf from it), then
 * the user's entries. A user entry replaces the operator's of the same name rather than repeating
 * it, since a list with a name twice cannot be applied server-side. NAMESRV_ADDR comes from a
 * ConfigMap key rather than a value: a new list then changes no pod template (running brokers are
 * sent it, see name-server-update.ts), and a broker container that starts later starts with the
 * current list.
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
}: Omit<BrokerEnvInput, 'member'>): (member: BrokerMember) => V1EnvVar[] {
  const jvm = jvmEnv(memoryLimit, flavor, userEnv);
  const userNames = new Set(userEnv.map((e) => e.name));
  const own = (entry: V1EnvVar) => (userNames.has(entry.name) ? undefined : entry);
  const nameServerEntry = own({
    name: 'NAMESRV_ADDR',
    valueFrom: { configMapKeyRef: { name: nameServers.configMap, key: nameServers.key } },
  });
  const clusterEntry = own({ name: 'BROKER_CLUSTER_NAME', value: clusterName });
  const podIpEntry = own({ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } });
  const after = [...(podIpEntry ? [podIpEntry] : []), ...jvm.filter((e) => !userNames.has(e.name)), ...userEnv];
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
