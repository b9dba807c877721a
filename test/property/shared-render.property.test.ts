// The broker pod templates are built from parts shared by every member of a Broker and their
// template hash from a JSON text serialized once; prune keeps clean parts instead of copying them.
// Each must give exactly what the plain, one-member-at-a-time computation gives.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { brokerMembers, parseMemberName, type BrokerMember } from '../../hooks/broker/members.js';
import { brokerEnv } from '../../hooks/broker/render/env.js';
import { brokerMetricsPort } from '../../hooks/broker/render/metrics.js';
import {
  brokerPodRenderer,
  type BrokerParent,
  CONFIG_HASH_ANNOTATION,
  type PodTemplate,
  TEMPLATE_HASH_ANNOTATION,
} from '../../hooks/broker/render/pod.js';
import { renderBrokerStatefulSet } from '../../hooks/broker/render/statefulsets.js';
import { BROKER_NAME_LABEL, brokerConfigKey, brokerConfigMapName, brokerPodSelector, memberPodSelector } from '../../hooks/broker/names.js';
import { jsonTextTemplate, shortHash } from '../../hooks/k8s/hash.js';
import { commonLabels } from '../../hooks/k8s/labels.js';
import { DEFAULT_CONTAINER_SECURITY_CONTEXT, defaultPodSecurityContext, passThroughPodFields, tcpProbe } from '../../hooks/k8s/pod.js';
import { prune } from '../../hooks/k8s/prune.js';
import { canonicalResources } from '../../hooks/k8s/quantity.js';
import { renderStorage, type Storage } from '../../hooks/k8s/storage.js';
import { imageFlavor, STOP_JVMS_LIFECYCLE } from '../../hooks/rocketmq-pods/image.js';
import type { BrokerSpec } from '../../hooks/schema/types.js';

/** prune as it was: a full copy of every object and array. */
function copyingPrune<T>(value: T): T {
  const gone = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(copyingPrune) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (gone(v) || key === '__proto__') continue;
    const pruned = typeof v === 'object' ? copyingPrune(v) : v;
    if (!gone(pruned)) out[key] = pruned;
  }
  return out as T;
}

const plainHash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** One member's template built on its own, every part anew, as brokerPodTemplate did before the parts were shared. */
function singleTemplate(parent: BrokerParent, member: BrokerMember, restartOn: string | undefined, conf: string, storage: Storage) {
  const { name, spec } = parent;
  const flavor = imageFlavor(spec.brokerImage);
  const resources = canonicalResources(spec.resources);
  const metricsPort = brokerMetricsPort(spec);
  const container = {
    name: 'broker',
    image: spec.brokerImage,
    imagePullPolicy: spec.imagePullPolicy,
    command: flavor.brokerCommand,
    resources,
    env: brokerEnv({
      clusterName: name,
      member,
      nameServers: { configMap: brokerConfigMapName(name), key: 'namesrvAddr' },
      memoryLimit: resources?.limits?.memory,
      flavor,
      userEnv: spec.env,
    }),
    ports: [
      { name: 'vip', containerPort: 10909, protocol: 'TCP' },
      { name: 'main', containerPort: 10911, protocol: 'TCP' },
      { name: 'ha', containerPort: 10912, protocol: 'TCP' },
      ...(metricsPort === undefined ? [] : [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }]),
    ],
    securityContext: spec.containerSecurityContext ?? DEFAULT_CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [
      { name: storage.volumeName, mountPath: `${flavor.dataRoot}/logs`, subPath: `logs/${member.dataDir}` },
      { name: storage.volumeName, mountPath: `${flavor.dataRoot}/store`, subPath: `store/${member.dataDir}` },
      { name: 'rocketmq-broker-conf', mountPath: flavor.brokerConfigPath, subPath: brokerConfigKey(member) },
    ],
    readinessProbe: tcpProbe(10911, 10, 3),
    lifecycle: STOP_JVMS_LIFECYCLE,
  };
  const antiAffinity = {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: { ...brokerPodSelector(name), [BROKER_NAME_LABEL]: member.brokerName } },
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  };
  const masterSpread = [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...brokerPodSelector(name), 'rocketmq.apache.org/broker-role': 'master' } },
    },
  ];
  const template: PodTemplate = copyingPrune({
    metadata: {
      labels: {
        ...commonLabels('broker', name),
        ...memberPodSelector(name, member),
        [BROKER_NAME_LABEL]: member.brokerName,
        ...(member.role === undefined ? {} : { 'rocketmq.apache.org/broker-role': member.role === 'MASTER' ? 'master' : 'replica' }),
      },
      annotations: {
        ...spec.podAnnotations,
        ...(restartOn === undefined ? {} : { 'rocketmq.apache.org/name-servers': restartOn }),
        [CONFIG_HASH_ANNOTATION]: plainHash(conf),
      },
    },
    spec: {
      ...passThroughPodFields(spec),
      affinity: spec.affinity ?? antiAffinity,
      hostNetwork: spec.hostNetwork || undefined,
      dnsPolicy: spec.hostNetwork ? 'ClusterFirstWithHostNet' : undefined,
      securityContext: spec.securityContext ?? defaultPodSecurityContext(flavor),
      containers: [container],
      volumes: [
        ...(spec.volumes ?? []),
        ...storage.volumes,
        { name: 'rocketmq-broker-conf', configMap: { name: brokerConfigMapName(name) } },
      ],
      topologySpreadConstraints: spec.topologySpreadConstraints ?? (member.role === 'MASTER' ? masterSpread : undefined),
    },
  });
  template.metadata.annotations[TEMPLATE_HASH_ANNOTATION] = plainHash(template);
  return template;
}

