// Every rule a Broker must meet before anything is rendered, in one place: the CRD schema (with its
// CEL rules), then what the schema cannot say.
import { InvalidSpecError } from '../core/errors.js';
import type { HookRequest, ObservedObjects } from '../core/metacontroller.js';
import { type Parent, readParent } from '../core/parent.js';
import type { Storage } from '../k8s/storage.js';
import type { BrokerSpec } from '../schema/types.js';
import { compileSpecValidator } from '../schema/validate.js';
import { type FailoverMode, failoverMode } from './failover.js';
import { type BrokerMember, memberNaming, membersOfOtherNaming } from './members.js';
import { brokerConfigMapName, checkBrokerNames } from './names.js';
import { checkProperties } from './render/config.js';
import { brokerMetricsPort } from './render/metrics.js';
import { checkAcl, checkVolumeNames } from './render/pod.js';

const validateSpec = compileSpecValidator<BrokerSpec>('Broker');

/** The parent with its spec defaulted, or a 422 naming every failing field. */
export function readBroker(request: HookRequest): Parent<BrokerSpec> {
  const parent = readParent(request, 'Broker', validateSpec);
  checkProperties(parent.name, parent.spec.properties, brokerMetricsPort(parent.spec) !== undefined, failoverMode(parent.spec));
  checkAcl(parent);
  return parent;
}

/** The spec alone for the customize hook, which has no children to look at. */
export const validateBrokerSpec = validateSpec;

/** Rules on what the spec and the observed brokers give together: child names and pod volumes. */
export function checkBrokerChildren(parent: Parent<BrokerSpec>, members: BrokerMember[], storage: Storage): void {
  checkBrokerNames(parent.name, members);
  checkVolumeNames(parent, storage);
}

type Mode = FailoverMode | 'STATIC';

/** How each mode is asked for in the spec. */
const MODE_SETTING: Record<Mode, string> = {
  STATIC: 'clusterMode: STATIC without replicationMode DLEDGER',
  CONTROLLER: 'clusterMode: CONTROLLER',
  DLEDGER: 'replicationMode: DLEDGER',
};

/** The mode an observed broker was started in, from its broker.conf in the observed ConfigMap. */
function startedMode(conf: string | undefined): FailoverMode | undefined {
  if (conf === undefined) return undefined;
  if (/^enableControllerMode=true$/m.test(conf)) return 'CONTROLLER';
  if (/^enableDLegerCommitLog=true$/m.test(conf)) return 'DLEDGER';
  return undefined;
}

/**
 * 422 when the observed brokers run in another mode than the spec asks for: the StatefulSets of
 * the other naming would all be replaced, and with them every pod and volume claim, or (between the
 * two failover modes) brokers would restart onto a commit log of another format. The API server
 * refuses such a change already; this covers a spec stored before that rule, or written around it.
 */
export function checkModeUnchanged(parent: Parent<BrokerSpec>, children: ObservedObjects): void {
  const { name, spec } = parent;
  const wanted: Mode = failoverMode(spec) ?? 'STATIC';
  const statefulSets = children.list('StatefulSet', 'apps/v1').map((s) => s.metadata.name);
  const confs = children.get('ConfigMap', 'v1', brokerConfigMapName(name))?.data ?? {};
  const other = membersOfOtherNaming(name, memberNaming(spec), statefulSets);
  const elected = wanted === 'STATIC' ? other : statefulSets;
  const started = elected.map((s) => startedMode(confs[`${s}.conf`])).find((m) => m !== undefined && m !== wanted);
  const was: Mode | undefined =
    wanted !== 'STATIC' && other.length > 0 ? 'STATIC' : (started ?? (other.length > 0 ? 'CONTROLLER' : undefined));
  if (was === undefined) return;
  const field = was === 'CONTROLLER' || wanted === 'CONTROLLER' ? 'spec.clusterMode' : 'spec.replicationMode';
  const evidence = other.length > 0 ? other : elected;
  const shown = evidence.length <= 3 ? evidence.join(', ') : `${evidence.slice(0, 3).join(', ')} and ${evidence.length - 3} more`;
  throw new InvalidSpecError('Broker', name, [
    `${field}: the brokers run in ${was} mode (StatefulSets ${shown}), and changing the mode on an existing Broker would replace every broker, its pod and its volume: set ${MODE_SETTING[was]} again, or create a new Broker in ${wanted} mode and move topics to it (TopicTransfer)`,
  ]);
}
