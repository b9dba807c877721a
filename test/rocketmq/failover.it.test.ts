// Automatic failover on RocketMQ 5.3.3, each process started with the files the hooks render for the
// shipped examples (what `rocketmq-operator render` prints for them): a group of three brokers whose
// master is killed with SIGKILL while a producer sends every 30 ms. Measured: the write pause (kill to
// the first acknowledged send started after it), the time until the name server routes to a new
// master; checked: every acknowledged message is stored afterwards. Figures are appended to
// test/rocketmq/failover-figures.json (FAILOVER_FIGURES_FILE), one entry per run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerConfigMapName, NAMESRV_ADDR_KEY } from '../../hooks/broker/names.js';
import { parseManifests, type RenderedResource, renderManifests } from '../../hooks/dry-run.js';
import { nameServerConfigMapName } from '../../hooks/nameservice/controller.js';
import { parseConfigLines } from '../../hooks/rocketmq/properties.js';
import { controllerAddressOf } from '../../hooks/rocketmq-pods/controllers.js';
import { appendFigure } from '../support/figures.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { startControllers, type TestControllerGroup } from '../support/rocketmq-controllers.js';
import {
  failOverMaster,
  type Loopback,
  startBrokerGroup,
  startNameServers,
  type TestBrokerGroup,
  type TestNameServers,
} from '../support/rocketmq-failover.js';

const root = process.cwd();
const FIGURES = process.env.FAILOVER_FIGURES_FILE ?? join(root, 'test/rocketmq/failover-figures.json');
/** Where the official image's pods keep their data (the rendered store paths are under it). */
const DATA_ROOT = '/home/rocketmq/store';

const manifests = (example: string) => parseManifests(readFileSync(join(root, 'example', `${example}.yaml`), 'utf8'));

/**
 * What the hooks render for the example's resources (by `<kind>/<name>`), in a namespace where
 * example/nameservice.yaml was applied when the example has no NameService of its own.
 */
function renderExample(example: string): Map<string, RenderedResource> {
  const own = manifests(example);
  const context = own.some((o) => o.kind === 'NameService') ? [] : manifests('nameservice');
  const rendered = renderManifests([...own, ...context], new Date());
  return new Map(rendered.map((r) => [`${r.parent.kind}/${r.parent.metadata.name}`, r]));
}

function configMapData(resource: RenderedResource | undefined, name: string): Record<string, string> {
  const found = resource?.children.find((c) => c.kind === 'ConfigMap' && c.metadata.name === name) as
    { data?: Record<string, string> } | undefined;
  if (!found?.data) throw new Error(`no ConfigMap ${name} rendered`);
  return found.data;
}

/** The rendered broker.conf of group 0's three brokers, by StatefulSet, and the name-server list they get. */
function groupZero(resource: RenderedResource | undefined, broker: string): { confs: Record<string, string>; nameServers: string } {
  const data = configMapData(resource, brokerConfigMapName(broker));
  const confs = Object.fromEntries([0, 1, 2].map((r) => [`${broker}-0-${r}`, data[`${broker}-0-${r}.conf`]]));
  return { confs, nameServers: data[NAMESRV_ADDR_KEY] };
}

/** Kills the group's master while a producer sends, records the figures under `scenario`, and checks the failover. */
async function expectFailover(scenario: string, group: TestBrokerGroup, nameServer: string): Promise<void> {
  const figures = await failOverMaster(group, nameServer, `failover-${scenario}`);
  const { writePauseMs, newMasterMs, acknowledged, failedSends, lost } = figures;
  appendFigure(FIGURES, scenario, {
    writePauseMs,
    newMasterMs,
    acknowledged,
    failedSends,
    lost: lost.length,
    at: new Date().toISOString(),
  });
  expect(figures.newMaster).not.toBe(figures.oldMaster);
  expect(group.brokers.map((b) => b.address)).toContain(figures.newMaster);
  expect(newMasterMs).toBeLessThan(60_000);
  expect(writePauseMs).toBeLessThan(60_000);
  expect(acknowledged).toBeGreaterThanOrEqual(40);
  expect(lost).toEqual([]);
}