// Values as a parsed request holds them, with the nulls and empty lists the API server may print.
const maybeNull = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), fc.constant(undefined));
const text = fc.oneof(fc.constantFrom('a', 'x"y', 'back\\slash', 'ünï', '\u2028', '😀', ''), fc.string({ maxLength: 6 }));
const envEntry = fc.record({
  name: fc.constantFrom(
    'NAMESRV_ADDR',
    'BROKER_ID',
    'BROKER_NAME',
    'BROKER_CLUSTER_NAME',
    'POD_IP',
    'JAVA_OPT_EXT',
    'BROKER_MEM',
    'TZ',
    'A',
  ),
  value: maybeNull(text),
});
const specArb = fc.record(
  {
    brokerImage: fc.constantFrom(
      'apache/rocketmq:5.3.1',
      'apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0',
      'registry.local/rocketmq:5',
    ),
    imagePullPolicy: maybeNull(fc.constantFrom('Always', 'IfNotPresent')),
    env: fc.array(envEntry, { maxLength: 7 }),
    resources: maybeNull(
      fc.record(
        {
          limits: maybeNull(fc.record({ memory: fc.constantFrom('512Mi', '4Gi', '1024Mi', '3G') }, { requiredKeys: [] })),
          requests: fc.constant({ cpu: '500m' }),
        },
        { requiredKeys: [] },
      ),
    ),
    // Shapes the schema refuses too: a renderer may be called on anything.
    podAnnotations: maybeNull(
      fc.oneof(
        fc.dictionary(fc.constantFrom('a', 'b/c', CONFIG_HASH_ANNOTATION, TEMPLATE_HASH_ANNOTATION), maybeNull(text)),
        fc.array(maybeNull(text), { maxLength: 2 }),
        text,
      ),
    ),
    affinity: maybeNull(
      fc.constantFrom(
        {},
        { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
        { podAffinity: null },
        [],
        'x',
        false,
      ),
    ),
    tolerations: maybeNull(fc.array(fc.record({ key: maybeNull(text), operator: fc.constant('Exists') }), { maxLength: 2 })),
    nodeSelector: maybeNull(fc.dictionary(fc.constantFrom('disk', 'zone'), text)),
    topologySpreadConstraints: maybeNull(
      fc.constantFrom([], [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: null }]),
    ),
    hostNetwork: maybeNull(fc.boolean()),
    securityContext: maybeNull(fc.constantFrom({ runAsUser: 0 }, { fsGroup: null })),
    containerSecurityContext: maybeNull(fc.constantFrom({ privileged: false }, { capabilities: { add: [] } })),
    volumes: maybeNull(
      fc.array(fc.record({ name: fc.constantFrom('extra', 'cfg'), emptyDir: fc.constantFrom({}, { medium: null }) }), { maxLength: 2 }),
    ),
    serviceAccountName: maybeNull(text),
    storageMode: fc.constantFrom('EmptyDir', 'HostPath', 'StorageClass'),
    hostPath: fc.constant('/data'),
    volumeClaimTemplates: fc.constant([
      { metadata: { name: 'broker-storage' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } } },
    ]),
    // Defaulted by the schema, so always there.
    metrics: fc.record({ enabled: fc.boolean(), port: fc.constantFrom(5557, 9404), serviceMonitor: fc.boolean() }),
  },
  { requiredKeys: ['brokerImage', 'storageMode', 'metrics'] },
);

