// Real RocketMQ 5 controllers for integration tests: ControllerStartup from the jars of
// test/rocketmq/pom.xml, each run with one of the configuration files a Controller renders, in which
// only the peers' addresses (cluster DNS names) are mapped to loopback addresses and the store path (a
// directory of the pod) to a directory of the test. Like pods, each controller has an address of its
// own (127.0.0.2, 127.0.0.3, …, which all reach the loopback interface on Linux) and all listen on
// one port, so a name that resolves to all of them, as a headless Service's does, works here too.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProperties, parseConfigLines } from '../../hooks/rocketmq/properties.js';
import { RemotingClient } from '../../hooks/rocketmq/client.js';
import { freePort } from './ports.js';
import { type Daemon, ensureRocketMQLib, installExitHook, javaArgs, ROCKETMQ_VERSION, startDaemon, tail } from './rocketmq.js';

/** RequestCode.CONTROLLER_GET_METADATA_INFO: a controller's view of its Raft group. */
export const CONTROLLER_GET_METADATA_INFO = 1005;

export interface ControllerMetadata {
  group: string;
  leaderId?: string;
  leaderAddress?: string;
  isLeader: boolean;
}

export interface TestController {
  /** The Raft id the configuration file gives it. */
  selfId: string;
  address: string;
  /** The settings it runs with. */
  settings: Record<string, string>;
  daemon: Daemon;
}

export interface TestControllerGroup {
  controllers: TestController[];
  /** The loopback address each cluster address of the files stands for. */
  loopback: Map<string, string>;
  /** The port every controller listens on, at its own IP. */
  port: number;
  /** A hosts file (jdk.net.hosts.file) in which `name` resolves to every controller, as a headless Service's name does. */
  hostsFile(name: string): string;
  /** The metadata a controller reports, or undefined while it does not answer. */
  metadata(controller: TestController): Promise<ControllerMetadata | undefined>;
  kill(controller: TestController): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts one controller per file of `files` (file name to properties text). `addresses` are the
 * cluster addresses the files name their peers by, in ordinal order; the i-th becomes 127.0.0.(2+i)
 * with a port shared by all.
 */
export async function startControllers(files: Record<string, string>, addresses: string[]): Promise<TestControllerGroup> {
  const lib = await ensureRocketMQLib();
  installExitHook();
  const root = mkdtempSync(join(tmpdir(), 'rocketmq-controller-it-'));
  const port = await freePort();
  const ips = addresses.map((_, i) => `127.0.0.${2 + i}`);
  const loopback = new Map(addresses.map((address, i) => [address, `${ips[i]}:${port}`]));
  const toLoopback = (peers: string) =>
    peers
      .split(';')
      .map((peer) => {
        const [id, ...address] = peer.split('-');
        const local = loopback.get(address.join('-'));
        if (!local) throw new Error(`peer ${peer} is none of ${addresses.join(', ')}`);
        return `${id}-${local}`;
      })
      .join(';');

  const controllers = Object.entries(files).map(([file, text]) => {
    const rendered = parseConfigLines(text);
    const selfId = rendered.controllerDLegerSelfId;
    const peers = toLoopback(rendered.controllerDLegerPeers);
    const address = peers
      .split(';')
      .find((p) => p.startsWith(`${selfId}-`))!
      .slice(selfId.length + 1);
    const settings = {
      ...rendered,
      controllerDLegerPeers: peers,
      controllerStorePath: join(root, selfId, 'store'),
      // The pod's IP is its own; here the controller keeps to its loopback address.
      bindAddress: address.split(':')[0],
    };
    mkdirSync(settings.controllerStorePath, { recursive: true });
    const configFile = join(root, file);
    writeFileSync(configFile, formatProperties(settings));
    const daemon = startDaemon(
      selfId,
      javaArgs(
        ROCKETMQ_VERSION,
        lib,
        join(root, selfId, 'home'),
        root,
        'rmq.controller.logback.xml',
        ['-Xms64m', '-Xmx128m'],
        'org.apache.rocketmq.controller.ControllerStartup',
        ['-c', configFile],
      ),
      root,
    );
    return { selfId, address, settings, daemon };
  });

  const client = new RemotingClient({ timeoutMs: 1500, connectTimeoutMs: 500 });
  return {
    controllers,
    loopback,
    port,
    hostsFile: (name) => ips.map((ip) => `${ip} ${name}\n`).join(''),
    async metadata(controller) {
      try {
        const reply = await client.call(controller.address, CONTROLLER_GET_METADATA_INFO);
        const fields = reply.extFields ?? {};
        return {
          group: fields.group,
          leaderId: fields.controllerLeaderId || undefined,
          leaderAddress: fields.controllerLeaderAddress || undefined,
          isLeader: fields.isLeader === 'true',
        };
      } catch {
        return undefined;
      }
    },
    async kill(controller) {
      controller.daemon.child.kill('SIGKILL');
      await controller.daemon.exited;
    },
    logs: () => controllers.map((c) => `--- ${c.selfId}\n${tail(c.daemon.outFile)}`).join('\n'),
    async stop() {
      client.close();
      for (const c of controllers) c.daemon.child.kill('SIGKILL');
      await Promise.all(controllers.map((c) => c.daemon.exited));
      if (process.env.KEEP_ROCKETMQ_DIR !== '1') rmSync(root, { recursive: true, force: true });
    },
  };
}
