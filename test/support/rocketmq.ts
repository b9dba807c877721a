// A real RocketMQ for integration tests: one name server and two brokers started from the
// Maven Central jars (`java -cp '<lib>/*' <MainClass>`) on 127.0.0.1 with free ports, fresh
// store directories and small heaps. The jars are fetched once with test/rocketmq/pom.xml into
// a cache outside the clone ($ROCKETMQ_LIB_CACHE, default ~/.cache/rocketmq-operator/rocketmq-<version>/lib).
//
// Without Java (or without Maven when the jars are not cached yet) a suite using
// describeWithRocketMQ fails with the reason; with SKIP_ROCKETMQ_IT=1 it is skipped instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  openSync,
  closeSync,
} from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RocketMQAdmin, masterOf } from '../../hooks/rocketmq/admin.js';
import type { Credentials } from '../../hooks/rocketmq/signature.js';
import { formatProperties, parseConfigLines } from '../../hooks/rocketmq/properties.js';
import { freePort } from './ports.js';

/** The checkout this file belongs to, whether it runs from test/support or compiled under dist/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test', 'rocketmq', 'pom.xml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find test/rocketmq/pom.xml above this file');
    dir = parent;
  }
  return dir;
}

const pomFile = join(repoRoot(), 'test', 'rocketmq', 'pom.xml');
const javaSources = join(repoRoot(), 'test', 'rocketmq', 'java');

/** The RocketMQ version the pom pins (single source of truth). */
export const ROCKETMQ_VERSION = /<rocketmq\.version>([^<]+)<\/rocketmq\.version>/.exec(readFileSync(pomFile, 'utf8'))?.[1] ?? 'unknown';

/**
 * Where the jars of a version are cached: $ROCKETMQ_LIB_CACHE for the pom's version, other
 * versions (e.g. 4.9.8 for compatibility tests) in sibling folders `rocketmq-<version>/lib`.
 */
export function rocketmqLibDir(version = ROCKETMQ_VERSION): string {
  const defaultLib =
    process.env.ROCKETMQ_LIB_CACHE || join(homedir(), '.cache', 'rocketmq-operator', `rocketmq-${ROCKETMQ_VERSION}`, 'lib');
  return version === ROCKETMQ_VERSION ? defaultLib : join(dirname(dirname(defaultLib)), `rocketmq-${version}`, 'lib');
}

const COMPLETE_MARKER = '.complete';

function libReady(lib: string, version: string): boolean {
  return existsSync(join(lib, COMPLETE_MARKER)) && existsSync(join(lib, `rocketmq-broker-${version}.jar`));
}

function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return !result.error && result.status === 0;
}

type Availability = { ok: true } | { ok: false; reason: string };
const availability = new Map<string, Availability>();

/** Whether a RocketMQ can be started here; checked once per version (java -version, and mvn -v if jars are missing). */
export function rocketmqAvailability(version = ROCKETMQ_VERSION): Availability {
  let state = availability.get(version);
  if (!state) {
    if (!commandWorks('java', ['-version'])) state = { ok: false, reason: 'the RocketMQ integration tests need `java` (JDK 17) on PATH' };
    else if (!libReady(rocketmqLibDir(version), version) && !commandWorks('mvn', ['-v'])) {
      state = {
        ok: false,
        reason: `the RocketMQ ${version} jars are not cached in ${rocketmqLibDir(version)} and \`mvn\` (Maven 3) is not on PATH to fetch them`,
      };
    } else state = { ok: true };
    availability.set(version, state);
  }
  return state;
}

/**
 * `describe` for suites that need RocketMQ. When it cannot run, the suite fails with the reason,
 * or is skipped (reason printed) when SKIP_ROCKETMQ_IT=1.
 */
export function describeWithRocketMQ(name: string, body: () => void, version = ROCKETMQ_VERSION): void {
  // Jest's globals, reached without Jest's types: the benchmark compiles this file too.
  const { describe, it } = globalThis as unknown as {
    describe: ((name: string, body: () => void) => void) & { skip: (name: string, body: () => void) => void };
    it: (name: string, test: () => void) => void;
  };
  const state = rocketmqAvailability(version);
  if (state.ok) {
    describe(name, body);
  } else if (process.env.SKIP_ROCKETMQ_IT === '1') {
    console.warn(`skipping "${name}": ${state.reason} (SKIP_ROCKETMQ_IT=1)`);
    describe.skip(name, body);
  } else {
    describe(name, () => {
      it('can start RocketMQ', () => {
        throw new Error(`${state.reason}; set SKIP_ROCKETMQ_IT=1 to skip these tests`);
      });
    });
  }
}

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Downloads the jars with Maven unless cached; one process downloads, others wait for it. */
export async function ensureRocketMQLib(version = ROCKETMQ_VERSION): Promise<string> {
  const lib = rocketmqLibDir(version);
  return fetchJars(pomFile, lib, version, () => libReady(lib, version));
}