const caseArb = fc.record({
  name: fc.constantFrom('broker', 'b', 'my-broker-2'),
  namespace: fc.constantFrom('default', 'mq'),
  spec: specArb,
  size: fc.integer({ min: 1, max: 4 }),
  replicaPerGroup: fc.integer({ min: 0, max: 2 }),
  // Fixed roles, or elected masters (no role label, no master spread).
  clusterMode: fc.constantFrom<'STATIC' | 'CONTROLLER'>('STATIC', 'CONTROLLER'),
  // The list is in the template only for images that restart to take a new one.
  restartOn: fc.constantFrom(undefined, 'ns-0.ns.mq.svc:9876;ns-1.ns.mq.svc:9876', '10.0.0.1:9876'),
  conf: fc.oneof(text, fc.constant('brokerClusterName=a\nbrokerId=0\n')),
});

describe('Broker templates from shared parts', () => {
  it('equal each member rendered on its own, hashes included', () => {
    fc.assert(
      fc.property(caseArb, ({ name, namespace, spec, size, replicaPerGroup, clusterMode, restartOn, conf }) => {
        const parent: BrokerParent = { name, namespace, spec: spec as unknown as BrokerSpec };
        const storage = renderStorage(parent.spec, 'broker-storage');
        const members = brokerMembers(name, { size, replicaPerGroup, clusterMode }, []);
        const render = brokerPodRenderer(parent, storage, restartOn);
        for (const member of members) {
          const memberConf = `${conf}${member.statefulSet}`;
          const expected = singleTemplate(parent, member, restartOn, memberConf, storage);
          const shared = render(member, memberConf);
          expect(shared).toEqual(expected);
          expect(JSON.stringify(shared)).toBe(JSON.stringify(expected));
          // The StatefulSet around a template it knows to be pruned equals a full prune of it.
          const statefulSet = renderBrokerStatefulSet(parent, member, shared, storage);
          const plain = renderBrokerStatefulSet(parent, member, JSON.parse(JSON.stringify(shared)), storage);
          expect(JSON.stringify(statefulSet)).toBe(JSON.stringify(plain));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leave the spec they are rendered from as it was', () => {
    fc.assert(
      fc.property(caseArb, ({ name, namespace, spec, size, replicaPerGroup, restartOn, conf }) => {
        const before = JSON.stringify(spec);
        const parent: BrokerParent = { name, namespace, spec: spec as unknown as BrokerSpec };
        const storage = renderStorage(parent.spec, 'broker-storage');
        const render = brokerPodRenderer(parent, storage, restartOn);
        for (const member of brokerMembers(name, { size, replicaPerGroup }, [])) render(member, conf);
        expect(JSON.stringify(spec)).toBe(before);
      }),
      { numRuns: 100 },
    );
  });
});

const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer(),
    text,
    fc.constant([]),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', '__proto__', 'toString', '1', 'x y'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('prune keeping clean parts', () => {
  it('gives what a full copy gives, and leaves its input as it was', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const before = JSON.stringify(value);
        const expected = copyingPrune(value);
        const pruned = prune(value);
        expect(pruned).toEqual(expected);
        expect(JSON.stringify(pruned)).toBe(JSON.stringify(expected));
        expect(JSON.stringify(value)).toBe(before);
        // Pruning twice changes nothing: a clean object is kept as it is. (A parsed __proto__ key
        // becomes the copy's prototype, as it always did, and so is left out here.)
        if (!String(before).includes('__proto__')) expect(prune(pruned)).toBe(pruned);
      }),
      { numRuns: 1000 },
    );
  });

  it('treats a parsed __proto__ key as a full copy does', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"x":1},"b":null},"c":[{"__proto__":{"y":null}}]}');
    expect(JSON.stringify(prune(parsed))).toBe(JSON.stringify(copyingPrune(parsed)));
    expect(prune(parsed)).toEqual(copyingPrune(parsed));
  });
});

