// How a group's master is chosen when it is not fixed by the operator.
import type { BrokerSpec } from '../schema/types.js';

/** CONTROLLER: RocketMQ's controller elects it; DLEDGER: the group's Raft log does. */
export type FailoverMode = 'CONTROLLER' | 'DLEDGER';

/** The Broker's failover mode, or undefined when roles are fixed (master and replicas by name). */
export function failoverMode(spec: Pick<BrokerSpec, 'clusterMode' | 'replicationMode'>): FailoverMode | undefined {
  if (spec.clusterMode === 'CONTROLLER') return 'CONTROLLER';
  if (spec.replicationMode === 'DLEDGER') return 'DLEDGER';
  return undefined;
}