const proxyPomFile = join(repoRoot(), 'test', 'rocketmq', 'proxy', 'pom.xml');

/** The proxy and the gRPC client's jars (test/rocketmq/proxy/pom.xml), next to the cached lib of the pom's version. */
export function proxyLibDir(): string {
  return join(dirname(rocketmqLibDir()), 'proxy-lib');
}

/**
 * ensureRocketMQLib for the proxy test's jars. The gRPC client's jar goes into client/: it carries
 * the same protocol classes as the proxy, built against its relocated gRPC, so the proxy's class
 * path must not hold it.
 */
export async function ensureProxyLib(): Promise<string> {
  const lib = proxyLibDir();
  const ready = () =>
    existsSync(join(lib, COMPLETE_MARKER)) &&
    existsSync(join(lib, `rocketmq-proxy-${ROCKETMQ_VERSION}.jar`)) &&
    existsSync(join(lib, PROXY_CLIENT_DIR));
  const moveClient = (staging: string) => {
    mkdirSync(join(staging, PROXY_CLIENT_DIR));
    for (const jar of readdirSync(staging).filter((f) => f.startsWith('rocketmq-client-java-'))) {
      renameSync(join(staging, jar), join(staging, PROXY_CLIENT_DIR, jar));
    }
  };
  return fetchJars(proxyPomFile, lib, ROCKETMQ_VERSION, ready, moveClient);
}

/** Where ensureProxyLib puts the gRPC client's jar, inside the proxy lib. */
export const PROXY_CLIENT_DIR = 'client';