describe('JSON text templates', () => {
  it('give JSON.stringify of the object built from the same strings', () => {
    const build = ([a, b, c]: string[]) => ({
      k: a,
      list: [`x-${a}-${b}`, { c, n: 1, u: undefined }],
      same: 'a"b',
      [`key`]: { deep: `${c}${c}` },
    });
    const render = jsonTextTemplate(build, 3)!;
    fc.assert(
      fc.property(fc.tuple(text, text, text), (values) => {
        const answer = render(values);
        // Undefined only for a value whose escaping could depend on what is next to it.
        if (answer === undefined) expect(values.some((v) => !/^[\x20-\x7e]*$/.test(v))).toBe(true);
        else expect(answer).toBe(JSON.stringify(build(values)));
      }),
      { numRuns: 500 },
    );
  });

  it('hash as shortHash does', () => {
    expect(shortHash({ a: 1 })).toBe(plainHash({ a: 1 }));
  });
});

describe('member names', () => {
  const escapeRegExp = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const byRegExp = (name: string, statefulSet: string) => {
    const match = new RegExp(`^${escapeRegExp(name)}-(0|[1-9]\\d*)-(?:master|replica-([1-9]\\d*))$`).exec(statefulSet);
    return match ? { group: Number(match[1]), brokerId: match[2] ? Number(match[2]) : 0 } : undefined;
  };
  it('parse as the pattern built from the name does', () => {
    const part = fc.constantFrom('b', 'b-1', '0', '01', '12', 'master', 'replica-1', 'replica-0', 'replica-10', '-', '', '.', 'x\n');
    fc.assert(
      fc.property(fc.constantFrom('b', 'b-1', 'a.b'), fc.array(part, { maxLength: 5 }), (name, parts) => {
        const statefulSet = parts.join('-');
        expect(parseMemberName(name, statefulSet)).toEqual(byRegExp(name, statefulSet));
        expect(parseMemberName(name, `${name}-${statefulSet}`)).toEqual(byRegExp(name, `${name}-${statefulSet}`));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('broker.conf of many brokers', () => {
  // broker.conf as it was worked out for each broker alone.
  function logicalLines(text: string): string[][] {
    const entries: string[][] = [];
    let current: string[] | undefined;
    for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
      const isComment = !current && /^\s*[#!]/.test(line);
      (current ??= []).push(line);
      if (isComment || !/(^|[^\\])(\\\\)*\\$/.test(line)) {
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
  const IDENTITY = ['brokerClusterName', 'brokerName', 'brokerId', 'storePathRootDir', 'brokerRole'];
  function aloneConf(member: BrokerMember, commonConf: string | undefined, properties: Record<string, unknown>): string {
    const replaced = new Set([...IDENTITY, ...Object.keys(properties)]);
    const common = logicalLines(commonConf ?? '')
      .filter((entry) => !replaced.has(entryKey(entry) ?? ''))
      .flat()
      .join('\n')
      .trim();
    const identity = {
      brokerClusterName: 'c',
      brokerName: member.brokerName,
      brokerId: String(member.brokerId),
      brokerRole: member.role === 'MASTER' ? 'SYNC_MASTER' : 'SLAVE',
      storePathRootDir: '/s',
    };
    const propertyLines = Object.keys(properties)
      .filter((key) => !IDENTITY.includes(key))
      .sort()
      .map((key) => `${key}=${properties[key]}`);
    return [
      `# ${member.statefulSet}, generated from broker-common.conf, spec.properties and the broker's place in the cluster`,
      ...(common ? [common] : []),
      ...propertyLines,
      ...Object.entries(identity).map(([key, value]) => `${key}=${value}`),
      '',
    ].join('\n');
  }

  it('is what each broker alone gives, whatever came before it', async () => {
    const { brokerConf } = await import('../../hooks/broker/render/config.js');
    const conf = fc.option(fc.constantFrom('a=1\nbrokerId=3\n', '# c\nflushDiskType=SYNC_FLUSH\\\n  x\ndeleteWhen=04', 'deleteWhen=01'), {
      nil: undefined,
    });
    const properties = fc.dictionary(
      fc.constantFrom('deleteWhen', 'a', 'brokerRole', 'x.y'),
      fc.oneof(fc.constantFrom('1', '02', ''), fc.constant(undefined), fc.integer()),
      { maxKeys: 3 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(conf, properties, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (calls) => {
          for (const [commonConf, props, group, brokerId] of calls) {
            const member = brokerMembers('b', { size: 3, replicaPerGroup: 2 }, []).find(
              (m) => m.group === group && m.brokerId === brokerId,
            )!;
            const given = brokerConf({
              clusterName: 'c',
              member,
              election: { mode: undefined, masterRole: 'SYNC_MASTER' },
              commonConf,
              properties: props as Record<string, string>,
              storeRoot: '/s',
            });
            expect(given).toBe(aloneConf(member, commonConf, props));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
