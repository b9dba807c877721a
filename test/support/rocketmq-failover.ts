// Broker groups that choose their master themselves (controller or DLedger mode), run for real:
// one BrokerStartup JVM per broker.conf a Broker renders, and a failover measured from the client's
// side (a producer sending throughout, a reader of everything stored afterwards).
//
// Each broker runs with its rendered file, changed only where a pod on its own network and volume
// differs from a JVM next to others on one host: cluster addresses (host:port) become loopback
// ports, the store paths under the pod's data root a directory of the test, and each broker gets its own listen ports, metrics port and
// brokerIP1=127.0.0.1 (a pod's start command adds brokerIP1=$POD_IP). The name-server list is given
// with -n, as the pod's command gives it. Heaps are small; a pod sizes its own from its limit.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { masterOf, RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { formatProperties, parseConfigLines } from '../../hooks/rocketmq/properties.js';
import { freePort } from './ports.js';
import { topicConfig } from './rocketmq-configs.js';
import {
  compileJava,
  type Daemon,
  ensureRocketMQLib,
  freeBrokerPort,
  installExitHook,
  javaArgs,
  ROCKETMQ_VERSION,
  run,
  startDaemon,
  tail,
} from './rocketmq.js';

/** Cluster addresses (host:port) and the loopback address each stands for, shared by every file of a test. */
export type Loopback = Map<string, string>;

export async function loopbackOf(loopback: Loopback, address: string): Promise<string> {
  let local = loopback.get(address);
  if (!local) {
    local = `127.0.0.1:${await freePort()}`;
    loopback.set(address, local);
  }
  return local;
}

/** `a:1;b:2`, each address mapped. */
export async function loopbackList(loopback: Loopback, list: string): Promise<string> {
  const mapped: string[] = [];
  for (const address of list.split(';').filter(Boolean)) mapped.push(await loopbackOf(loopback, address));
  return mapped.join(';');
}

/** Raft peers `n0-a:1;n1-b:2` (the id ends at the first dash), each address mapped. */
async function loopbackPeers(loopback: Loopback, peers: string): Promise<string> {
  const mapped: string[] = [];
  for (const peer of peers.split(';').filter(Boolean)) {
    const dash = peer.indexOf('-');
    mapped.push(`${peer.slice(0, dash)}-${await loopbackOf(loopback, peer.slice(dash + 1))}`);
  }
  return mapped.join(';');
}

/** Keys whose values are address lists, and Raft peer lists. */
const ADDRESS_LIST_KEYS = ['namesrvAddr', 'controllerAddr'];
const PEER_LIST_KEYS = ['dLegerPeers', 'controllerDLegerPeers'];

/**
 * A rendered properties file as it runs here: addresses mapped to loopback, every value under
 * `dataRoot` (the pod's data volume) moved under `storeDir`.
 */
export async function onLoopback(
  rendered: Record<string, string>,
  loopback: Loopback,
  dataRoot: string,
  storeDir: string,
): Promise<Record<string, string>> {
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(rendered)) {
    if (ADDRESS_LIST_KEYS.includes(key)) settings[key] = await loopbackList(loopback, value);
    else if (PEER_LIST_KEYS.includes(key)) settings[key] = await loopbackPeers(loopback, value);
    else if (value === dataRoot || value.startsWith(`${dataRoot}/`)) settings[key] = storeDir + value.slice(dataRoot.length);
    else settings[key] = value;
  }
  return settings;
}

/** NamesrvStartup's default port, which the rendered files leave as it is. */
const NAME_SERVER_PORT = 9876;