describeWithRocketMQ('automatic failover on RocketMQ 5.3.3 with the rendered configuration', () => {
  // The name servers of example/nameservice.yaml's NameService (three), shared by the groups that use it.
  let mq: TestRocketMQ;
  const sharedLoopback = (): Loopback => {
    const { nameServers } = groupZero(renderExample('broker-dledger').get('Broker/broker-raft'), 'broker-raft');
    return new Map(nameServers.split(';').map((address, i) => [address, mq.nameServers[i]]));
  };

  beforeAll(async () => {
    mq = await startRocketMQ({ names: [], nameServerCount: 3 });
  }, 120_000);

  afterAll(async () => {
    await mq?.stop();
  });

  describe('controller mode (example/broker-controller-mode.yaml): three controllers, group 0 of Broker broker-ha', () => {
    let controllers: TestControllerGroup;
    let group: TestBrokerGroup;

    beforeAll(async () => {
      const rendered = renderExample('broker-controller-mode');
      const controller = rendered.get('Controller/controller');
      const { addresses } = controller?.status as { addresses: string[] };
      const { confs, nameServers } = groupZero(rendered.get('Broker/broker-ha'), 'broker-ha');
      controllers = await startControllers(configMapData(controller, 'controller-config'), addresses);
      const loopback = sharedLoopback();
      for (const [address, local] of controllers.loopback) loopback.set(address, local);
      // The brokers look the Controller's headless Service name up; here a hosts file resolves it to
      // every controller, as the cluster's DNS does.
      const lookup = controllerAddressOf(parseConfigLines(Object.values(confs)[0]));
      if (!lookup?.dnsLookup) throw new Error(`the brokers are not given a name to look up: ${lookup?.address}`);
      const host = lookup.address.split(':')[0];
      loopback.set(lookup.address, `${host}:${controllers.port}`);
      group = await startBrokerGroup({
        confs,
        nameServers,
        dataRoot: DATA_ROOT,
        loopback,
        nameServer: mq.nameServer,
        hosts: controllers.hostsFile(host),
      });
    }, 180_000);

    afterAll(async () => {
      await group?.stop();
      await controllers?.stop();
    });

    it('each broker resolves the name it is given to every controller', () => {
      const every = controllers.controllers.map((c) => c.address).sort();
      for (const broker of group.brokers) {
        const found = /dns lookup address by domain success, domain=\S+, result=\[([^\]]*)\]/.exec(readFileSync(broker.logFile, 'utf8'));
        expect(found?.[1].split(', ').sort()).toEqual(every);
      }
    });

    it('a replica becomes master after the master is killed, and no acknowledged message is lost', async () => {
      await expectFailover('controller', group, mq.nameServer);
    }, 180_000);
  });

  describe('DLedger mode (example/broker-dledger.yaml): group 0 of Broker broker-raft', () => {
    let group: TestBrokerGroup;

    beforeAll(async () => {
      const { confs, nameServers } = groupZero(renderExample('broker-dledger').get('Broker/broker-raft'), 'broker-raft');
      group = await startBrokerGroup({ confs, nameServers, dataRoot: DATA_ROOT, loopback: sharedLoopback(), nameServer: mq.nameServer });
    }, 180_000);

    afterAll(async () => {
      await group?.stop();
    });

    it('the Raft group elects another master after the master is killed, and no acknowledged message is lost', async () => {
      await expectFailover('dledger', group, mq.nameServer);
    }, 180_000);
  });

  describe('controllers inside the name servers (example/controller-in-nameservice.yaml): three name servers, group 0 of Broker broker-nc', () => {
    let nameServers: TestNameServers;
    let group: TestBrokerGroup;

    beforeAll(async () => {
      const rendered = renderExample('controller-in-nameservice');
      const loopback: Loopback = new Map();
      const files = configMapData(rendered.get('NameService/name-service-nc'), nameServerConfigMapName('name-service-nc'));
      nameServers = await startNameServers(files, DATA_ROOT, loopback);
      const { confs, nameServers: list } = groupZero(rendered.get('Broker/broker-nc'), 'broker-nc');
      group = await startBrokerGroup({ confs, nameServers: list, dataRoot: DATA_ROOT, loopback, nameServer: nameServers.addresses });
    }, 180_000);

    afterAll(async () => {
      await group?.stop();
      await nameServers?.stop();
    });

    it('a replica becomes master after the master is killed, and no acknowledged message is lost', async () => {
      await expectFailover('controllerInNameServers', group, nameServers.addresses);
    }, 180_000);
  });
});
