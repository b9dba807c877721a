// Each broker's broker.conf: the user's broker-common.conf, then spec.properties, then the
// operator's lines (metrics exporter, the broker's identity), which therefore win.
import { merged } from '../../core/merged.js';
import { renderConfigMap } from '../../k8s/config-map.js';
import { ErrorCode, HookError, InvalidSpecError } from '../../core/errors.js';
import type { KubeObject } from '../../core/metacontroller.js';
import type { FailoverMode } from '../failover.js';
import type { BrokerMember } from '../members.js';
import { brokerConfigMapName } from '../names.js';
import { COMMON_CONF_FILE } from '../userconfig.js';
import { type Election, electionKeys, type MasterRole, MODE_KEYS } from './election.js';
import { METRICS_KEYS, metricsConfLines } from './metrics.js';
const MASTER_ROLES: readonly string[] = ['ASYNC_MASTER', 'SYNC_MASTER'];

/** Keys only the operator may set: they decide which broker a pod is and where its data lives. */
const OPERATOR_KEYS = ['brokerName', 'brokerId', 'storePathRootDir'];
/** brokerClusterName may come from spec.properties (see clusterNameOf) but is always written by the operator. */
const IDENTITY_KEYS = [...OPERATOR_KEYS, 'brokerClusterName', 'brokerRole'];

const PROPERTY_KEY = /^[A-Za-z][A-Za-z0-9._-]*$/;

/**
 * Rejects properties that could not be written as one `key=value` line or that the operator owns
 * (the exporter's keys while it serves metrics).
 */
export function checkProperties(
  name: string,
  properties: Record<string, string> | undefined,
  servesMetrics: boolean,
  mode?: FailoverMode,
): void {
  const details: string[] = [];
  const modeKeys = mode === undefined ? [] : MODE_KEYS[mode];
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (!PROPERTY_KEY.test(key)) details.push(`spec.properties.${key}: a broker property name holds letters, digits, '.', '_' and '-'`);
    else if (OPERATOR_KEYS.includes(key)) details.push(`spec.properties.${key}: is set by the operator for each broker; remove it`);
    else if (modeKeys.includes(key)) {
      details.push(
        `spec.properties.${key}: is set by the operator in ${mode} mode, from spec.clusterMode and spec.replicationMode; remove it`,
      );
    } else if (servesMetrics && METRICS_KEYS.includes(key)) {
      details.push(
        `spec.properties.${key}: is set from spec.metrics; remove it, or set spec.metrics.enabled: false to configure the exporter here`,
      );
    }
    if (/[\r\n]/.test(value)) details.push(`spec.properties.${key}: must be a single line`);
  }
  if (properties?.brokerRole !== undefined && !MASTER_ROLES.includes(properties.brokerRole)) {
    details.push('spec.properties.brokerRole: must be ASYNC_MASTER or SYNC_MASTER (replicas are made SLAVE by the operator)');
  }
  if (details.length > 0) throw new InvalidSpecError('Broker', name, details);
}

/** Java properties split into logical entries: a line ending in an odd number of backslashes continues. */
function logicalLines(text: string): string[][] {
  const entries: string[][] = [];
  let current: string[] | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const isComment = !current && /^\s*[#!]/.test(line);
    (current ??= []).push(line);
    const continues = !isComment && /(^|[^\\])(\\\\)*\\$/.test(line);
    if (!continues) {
      entries.push(current);
      current = undefined;
    }
  }
  if (current) entries.push(current);
  return entries;
}

function entryKey(entry: string[]): string | undefined {
  const first = entry[0].trimStart();
  if (first === '' || first.startsWith('#') || first.startsWith('!')) return undefined;
  return /^[^=:\s]+/.exec(first)?.[0];
}

function entryValue(entry: string[]): string {
  return entry
    .map((line, i) => (i === 0 ? line.trimStart().replace(/^[^=:\s]+\s*[=:]?\s*/, '') : line.trimStart()).replace(/\\$/, ''))
    .join('')
    .trim();
}

/** The value a properties file gives a key (the last one wins, as in java.util.Properties). */
function valueIn(text: string | undefined, key: string): string | undefined {
  const found = logicalLines(text ?? '').filter((e) => entryKey(e) === key);
  return found.length > 0 ? entryValue(found[found.length - 1]) : undefined;
}