export interface TestNameServers {
  /** Their loopback addresses, `;`-separated, in ordinal order. */
  addresses: string;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Name servers started with the files a NameService renders (`n<i>.conf`, one per pod), each on the
 * loopback port its pod's address `<host>:9876` maps to; the host is the one its own Raft peer
 * entry names.
 */
export async function startNameServers(files: Record<string, string>, dataRoot: string, loopback: Loopback): Promise<TestNameServers> {
  const lib = await ensureRocketMQLib();
  installExitHook();
  const root = mkdtempSync(join(tmpdir(), 'rocketmq-namesrv-it-'));
  const daemons: Daemon[] = [];
  const addresses: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const rendered = parseConfigLines(text);
    const self = rendered.controllerDLegerSelfId;
    const ownPeer = rendered.controllerDLegerPeers.split(';').find((p) => p.startsWith(`${self}-`));
    if (!ownPeer) throw new Error(`${file} names no peer ${self}`);
    const host = ownPeer.slice(self.length + 1).split(':')[0];
    const address = await loopbackOf(loopback, `${host}:${NAME_SERVER_PORT}`);
    addresses.push(address);
    const storeDir = join(root, self);
    mkdirSync(storeDir, { recursive: true });
    const settings = { ...(await onLoopback(rendered, loopback, dataRoot, storeDir)), listenPort: address.split(':')[1] };
    const configFile = join(root, file);
    writeFileSync(configFile, formatProperties(settings));
    daemons.push(
      startDaemon(
        `namesrv-${self}`,
        javaArgs(
          ROCKETMQ_VERSION,
          lib,
          join(root, `${self}-home`),
          root,
          'rmq.namesrv.logback.xml',
          ['-Xms64m', '-Xmx128m'],
          'org.apache.rocketmq.namesrv.NamesrvStartup',
          ['-c', configFile],
        ),
        root,
      ),
    );
  }
  return {
    addresses: addresses.join(';'),
    logs: () => daemons.map((d) => `--- ${d.name}\n${tail(d.outFile, 20)}`).join('\n'),
    async stop() {
      for (const d of daemons) d.child.kill('SIGKILL');
      await Promise.all(daemons.map((d) => d.exited));
      if (process.env.KEEP_ROCKETMQ_DIR !== '1') rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface GroupBroker {
  /** The StatefulSet whose file it runs. */
  name: string;
  /** host:port of its main listener. */
  address: string;
  settings: Record<string, string>;
  daemon: Daemon;
  /** Its broker.log. */
  logFile: string;
}

export interface TestBrokerGroup {
  brokerName: string;
  brokers: GroupBroker[];
  /** The broker at `address`. */
  at(address: string): GroupBroker;
  /** SIGKILL, resolved once the process is gone. */
  kill(broker: GroupBroker): Promise<void>;
  /**
   * A pod's restart: SIGTERM (the preStop hook's), SIGKILL if it has not exited within `graceMs`,
   * then the same file and store again. Resolves once the new process is started, with the time
   * the old one took to exit.
   */
  restart(broker: GroupBroker, graceMs?: number): Promise<number>;
  logs(): string;
  stop(): Promise<void>;
}

export interface BrokerGroupInput {
  /** Rendered broker.conf by StatefulSet name. */
  confs: Record<string, string>;
  /** The name-server list as the pod reads it (the ConfigMap's namesrvAddr). */
  nameServers: string;
  /** Where the pod's data volume is mounted (the rendered store paths start with it). */
  dataRoot: string;
  loopback: Loopback;
  /** The name server the harness watches for the group's registration. */
  nameServer: string;
  /**
   * The address each broker registers (brokerIP1), in the order of `confs`; 127.0.0.1 by default.
   * Distinct loopback addresses let a host name one broker, as a pod IP does.
   */
  brokerIPs?: string[];
  /** Lines of a hosts file the brokers' JVMs resolve names from (jdk.net.hosts.file) instead of DNS. */
  hosts?: string;
}

/** The kubelet's default terminationGracePeriodSeconds, which the broker pods keep. */
const DEFAULT_GRACE_MS = 30_000;

/** Starts every broker of `confs` and resolves once all are registered with one of them the master. */
export async function startBrokerGroup(input: BrokerGroupInput): Promise<TestBrokerGroup> {
  const { confs, nameServers, dataRoot, loopback, nameServer, brokerIPs = [], hosts } = input;
  const lib = await ensureRocketMQLib();
  installExitHook();
  const root = mkdtempSync(join(tmpdir(), 'rocketmq-failover-it-'));
  const namesrvAddr = await loopbackList(loopback, nameServers);
  const hostsOptions: string[] = [];
  if (hosts !== undefined) {
    // The file replaces DNS for the JVM: the machine's own names must be in it too.
    const hostsFile = join(root, 'hosts');
    writeFileSync(hostsFile, `127.0.0.1 localhost ${hostname()}\n${hosts}`);
    hostsOptions.push(`-Djdk.net.hosts.file=${hostsFile}`);
  }
  const brokers: GroupBroker[] = [];
  const launch = (name: string, configFile: string) =>
    startDaemon(
      name,
      javaArgs(
        ROCKETMQ_VERSION,
        lib,
        join(root, `${name}-home`),
        root,
        'rmq.broker.logback.xml',
        ['-Xms128m', '-Xmx256m', '-XX:MaxDirectMemorySize=128m', ...hostsOptions],
        'org.apache.rocketmq.broker.BrokerStartup',
        ['-n', namesrvAddr, '-c', configFile],
      ),
      root,
    );
  for (const [index, [name, text]] of Object.entries(confs).entries()) {
    const ip = brokerIPs[index] ?? '127.0.0.1';
    const port = await freeBrokerPort();
    const storeDir = join(root, name);
    mkdirSync(storeDir, { recursive: true });
    const rendered = await onLoopback(parseConfigLines(text), loopback, dataRoot, storeDir);
    const settings = {
      ...rendered,
      brokerIP1: ip,
      listenPort: String(port),
      haListenPort: String(port + 1),
      ...(rendered.metricsPromExporterPort ? { metricsPromExporterPort: String(await freePort()) } : {}),
    };
    const configFile = join(root, `${name}.conf`);
    writeFileSync(configFile, formatProperties(settings));
    const logFile = join(root, `${name}-home`, 'logs', 'rocketmqlogs', 'broker.log');
    brokers.push({ name, address: `${ip}:${port}`, settings, daemon: launch(name, configFile), logFile });
  }
  const brokerNames = new Set(brokers.map((b) => b.settings.brokerName));
  if (brokerNames.size !== 1) throw new Error(`the files name more than one broker group: ${[...brokerNames].join(', ')}`);
  const [brokerName] = brokerNames;
  const logs = () => brokers.map((b) => `--- ${b.name}\n${tail(b.daemon.outFile, 20)}`).join('\n');
  const stop = async () => {
    for (const b of brokers) b.daemon.child.kill('SIGKILL');
    await Promise.all(brokers.map((b) => b.daemon.exited));
    if (process.env.KEEP_ROCKETMQ_DIR !== '1') rmSync(root, { recursive: true, force: true });
  };
  const group: TestBrokerGroup = {
    brokerName,
    brokers,
    at(address) {
      const found = brokers.find((b) => b.address === address);
      if (!found) throw new Error(`no broker of the group listens on ${address}`);
      return found;
    },
    async kill(broker) {
      broker.daemon.child.kill('SIGKILL');
      await broker.daemon.exited;
    },
    async restart(broker, graceMs = DEFAULT_GRACE_MS) {
      const signalled = Date.now();
      broker.daemon.child.kill('SIGTERM');
      const timer = setTimeout(() => broker.daemon.child.kill('SIGKILL'), graceMs);
      await broker.daemon.exited;
      clearTimeout(timer);
      const stoppedMs = Date.now() - signalled;
      broker.daemon = launch(broker.name, join(root, `${broker.name}.conf`));
      return stoppedMs;
    },
    logs,
    stop,
  };
  try {
    await until(
      async () => {
        const dead = brokers.find((b) => b.daemon.child.exitCode !== null);
        if (dead) throw new Error(`${dead.name} exited with ${dead.daemon.child.exitCode}:\n${tail(dead.daemon.outFile)}`);
        const registered = await registration(nameServer, brokerName);
        return registered?.addresses.length === brokers.length && registered.master !== undefined;
      },
      120_000,
      () => `${brokerName} did not register ${brokers.length} brokers with a master\n${logs()}`,
    );
    return group;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What the name server knows of a group: its master's address and every address registered. */
export async function registration(nameServer: string, brokerName: string): Promise<{ master?: string; addresses: string[] } | undefined> {
  const admin = new RocketMQAdmin({ nameServers: nameServer, timeoutMs: 1500, connectTimeoutMs: 500 });
  try {
    const data = (await admin.clusterInfo()).brokers.get(brokerName);
    return data && { master: masterOf(data), addresses: [...data.brokerAddrs.values()] };
  } catch {
    return undefined;
  } finally {
    admin.close();
  }
}

/** Polls `check` every 100 ms until it holds; fails with `problem()` after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, problem: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(problem());
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- the client side ----

export interface SendOutcome {
  ok: boolean;
  seq: number;
  /** Epoch milliseconds when the send started and when it returned (or threw). */
  started: number;
  ended: number;
  detail: string;
}

export interface RunningProducer {
  outcomes: SendOutcome[];
  /** Resolves once `count` sends that started after `since` were acknowledged; the first of them. */
  acknowledged(count: number, since: number, timeoutMs: number): Promise<SendOutcome>;
  stop(): Promise<void>;
}

async function clientClasses(): Promise<{ lib: string; classes: string }> {
  const lib = await ensureRocketMQLib();
  return { lib, classes: await compileJava(lib, ROCKETMQ_VERSION, 'FailoverClient') };
}

function clientArgs(lib: string, classes: string, root: string, args: string[]): string[] {
  return javaArgs(
    ROCKETMQ_VERSION,
    lib,
    join(root, 'client-home'),
    root,
    'rmq.client.logback.xml',
    ['-Xmx128m'],
    'FailoverClient',
    args,
    classes,
  );
}

/** FailoverClient's producer, sending synchronously every `intervalMs` until stopped. */
export async function startProducer(nameServer: string, topic: string, intervalMs: number, root: string): Promise<RunningProducer> {
  const { lib, classes } = await clientClasses();
  const child = spawn('java', clientArgs(lib, classes, root, ['produce', nameServer, topic, String(intervalMs)]), {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const outcomes: SendOutcome[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, started, ended, seq, ...detail] = line.split(' ');
    if (word !== 'OK' && word !== 'FAIL') return;
    outcomes.push({ ok: word === 'OK', started: Number(started), ended: Number(ended), seq: Number(seq), detail: detail.join(' ') });
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    outcomes,
    async acknowledged(count, since, timeoutMs) {
      const after = () => outcomes.filter((o) => o.ok && o.started >= since);
      await until(
        async () => child.exitCode === null && after().length >= count,
        timeoutMs,
        () =>
          `${after().length} of ${count} sends acknowledged after ${new Date(since).toISOString()}; last outcomes:\n` +
          outcomes
            .slice(-5)
            .map((o) => `${o.ok ? 'OK' : 'FAIL'} ${o.seq} ${o.detail}`)
            .join('\n') +
          `\n${stderr}`,
      );
      return after()[0];
    },
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Every message of `topic` the group stores now, by sequence number (body `m-<seq>`). */
export async function readTopic(nameServer: string, topic: string, root: string): Promise<Set<number>> {
  const { lib, classes } = await clientClasses();
  const result = await run('java', clientArgs(lib, classes, root, ['consume', nameServer, topic]), { cwd: root, timeoutMs: 60_000 });
  const lines = result.stdout.split('\n');
  if (result.code !== 0 || !lines.includes('DONE'))
    throw new Error(`reading ${topic} failed (exit ${result.code}):\n${result.stderr.slice(-3000)}`);
  return new Set(lines.filter((l) => l.startsWith('GOT ')).map((l) => Number(l.split(' ')[1])));
}

// ---- one failover ----

export interface FailoverFigures {
  /** From the SIGKILL to the end of the first acknowledged send started after the master was gone. */
  writePauseMs: number;
  /** From the SIGKILL until the name server routes the group to another master. */
  newMasterMs: number;
  acknowledged: number;
  failedSends: number;
  /** Acknowledged messages the topic does not hold afterwards. */
  lost: number[];
  oldMaster: string;
  newMaster: string;
}

/**
 * Creates `topic` on the group's master and waits until the replicas have it; sends every
 * `intervalMs`; kills the master with SIGKILL; waits for a new master and acknowledged writes;
 * then reads the topic back.
 */
export async function failOverMaster(group: TestBrokerGroup, nameServer: string, topic: string, intervalMs = 30): Promise<FailoverFigures> {
  const root = mkdtempSync(join(tmpdir(), 'rocketmq-failover-client-'));
  const admin = new RocketMQAdmin({ nameServers: nameServer, timeoutMs: 3000, connectTimeoutMs: 1000 });
  try {
    const before = await registration(nameServer, group.brokerName);
    const oldMaster = before?.master;
    if (!oldMaster) throw new Error(`${group.brokerName} has no master`);
    await admin.createOrUpdateTopic(oldMaster, topicConfig(topic));
    // A replica copies the master's topics on a timer; one that became master without the topic would refuse the sends.
    const replicas = group.brokers.filter((b) => b.address !== oldMaster);
    await until(
      async () => (await Promise.all(replicas.map((b) => admin.topicConfig(b.address, topic).catch(() => undefined)))).every(Boolean),
      60_000,
      () => `the replicas did not copy topic ${topic} from the master`,
    );

    const producer = await startProducer(nameServer, topic, intervalMs, root);
    try {
      await producer.acknowledged(20, 0, 60_000);
      const killedAt = Date.now();
      await group.kill(group.at(oldMaster));
      const goneAt = Date.now();
      let newMaster: string | undefined;
      await until(
        async () => {
          newMaster = (await registration(nameServer, group.brokerName))?.master;
          return newMaster !== undefined && newMaster !== oldMaster;
        },
        60_000,
        () => `no new master of ${group.brokerName} 60 s after the kill\n${group.logs()}`,
      );
      const newMasterMs = Date.now() - killedAt;
      const firstWrite = await producer.acknowledged(1, goneAt, 60_000);
      await producer.acknowledged(20, firstWrite.ended, 30_000);
      await producer.stop();
      const acked = producer.outcomes.filter((o) => o.ok).map((o) => o.seq);
      const stored = await readTopic(nameServer, topic, root);
      return {
        writePauseMs: firstWrite.ended - killedAt,
        newMasterMs,
        acknowledged: acked.length,
        failedSends: producer.outcomes.length - acked.length,
        lost: acked.filter((seq) => !stored.has(seq)),
        oldMaster,
        newMaster: newMaster!,
      };
    } finally {
      await producer.stop();
    }
  } finally {
    admin.close();
    rmSync(root, { recursive: true, force: true });
  }
}
