import { merged } from '../core/merged.js';
import { checkChildName } from '../k8s/names.js';
import type { BrokerMember, BrokerRole } from './members.js';

/** Pod labels of the original operator, kept so its StatefulSets' immutable selectors still match. */
export function brokerPodSelector(name: string): Record<string, string> {
  return { app: 'broker', broker_cr: name };
}

/** Each StatefulSet selects only its own pod (the original's selectors overlapped). */
export function memberPodSelector(name: string, member: BrokerMember): Record<string, string> {
  return merged(brokerPodSelector(name), { 'rocketmq.apache.org/broker-pod': member.statefulSet });
}

/** Shared by a group's master and replicas, for anti-affinity between them. */
export const BROKER_NAME_LABEL = 'rocketmq.apache.org/broker-name';

/** MASTER or SLAVE as a pod label value (master, replica), for spreading and selecting by role. */
export const BROKER_ROLE_LABEL = 'rocketmq.apache.org/broker-role';

export function brokerRoleLabel(role: BrokerRole): string {
  return role === 'MASTER' ? 'master' : 'replica';
}

/** Headless Service giving every broker pod a stable DNS name. */
export function brokerServiceName(name: string): string {
  return `${name}-brokers`;
}

/** ServiceMonitor of the brokers' metrics, named after the Service it selects (whose name check covers it). */
export function brokerServiceMonitorName(name: string): string {
  return `${name}-brokers`;
}

export function brokerConfigMapName(name: string): string {
  return `${name}-broker-conf`;
}

export function brokerDisruptionBudgetName(name: string): string {
  return `${name}-brokers`;
}

/**
 * Key of the name-server list in the generated ConfigMap, read into NAMESRV_ADDR when a broker
 * container starts. Never a broker.conf key: those end in `.conf`.
 */
export const NAMESRV_ADDR_KEY = 'namesrvAddr';

/** Key of a broker's broker.conf in the generated ConfigMap. */
export function brokerConfigKey(member: BrokerMember): string {
  return `${member.statefulSet}.conf`;
}

/** 422 before rendering when the Broker's name would make any child name invalid. */
export function checkBrokerNames(name: string, members: BrokerMember[]): void {
  checkChildName('Broker', name, 'Service', brokerServiceName(name));
  checkChildName('Broker', name, 'ConfigMap', brokerConfigMapName(name));
  checkChildName('Broker', name, 'PodDisruptionBudget', brokerDisruptionBudgetName(name));
  for (const member of members) checkChildName('Broker', name, 'StatefulSet', member.statefulSet);
}