async function fetchJars(
  pom: string,
  lib: string,
  version: string,
  ready: () => boolean,
  arrange: (staging: string) => void = () => undefined,
): Promise<string> {
  if (ready()) return lib;
  mkdirSync(dirname(lib), { recursive: true });
  const lock = `${lib}.lock`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (ready()) return lib;
      // A lock left by a killed download is taken over after 15 minutes.
      if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for another download of the RocketMQ jars (${lock})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (ready()) return lib;
    const staging = `${lib}.download-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    const result = await run(
      'mvn',
      ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, `-Drocketmq.version=${version}`],
      { timeoutMs: 10 * 60_000 },
    );
    if (result.code !== 0) {
      throw new Error(
        `fetching the RocketMQ ${version} jars with Maven failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`,
      );
    }
    arrange(staging);
    writeFileSync(join(staging, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
    rmSync(lib, { recursive: true, force: true });
    renameSync(staging, lib);
    return lib;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// ---- process bookkeeping: every child dies with the test process ----

const children = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

let exitHookInstalled = false;
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/** On Linux the JVMs also get SIGKILL if this process dies without running its exit hook. */
const deathSignalWrapper = commandWorks('setpriv', ['--pdeathsig', 'SIGKILL', '--', 'true'])
  ? ['setpriv', '--pdeathsig', 'SIGKILL', '--']
  : [];

// ---- ports ----

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = net.createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

const takenPorts = new Set<number>();

/** A broker listens on P, P−2 (fast channel) and P+1 (HA): find P with all three free. */
export async function freeBrokerPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ports = [base - 2, base, base + 1];
    if (ports.some((p) => takenPorts.has(p))) continue;
    const free = await Promise.all(ports.map((p) => portFree(p, '0.0.0.0')));
    if (free.every(Boolean)) {
      ports.forEach((p) => takenPorts.add(p));
      return base;
    }
  }
  throw new Error('found no free port block for a broker');
}

// ---- the cluster ----

export type RocketMQLayout = 'one-cluster' | 'two-clusters';

export interface StartOptions {
  /** 'one-cluster': broker-a and broker-b in cluster `test-cluster`; 'two-clusters': cluster-a/broker-a and cluster-b/broker-b. */
  layout?: RocketMQLayout;
  /** One-cluster layout only: more brokers (broker-c, broker-d, ...). */
  brokerCount?: number;
  /** RocketMQ version to run (default: the pom's); 4.9.x works too. */
  version?: string;
  /** Cluster and broker names, overriding `layout` and `brokerCount` (e.g. a Broker resource's `broker-0`, `broker-1`). */
  names?: { clusterName: string; brokerName: string }[];
  /** Extra broker.conf lines for both brokers. */
  brokerProperties?: Record<string, string | number | boolean>;
  /** Name servers to start (default 1). */
  nameServerCount?: number;
  /** Which of them (by index) the brokers are started with (default all). */
  brokerNameServers?: number[];
  /** Time limit for the whole start. */
  timeoutMs?: number;
  /**
   * Runs once a broker's configuration file is written, before it starts, in the run's directory
   * (its ROCKETMQ_HOME); returns more JVM arguments for that broker.
   */
  prepareBroker?: (broker: TestBroker, root: string) => string[];
  /** The account start-up signs its requests to the brokers with, for brokers that authenticate requests. */
  credentials?: Credentials;
}

export interface TestBroker {
  brokerName: string;
  clusterName: string;
  /** host:port of the main listener (where admin requests go). */
  address: string;
  port: number;
  storeDir: string;
  configFile: string;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SentMessage {
  brokerName: string;
  queueId: number;
  queueOffset: number;
}

export interface TestRocketMQ {
  version: string;
  /** The run's directory: ROCKETMQ_HOME of every process, and their homes (logs) below it. */
  root: string;
  /** The first name server. */
  nameServer: string;
  /** Every name server started, in order. */
  nameServers: string[];
  brokers: TestBroker[];
  broker(name: string): TestBroker;
  /** Milliseconds from the first spawn until both brokers were registered. */
  startupMs: number;
  /** Runs `mqadmin <args>` (MQAdminStartup from the same jars); `-n <name server>` is added unless given. */
  mqadmin(args: string[]): Promise<CommandResult>;
  /**
   * Sends `count` messages with RocketMQ's Java client, optionally only to one broker's queues, finding
   * routes through `via` (default: the name server; a proxy's remoting address works too).
   */
  produce(topic: string, count: number, brokerName?: string, via?: string): Promise<SentMessage[]>;
  /** The broker's JVM process id, and whether it still runs. */
  brokerProcess(name: string): { pid: number; running: boolean };
  /** Kills name server `index` and starts a fresh one (no routes) on the same port; resolves once it answers. */
  restartNameServer(index: number): Promise<void>;
  /** Kills the processes and removes the store directories. */
  stop(): Promise<void>;
}

// Start-up matters more than peak speed here: C1 only, serial GC. Building the servers' TLS
// context (permissive mode by default) costs seconds, so TLS is off.
const JVM_COMMON = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:-UsePerfData',
  '-Djava.net.preferIPv4Stack=true',
  '-Djava.security.egd=file:/dev/./urandom',
  '-Dtls.server.mode=disabled',
];

// 4.9.x unmaps files through JDK internals (issues apache/rocketmq#3321, #4161).
const JVM_V4 = [
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
];

function isV4(version: string): boolean {
  return version.startsWith('4.');
}

// 4.9.x reads $ROCKETMQ_HOME/conf/logback_<role>.xml (shipped with the binary distribution, not in
// the jars) and fails to start without it; a file appender per process is enough.
function writeV4LogbackFiles(root: string): void {
  mkdirSync(join(root, 'conf'), { recursive: true });
  for (const role of ['namesrv', 'broker', 'tools']) {
    writeFileSync(
      join(root, 'conf', `logback_${role}.xml`),
      `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>\${user.home}/logs/rocketmqlogs/${role}.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`,
    );
  }
}

export function javaArgs(
  version: string,
  lib: string,
  home: string,
  root: string,
  logback: string,
  heap: string[],
  mainClass: string,
  args: string[],
  extraClasspath?: string,
): string[] {
  const classpath = extraClasspath ? `${extraClasspath}:${join(lib, '*')}` : join(lib, '*');
  return [
    ...heap,
    ...JVM_COMMON,
    ...(isV4(version) ? JVM_V4 : []),
    `-Duser.home=${home}`,
    `-Drocketmq.home.dir=${root}`,
    `-Drmq.logback.configurationFile=${logback}`,
    '-cp',
    classpath,
    mainClass,
    ...args,
  ];
}

export function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

export interface Daemon {
  name: string;
  child: ChildProcess;
  outFile: string;
  exited: Promise<number | null>;
}

export function startDaemon(name: string, args: string[], root: string): Daemon {
  const outFile = join(root, `${name}.out`);
  const fd = openSync(outFile, 'a');
  const [command, ...rest] = [...deathSignalWrapper, 'java', ...args];
  const child = spawn(command, rest, { cwd: root, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  track(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { name, child, outFile, exited };
}

function brokerConf(
  b: { clusterName: string; brokerName: string; port: number; storeDir: string },
  nameServer: string,
  extra: Record<string, string | number | boolean>,
): string {
  const lines: Record<string, string | number | boolean> = {
    brokerClusterName: b.clusterName,
    brokerName: b.brokerName,
    brokerId: 0,
    brokerRole: 'ASYNC_MASTER',
    flushDiskType: 'ASYNC_FLUSH',
    namesrvAddr: nameServer,
    brokerIP1: '127.0.0.1',
    listenPort: b.port,
    haListenPort: b.port + 1,
    storePathRootDir: b.storeDir,
    storePathCommitLog: join(b.storeDir, 'commitlog'),
    autoCreateTopicEnable: true,
    autoCreateSubscriptionGroup: true,
    // Small mapped files: less address space and disk blocks per broker.
    mappedFileSizeCommitLog: 16 * 1024 * 1024,
    mappedFileSizeConsumeQueue: 60000,
    mappedFileSizeTimerLog: 16 * 1024 * 1024,
    maxHashSlotNum: 10000,
    maxIndexNum: 40000,
    // The shortest periodic registration the broker accepts (it clamps to 10–60 s).
    registerNameServerPeriod: 10000,
    // Registration only goes to name servers a background scan has found reachable; the scan
    // runs every connectTimeoutMillis (3 s by default), often too late for the registration at boot.
    connectTimeoutMillis: 500,
    ...extra,
  };
  return (
    Object.entries(lines)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

export async function startRocketMQ(options: StartOptions = {}): Promise<TestRocketMQ> {
  const version = options.version ?? ROCKETMQ_VERSION;
  const state = rocketmqAvailability(version);
  if (!state.ok) throw new Error(state.reason);
  const lib = await ensureRocketMQLib(version);
  installExitHook();
  const layout = options.layout ?? 'one-cluster';
  const root = mkdtempSync(join(tmpdir(), 'rocketmq-it-'));
  const daemons: Daemon[] = [];
  let admin: RocketMQAdmin | undefined;

  const stop = async (): Promise<void> => {
    admin?.close();
    // Stores are thrown away, so there is no need for a graceful shutdown.
    for (const d of daemons) d.child.kill('SIGKILL');
    await Promise.all(daemons.map((d) => d.exited));
    if (process.env.KEEP_ROCKETMQ_DIR !== '1') rmSync(root, { recursive: true, force: true });
  };

  try {
    const started = Date.now();
    const nameServerPorts: number[] = [];
    for (let i = 0; i < (options.nameServerCount ?? 1); i++) nameServerPorts.push(await freePort());
    const nameServers = nameServerPorts.map((port) => `127.0.0.1:${port}`);
    const nameServer = nameServers[0];
    const brokerNameServers = (options.brokerNameServers ?? nameServers.map((_, i) => i)).map((i) => nameServers[i]).join(';');
    if (isV4(version)) writeV4LogbackFiles(root);
    const brokerCount = options.brokerCount ?? 2;
    if (layout === 'two-clusters' && brokerCount !== 2) throw new Error('the two-clusters layout has exactly two brokers');
    const letters = 'abcdefghij'.slice(0, brokerCount).split('');
    const names = options.names
      ? options.names
      : layout === 'one-cluster'
        ? letters.map((l) => ({ clusterName: 'test-cluster', brokerName: `broker-${l}` }))
        : letters.map((l) => ({ clusterName: `cluster-${l}`, brokerName: `broker-${l}` }));
    const brokers: TestBroker[] = [];
    for (const n of names) {
      const port = await freeBrokerPort();
      const storeDir = join(root, n.brokerName, 'store');
      const configFile = join(root, `${n.brokerName}.conf`);
      brokers.push({ ...n, port, address: `127.0.0.1:${port}`, storeDir, configFile });
    }

    // The first name server keeps the names it always had (namesrv.conf, namesrv-home).
    const nameServerName = (index: number) => (index === 0 ? 'namesrv' : `namesrv-${index}`);
    const startNameServer = (index: number): Daemon => {
      const conf = join(root, `${nameServerName(index)}.conf`);
      writeFileSync(conf, `listenPort=${nameServerPorts[index]}\n`);
      return startDaemon(
        nameServerName(index),
        javaArgs(
          version,
          lib,
          join(root, `${nameServerName(index)}-home`),
          root,
          'rmq.namesrv.logback.xml',
          ['-Xms64m', '-Xmx128m'],
          'org.apache.rocketmq.namesrv.NamesrvStartup',
          ['-c', conf],
        ),
        root,
      );
    };
    nameServerPorts.forEach((_, i) => daemons.push(startNameServer(i)));
    // Brokers start at the same time as the name server: their first registration comes several
    // seconds later, when the name server is long up (and a missed one is repeated after 10 s).
    for (const b of brokers) {
      mkdirSync(b.storeDir, { recursive: true });
      writeFileSync(b.configFile, brokerConf(b, brokerNameServers, options.brokerProperties ?? {}));
      const extraJvmArgs = options.prepareBroker?.(b, root) ?? [];
      daemons.push(
        startDaemon(
          b.brokerName,
          javaArgs(
            version,
            lib,
            join(root, `${b.brokerName}-home`),
            root,
            'rmq.broker.logback.xml',
            ['-Xms256m', '-Xmx256m', '-XX:MaxDirectMemorySize=256m', ...extraJvmArgs],
            'org.apache.rocketmq.broker.BrokerStartup',
            ['-c', b.configFile],
          ),
          root,
        ),
      );
    }

    admin = new RocketMQAdmin({
      nameServers: brokerNameServers,
      timeoutMs: 2000,
      connectTimeoutMs: 1000,
      credentials: options.credentials,
    });
    const deadline = started + (options.timeoutMs ?? 120_000);
    const permission = String(options.brokerProperties?.brokerPermission ?? 6);
    const lastNudge = new Map<string, number>();
    let lastProblem = 'no answer from the name server yet';
    for (;;) {
      const dead = daemons.find((d) => d.child.exitCode !== null);
      if (dead) throw new Error(`${dead.name} exited with code ${dead.child.exitCode} during start-up:\n${tail(dead.outFile)}`);
      try {
        const info = await admin.clusterInfo();
        const missing = brokers.filter((b) => {
          const registered = info.brokers.get(b.brokerName);
          return !registered || masterOf(registered) !== b.address || !info.clusters.get(b.clusterName)?.includes(b.brokerName);
        });
        if (missing.length === 0) break;
        lastProblem = `not registered yet: ${missing.map((b) => b.brokerName).join(', ')}`;
        // A broker that is up but missed its boot-time registration would wait 10 s for the next
        // one; re-setting brokerPermission makes it register at once.
        await Promise.all(
          missing
            .filter((b) => Date.now() - (lastNudge.get(b.brokerName) ?? 0) > 700)
            .map(async (b) => {
              lastNudge.set(b.brokerName, Date.now());
              await admin?.updateBrokerConfig(b.address, { brokerPermission: permission }).catch(() => undefined);
            }),
        );
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `RocketMQ did not come up in time (${lastProblem}); output:\n${daemons.map((d) => `--- ${d.name}\n${tail(d.outFile, 15)}`).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    const startupMs = Date.now() - started;
    admin.close();

    const { mqadmin, produce } = javaClients(version, lib, root, nameServer);

    const brokerProcess = (name: string) => {
      const daemon = daemons.find((d) => d.name === name && brokers.some((b) => b.brokerName === name));
      if (!daemon?.child.pid) throw new Error(`no test broker named ${name}`);
      return { pid: daemon.child.pid, running: daemon.child.exitCode === null && daemon.child.signalCode === null };
    };

    const restartNameServer = async (index: number): Promise<void> => {
      const at = daemons.findIndex((d) => d.name === nameServerName(index));
      const old = daemons[at];
      old.child.kill('SIGKILL');
      await old.exited;
      daemons[at] = startNameServer(index);
      const probe = new RocketMQAdmin({ nameServers: nameServers[index], timeoutMs: 1000, connectTimeoutMs: 500 });
      try {
        const deadline = Date.now() + 60_000;
        for (;;) {
          if (daemons[at].child.exitCode !== null) throw new Error(`${nameServerName(index)} exited:\n${tail(daemons[at].outFile)}`);
          const answers = await probe.clusterInfo().then(
            () => true,
            () => false,
          );
          if (answers) return;
          if (Date.now() > deadline) throw new Error(`${nameServerName(index)} did not answer after its restart`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        probe.close();
      }
    };

    return {
      version,
      root,
      nameServer,
      nameServers,
      brokers,
      broker: (name) => {
        const found = brokers.find((b) => b.brokerName === name);
        if (!found) throw new Error(`no test broker named ${name}`);
        return found;
      },
      startupMs,
      mqadmin,
      produce,
      brokerProcess,
      restartNameServer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * mqadmin and the test producer from the jars in `lib`, working under `root`, talking to
 * `nameServer` (host:port) unless told otherwise.
 */
export function javaClients(version: string, lib: string, root: string, nameServer: string): Pick<TestRocketMQ, 'mqadmin' | 'produce'> {
  const toolsHome = join(root, 'tools-home');
  const mqadmin = async (args: string[]): Promise<CommandResult> => {
    const full = args.includes('-n') ? args : [...args, '-n', nameServer];
    return run(
      'java',
      javaArgs(
        version,
        lib,
        toolsHome,
        root,
        'rmq.tools.logback.xml',
        ['-Xms32m', '-Xmx256m'],
        'org.apache.rocketmq.tools.command.MQAdminStartup',
        full,
      ),
      { cwd: root, timeoutMs: 60_000 },
    );
  };

  const produce = async (topic: string, count: number, brokerName?: string, via = nameServer): Promise<SentMessage[]> => {
    const classes = await compileJava(lib, version, 'TestProducer');
    const args = [via, topic, String(count), ...(brokerName ? [brokerName] : [])];
    const result = await run(
      'java',
      javaArgs(
        version,
        lib,
        join(root, 'producer-home'),
        root,
        'rmq.client.logback.xml',
        ['-Xms32m', '-Xmx256m'],
        'TestProducer',
        args,
        classes,
      ),
      { cwd: root, timeoutMs: 120_000 },
    );
    if (result.code !== 0) throw new Error(`TestProducer failed (exit ${result.code}):\n${result.stdout}\n${result.stderr.slice(-3000)}`);
    return result.stdout
      .split('\n')
      .filter((l) => l.startsWith('SENT '))
      .map((l) => {
        const [, name, queueId, offset] = l.trim().split(' ');
        return { brokerName: name, queueId: Number(queueId), queueOffset: Number(offset) };
      });
  };
  return { mqadmin, produce };
}

/**
 * Compiles test/rocketmq/java/<className>.java against the client jars once per source and version
 * (cached next to the jars); the directory of its classes.
 */
export async function compileJava(lib: string, version: string, className: string): Promise<string> {
  const sourceFile = join(javaSources, `${className}.java`);
  const source = readFileSync(sourceFile);
  const digest = createHash('sha256').update(source).update(version).digest('hex').slice(0, 16);
  const out = join(dirname(lib), 'test-classes', `${className}-${digest}`);
  if (existsSync(join(out, `${className}.class`))) return out;
  const staging = `${out}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const clientJars = readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => join(lib, f));
  const result = await run('javac', ['-nowarn', '-d', staging, '-cp', clientJars.join(':'), sourceFile], { timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`javac ${className}.java failed:\n${result.stdout}${result.stderr}`);
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  return out;
}

/**
 * One more broker started from the run's first broker.conf with `overrides` (at least its own
 * brokerIP1, say 127.0.0.2, as a second pod registers its own IP), its own ports and store; the
 * caller stops it.
 */
export async function startBrokerLike(mq: TestRocketMQ, name: string, overrides: Record<string, string>): Promise<Daemon> {
  const storeDir = join(mq.root, name, 'store');
  mkdirSync(storeDir, { recursive: true });
  const conf = {
    ...parseConfigLines(readFileSync(mq.brokers[0].configFile, 'utf8')),
    listenPort: String(await freePort()),
    haListenPort: String(await freePort()),
    storePathRootDir: storeDir,
    storePathCommitLog: join(storeDir, 'commitlog'),
    ...overrides,
  };
  const configFile = join(mq.root, `${name}.conf`);
  writeFileSync(configFile, formatProperties(conf));
  const lib = await ensureRocketMQLib(mq.version);
  return startDaemon(
    name,
    javaArgs(
      mq.version,
      lib,
      join(mq.root, `${name}-home`),
      mq.root,
      'rmq.broker.logback.xml',
      ['-Xms256m', '-Xmx256m', '-XX:MaxDirectMemorySize=256m'],
      'org.apache.rocketmq.broker.BrokerStartup',
      ['-c', configFile],
    ),
    mq.root,
  );
}

/** Polls `probe` every 500 ms until it gives a value (a throw counts as none). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