/**
 * The masters' role: replicationMode when set (the older API's field), else brokerRole from
 * properties, else from broker-common.conf, else ASYNC_MASTER. A replica's role is always SLAVE.
 */
export function masterRole(
  replicationMode: 'ASYNC' | 'SYNC' | undefined,
  properties: Record<string, string> | undefined,
  commonConf: string | undefined,
): MasterRole {
  if (replicationMode) return `${replicationMode}_MASTER`;
  if (properties?.brokerRole) return properties.brokerRole as MasterRole;
  const fromFile = valueIn(commonConf, 'brokerRole');
  if (fromFile === undefined) return 'ASYNC_MASTER';
  if (!MASTER_ROLES.includes(fromFile)) {
    const problem = `${COMMON_CONF_FILE} sets brokerRole=${fromFile}, but the masters' role must be ASYNC_MASTER or SYNC_MASTER (replicas are made SLAVE by the operator): fix the ConfigMap or set spec.replicationMode`;
    throw new HookError(422, ErrorCode.InvalidSpec, problem, [problem]);
  }
  return fromFile as MasterRole;
}

export interface BrokerConfInput {
  clusterName: string;
  member: BrokerMember;
  /** How the broker takes its role. */
  election: Election;
  commonConf?: string;
  properties?: Record<string, string>;
  storeRoot: string;
  /** Authentication settings without secrets; after the user's, so they win. */
  aclProperties?: Record<string, string>;
  /** The Prometheus exporter's port, when the broker serves metrics. */
  metricsPort?: number;
}

export function brokerConf({
  clusterName,
  member,
  election,
  commonConf,
  properties = {},
  storeRoot,
  aclProperties = {},
  metricsPort,
}: BrokerConfInput): string {
  const identity = merged({ brokerClusterName: clusterName, brokerName: member.brokerName }, electionKeys(member, election), {
    storePathRootDir: storeRoot,
  });
  return [
    `# ${member.statefulSet}, generated from ${COMMON_CONF_FILE}, spec.properties and the broker's place in the cluster`,
    ...sharedLines(commonConf, properties, election.mode === undefined ? [] : MODE_KEYS[election.mode]),
    ...(metricsPort === undefined ? [] : metricsConfLines(metricsPort)),
    ...Object.entries(merged(aclProperties, identity)).map(([key, value]) => `${key}=${value}`),
    '',
  ].join('\n');
}

/**
 * The lines every broker of a Broker has: broker-common.conf less what is set after it (the
 * identity keys, the mode's keys, the properties), then the properties.
 */
function sharedLines(commonConf: string | undefined, properties: Record<string, string>, modeKeys: readonly string[]): string[] {
  // Every broker of a Broker has the same: the last answer is kept, keyed by the whole input.
  // (JSON tells string values apart exactly; anything else is worked out each time.)
  const key = Object.values(properties).every((v) => typeof v === 'string') ? JSON.stringify([properties, modeKeys]) : undefined;
  if (key !== undefined && lastShared && lastShared.commonConf === commonConf && lastShared.key === key) return lastShared.lines;
  const replaced = new Set([...IDENTITY_KEYS, ...modeKeys, ...Object.keys(properties)]);
  const common = logicalLines(commonConf ?? '')
    .filter((entry) => !replaced.has(entryKey(entry) ?? ''))
    .flat()
    .join('\n')
    .trim();
  const propertyLines = Object.keys(properties)
    .filter((key) => !IDENTITY_KEYS.includes(key))
    .sort()
    .map((key) => `${key}=${properties[key]}`);
  const lines = [...(common ? [common] : []), ...propertyLines];
  if (key !== undefined) lastShared = { commonConf, key, lines };
  return lines;
}

let lastShared: { commonConf: string | undefined; key: string; lines: string[] } | undefined;

/**
 * The broker ConfigMap: each broker's broker.conf under `<statefulset>.conf`, the name-server list
 * under `namesrvAddr`, and in annotations what the name-server update must remember.
 */
export function renderBrokerConfigMap(
  name: string,
  namespace: string,
  data: Record<string, string>,
  annotations: Record<string, string> = {},
): KubeObject {
  return renderConfigMap({ component: 'broker', instance: name, name: brokerConfigMapName(name), namespace, data, annotations });
}
