// Two RocketMQ clusters from the same example file in two namespaces: each becomes Ready on its own
// name servers, and removing one leaves the other untouched.
import { systemSkipReason } from './support/binaries.js';
import { expectNothingDeletedSince, expectSteadyState } from './support/checks.js';
import { systemPerFile } from './support/system.js';

const skip = systemSkipReason('the system tests');
const MINUTE = 60_000;
const NAMESPACES = ['team-a', 'team-b'];

(skip ? describe.skip : describe)('two clusters in two namespaces', () => {
  const system = systemPerFile('two namespaces');

  it(
    'both become Ready, each with its own children and name servers, and deleting one leaves the other as it was',
    async () => {
      const sys = system();
      for (const ns of NAMESPACES) {
        await sys.kubectlOk(['create', 'namespace', ns]);
        await sys.waitFor(`a default ServiceAccount in ${ns}`, async () => (await sys.list('serviceaccounts', ns)).length > 0);
        await sys.apply(sys.example('cluster.yaml', ns));
      }
      for (const ns of NAMESPACES) {
        for (const [kind, name] of [
          ['NameService', 'name-service'],
          ['Broker', 'broker'],
          ['Console', 'console'],
        ] as const) {
          await sys.waitFor(
            `${kind} Ready in ${ns}`,
            async () => (await sys.condition(kind, name, 'Ready', ns))?.status === 'True',
            3 * MINUTE,
          );
        }
        const broker = await sys.parent('Broker', 'broker', ns);
        expect(broker?.status?.nameServers).toBe([0, 1, 2].map((i) => `name-service-${i}.name-service.${ns}.svc:9876`).join(';'));
        const expected = sys.rendered(sys.example('cluster.yaml', ns));
        const owned = (await sys.list('statefulsets,services,configmaps,deployments,poddisruptionbudgets', ns))
          .filter((o) => o.metadata?.ownerReferences?.some((r) => r.controller))
          .map((o) => `${o.kind}/${o.metadata!.name}`)
          .sort();
        expect(owned).toEqual(expected);
      }
      await expectSteadyState(sys);

      const since = Date.now();
      const before = (await sys.list('statefulsets,services,configmaps,deployments,pods', 'team-b'))
        .map((o) => `${o.kind}/${o.metadata!.name}/${o.metadata!.uid}`)
        .sort();
      await sys.kubectlOk(['delete', 'namespace', 'team-a', '--wait=true', '--timeout=120s']);
      const after = (await sys.list('statefulsets,services,configmaps,deployments,pods', 'team-b'))
        .map((o) => `${o.kind}/${o.metadata!.name}/${o.metadata!.uid}`)
        .sort();
      expect(after).toEqual(before);
      expect((await sys.condition('Broker', 'broker', 'Ready', 'team-b'))?.status).toBe('True');
      expectNothingDeletedSince(sys, since, 'team-b');
    },
    10 * MINUTE,
  );
});
