// Arbitrary valid runner commands, for the property tests of the command line and the Job builder.
import fc from 'fast-check';
import type {
  CopyMetadataCommand,
  HandOverCommand,
  ObserveRolesCommand,
  RunnerCommand,
  SetNameServersCommand,
  TopicTransferCommand,
} from '../../../hooks/jobs/runner-command.js';

/** Broker names and addresses go in comma-separated lists, and never hold a comma, a semicolon or edge spaces. */
const brokerName = fc.stringMatching(/^[A-Za-z0-9_%|-]{1,20}$/);
const address = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,19}$/), fc.integer({ min: 1, max: 65535 }))
  .map(([host, port]) => `${host}:${port}`);
/** Any other value is any non-empty string: `--option=value` carries it whole. */
const text = fc.string({ minLength: 1, maxLength: 30 });

/** The rules a copy-metadata command keeps: a source, a target, and name servers to find brokers by name. */
export function isValidCopy(command: CopyMetadataCommand): boolean {
  const source = command.sourceBroker !== undefined || command.sourceAddress !== undefined;
  const target = command.targetBrokers.length > 0 || command.targetAddresses.length > 0;
  const byName = command.sourceAddress === undefined || command.targetBrokers.length > 0;
  return source && target && (command.nameServers !== undefined || !byName);
}

export const copyMetadataCommand: fc.Arbitrary<CopyMetadataCommand> = fc
  .record(
    {
      task: fc.constant('copy-metadata' as const),
      nameServers: text,
      sourceBroker: text,
      sourceAddress: text,
      targetBrokers: fc.array(brokerName, { maxLength: 4 }),
      targetAddresses: fc.array(address, { maxLength: 4 }),
      timeoutMs: fc.integer({ min: 1 }),
      attempts: fc.integer({ min: 1 }),
      backoffMs: fc.integer({ min: 0 }),
      batchSize: fc.integer({ min: 1 }),
    },
    { requiredKeys: ['task', 'targetBrokers', 'targetAddresses'] },
  )
  .filter(isValidCopy);

export const topicTransferCommand: fc.Arbitrary<TopicTransferCommand> = fc.record({
  task: fc.constantFrom('transfer' as const, 'rollback' as const),
  name: text,
  namespace: text,
  nameServers: text,
  topic: text,
  source: text,
  target: text,
  consumeTimeoutSeconds: fc.integer({ min: 1 }),
});

export const setNameServersCommand: fc.Arbitrary<SetNameServersCommand> = fc.record(
  {
    task: fc.constant('set-name-servers' as const),
    nameServers: text,
    brokerAddresses: fc.array(address, { minLength: 1, maxLength: 4 }),
    timeoutMs: fc.integer({ min: 1 }),
    attempts: fc.integer({ min: 1 }),
    backoffMs: fc.integer({ min: 0 }),
  },
  { requiredKeys: ['task', 'nameServers', 'brokerAddresses'] },
);

export const observeRolesCommand: fc.Arbitrary<ObserveRolesCommand> = fc.record(
  {
    task: fc.constant('observe-roles' as const),
    namespace: text,
    podSelector: text,
    clusterName: text,
    nameServersFile: text,
    intervalMs: fc.integer({ min: 100 }),
    timeoutMs: fc.integer({ min: 1 }),
  },
  { requiredKeys: ['task', 'namespace', 'podSelector', 'clusterName', 'nameServersFile'] },
);

const ip = fc.ipV4();
export const handOverCommand: fc.Arbitrary<HandOverCommand> = fc.record(
  {
    task: fc.constant('hand-over' as const),
    controllers: text,
    clusterName: text,
    brokerName: text,
    fromHost: ip,
    toHosts: fc.array(ip, { minLength: 1, maxLength: 3 }),
    settleSeconds: fc.integer({ min: 0 }),
    timeoutMs: fc.integer({ min: 1 }),
  },
  { requiredKeys: ['task', 'controllers', 'clusterName', 'brokerName', 'fromHost', 'toHosts'] },
);

export const runnerCommand: fc.Arbitrary<RunnerCommand> = fc.oneof(
  copyMetadataCommand,
  topicTransferCommand,
  setNameServersCommand,
  observeRolesCommand,
  handOverCommand,
);
