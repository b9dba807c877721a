import { type Inventory, MigrationError, type NameServiceFound, planMigration } from '../../../hooks/migrate/plan.js';
import { parseMigrateArgs } from '../../../hooks/migrate/main.js';

/** What the original operator leaves in a namespace: its Deployment, a NameService of 2, a Broker of 2 groups with a replica, a Console. */
function original(overrides: Partial<NameServiceFound> = {}): Inventory {
  return {
    namespace: 'mq',
    oldOperators: [{ namespace: 'mq', name: 'rocketmq-operator', replicas: 1 }],
    nameServices: [
      {
        name: 'name-service',
        uid: 'ns-uid',
        size: 2,
        annotations: {},
        statefulSet: { name: 'name-service', labels: {} },
        pods: [{ name: 'name-service-0' }, { name: 'name-service-1' }],
        ...overrides,
      },
    ],
    brokers: [
      {
        name: 'broker',
        uid: 'b-uid',
        allowRestart: true,
        statefulSets: ['broker-0-master', 'broker-0-replica-1', 'broker-1-master', 'broker-1-replica-1'].map((name) => ({
          name,
          labels: {},
        })),
      },
    ],
    consoles: [{ name: 'console', uid: 'c-uid', deployment: { name: 'console', labels: {} } }],
  };
}

const actions = (inventory: Inventory, replaceNameServers = false) =>
  planMigration(inventory, { replaceNameServers, brokerReloadSeconds: 150 }).map((s) => {
    const a = s.action as Record<string, unknown>;
    return [a.type, a.name ?? a.nameService ?? a.pod ?? a.seconds, a.mode ?? a.uid ?? a.pod].filter((v) => v !== undefined).join(' ');
  });

/** Marks every workload of the inventory as adopted, as a finished first run leaves it. */
function adopted(inventory: Inventory): Inventory {
  const label = (uid: string) => ({ 'controller-uid': uid });
  return {
    ...inventory,
    oldOperators: inventory.oldOperators.map((d) => ({ ...d, replicas: 0 })),
    nameServices: inventory.nameServices.map((n) => ({
      ...n,
      annotations: { 'rocketmq.apache.org/pod-services': 'in-use' },
      statefulSet: n.statefulSet && { ...n.statefulSet, labels: label(n.uid) },
    })),
    brokers: inventory.brokers.map((b) => ({ ...b, statefulSets: b.statefulSets.map((s) => ({ ...s, labels: label(b.uid) })) })),
    consoles: inventory.consoles.map((c) => ({ ...c, deployment: c.deployment && { ...c.deployment, labels: label(c.uid) } })),
  };
}

