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

export interface BrokerEnvInput {
  clusterName: string;
  member: BrokerMember;
  nameServers: string;
  memoryLimit?: string;
  flavor: ImageFlavor;
  userEnv?: V1EnvVar[];
}

/**
 * The env contract of the original broker image (its start script builds broker.conf from it), then
 * the user's entries. A user entry replaces the operator's of the same name rather than repeating
 * it, since a list with a name twice cannot be applied server-side.
 */
export function brokerEnv({ clusterName, member, nameServers, memoryLimit, flavor, userEnv = [] }: BrokerEnvInput): V1EnvVar[] {
  const own: V1EnvVar[] = [
    { name: 'NAMESRV_ADDR', value: nameServers },
    { name: 'BROKER_ID', value: String(member.brokerId) },
    { name: 'BROKER_CLUSTER_NAME', value: clusterName },
    { name: 'BROKER_NAME', value: member.brokerName },
    { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    ...jvmEnv(memoryLimit, flavor, userEnv),
  ];
  const userNames = new Set(userEnv.map((e) => e.name));
  return [...own.filter((e) => !userNames.has(e.name)), ...userEnv];
}
