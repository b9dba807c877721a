// fast-check generators shared by the property tests.
import fc from 'fast-check';

/** Names Kubernetes accepts for a custom resource that also leave room for the children's names. */
export const resourceName = (maxLength: number) =>
  fc
    .tuple(
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
      fc.stringMatching(/^[a-z0-9-]*$/),
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    )
    .map(([first, middle, last]) => `${first}${middle}${last}`.slice(0, maxLength).replace(/-+$/, ''))
    .filter((n) => n.length >= 1);

export const namespaceName = fc.constantFrom('default', 'mq', 'rocketmq-prod', 'team-a');

export const quantity = {
  memory: fc.constantFrom('512Mi', '1024Mi', '1Gi', '0.5Gi', '2G', '1500M', '2147483648'),
  cpu: fc.constantFrom('250m', '1', '0.5', '1000m', '2'),
};

export const resources = fc.option(
  fc.record(
    {
      limits: fc.record({ memory: quantity.memory, cpu: quantity.cpu }, { requiredKeys: [] }),
      requests: fc.record({ memory: quantity.memory, cpu: quantity.cpu }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

export const env = fc.array(fc.record({ name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/), value: fc.string({ maxLength: 20 }) }), {
  maxLength: 3,
});

/** storageMode with the fields each mode needs. */
export const storage = (defaultVolume: string) =>
  fc.oneof(
    fc.constant({}),
    fc.constant({ storageMode: 'EmptyDir' }),
    fc.constant({ storageMode: 'HostPath', hostPath: '/data/rocketmq' }),
    fc.constantFrom('StorageClass', 'NFS').map((storageMode) => ({
      storageMode,
      volumeClaimTemplates: [
        { metadata: { name: defaultVolume }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } } },
      ],
    })),
  );

export const image = fc.constantFrom(
  'apache/rocketmq:5.3.1',
  'apache/rocketmq:4.9.8',
  'apacherocketmq/rocketmq-nameserver:4.5.0-alpine-operator-0.3.0',
  'apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0',
  'registry.example.com/mq/rocketmq:5.3.1',
);