describe('migrate plan', () => {
  it('stops the old operator, then adopts the name servers (reachable through per-pod Services), the brokers, the console, in that order', () => {
    expect(actions(original())).toEqual([
      'scale-to-zero rocketmq-operator',
      'annotate name-service in-use',
      'wait-pod-services name-service',
      'label name-service ns-uid',
      'wait-name-service name-service',
      'label broker-0-master b-uid',
      'label broker-0-replica-1 b-uid',
      'label broker-1-master b-uid',
      'label broker-1-replica-1 b-uid',
      'wait-broker broker',
      'label console c-uid',
      'wait-console console',
    ]);
  });

  it('describes each step with the object it changes and why', () => {
    const steps = planMigration(original(), { replaceNameServers: false, brokerReloadSeconds: 150 });
    expect(steps[0].description).toBe(
      'Stop the original operator: scale Deployment mq/rocketmq-operator to 0 replicas, so it changes nothing this operator adopts',
    );
    expect(steps[1].description).toContain('its StatefulSet has no serviceName');
    expect(steps[3].description).toBe(
      'Label StatefulSet name-service controller-uid=ns-uid, so Metacontroller adopts it for NameService name-service',
    );
  });

  it('a second run finds everything labelled and only waits, so running it twice is safe', () => {
    expect(actions(adopted(original()))).toEqual([
      'wait-pod-services name-service',
      'wait-name-service name-service',
      'wait-broker broker',
      'wait-console console',
    ]);
  });

  it('needs no per-pod Services for a StatefulSet that already has the right serviceName', () => {
    const plan = actions(original({ statefulSet: { name: 'name-service', labels: {}, serviceName: 'name-service' } }));
    expect(plan.filter((a) => a.includes('pod-services') || a.startsWith('annotate'))).toEqual([]);
  });

  it('refuses a Broker that may not restart, naming it and the fix', () => {
    const inventory = original();
    inventory.brokers[0].allowRestart = false;
    expect(() => planMigration(inventory, { replaceNameServers: false, brokerReloadSeconds: 150 })).toThrow(MigrationError);
    expect(() => planMigration(inventory, { replaceNameServers: false, brokerReloadSeconds: 150 })).toThrow(
      `Broker broker has spec.allowRestart false, but its pods must restart once to run this operator's template and name-server addresses: ` +
        `run kubectl -n mq patch broker broker --type=merge -p '{"spec":{"allowRestart":true}}', then migrate again`,
    );
  });

  it('--replace-name-servers orphans the StatefulSet, moves pods from the highest, then moves clients back and gives brokers time to reload before removing the Services', () => {
    expect(actions(adopted(original()), true).slice(4)).toEqual([
      'orphan-statefulset name-service',
      'wait-statefulset-replaced name-service',
      'move-pod name-service name-service-1',
      'move-pod name-service name-service-0',
      'annotate name-service retiring',
      'wait-broker broker',
      'pause 150',
      'wait-console console',
      'annotate name-service',
      'wait-pod-services-gone name-service',
    ]);
  });

  it('--replace-name-servers after a replacement stopped half-way moves only the pods left, and after a complete one does nothing', () => {
    const half = adopted(original());
    half.nameServices[0] = {
      ...half.nameServices[0],
      statefulSet: { ...half.nameServices[0].statefulSet!, serviceName: 'name-service' },
      pods: [{ name: 'name-service-0' }, { name: 'name-service-1', subdomain: 'name-service' }],
    };
    expect(actions(half, true).filter((a) => a.startsWith('move-pod') || a.startsWith('orphan'))).toEqual([
      'move-pod name-service name-service-0',
    ]);
    const done = {
      ...half,
      nameServices: [
        { ...half.nameServices[0], annotations: {}, pods: half.nameServices[0].pods.map((p) => ({ ...p, subdomain: 'name-service' })) },
      ],
    };
    expect(actions(done, true)).toEqual(['wait-name-service name-service', 'wait-broker broker', 'wait-console console']);
  });

  it('waits only for the clients of the NameService it replaces', () => {
    const inventory = adopted(original());
    inventory.nameServices.push({ ...inventory.nameServices[0], name: 'other', uid: 'o-uid', statefulSet: undefined });
    inventory.brokers[0].nameServiceRef = 'name-service';
    inventory.consoles[0].nameServers = '10.0.0.1:9876';
    const waits = actions(inventory, true)
      .slice(4)
      .filter((a) => a.startsWith('wait-broker') || a.startsWith('wait-console'));
    expect(waits).toEqual(['wait-broker broker']);
  });

  it('reads its arguments, refusing what does not fit the usage', () => {
    expect(parseMigrateArgs(['-n', 'mq', '--apply'])).toEqual({
      namespace: 'mq',
      apply: true,
      replaceNameServers: false,
      oldOperatorNamespace: 'mq',
      timeoutSeconds: 600,
      brokerReloadSeconds: 150,
    });
    expect(parseMigrateArgs(['-n', 'mq', '--replace-name-servers', '--old-operator-namespace', 'ops'])).toMatchObject({
      replaceNameServers: true,
      oldOperatorNamespace: 'ops',
    });
    expect(parseMigrateArgs(['--apply'])).toBeUndefined();
    expect(parseMigrateArgs(['-n', 'mq', '--force'])).toBeUndefined();
    expect(parseMigrateArgs(['-n', 'mq', '--timeout', '0'])).toBeUndefined();
    expect(parseMigrateArgs(['-n', 'mq', '--broker-reload-seconds', '5'])).toMatchObject({ brokerReloadSeconds: 5 });
    expect(parseMigrateArgs(['-n', 'mq', '--broker-reload-seconds', '-1'])).toBeUndefined();
  });
});
