// A real RocketMQ proxy for integration tests: ProxyStartup from the rocketmq-proxy jars of
// test/rocketmq/proxy/pom.xml, run with a given rmq-proxy.json in which only the name server address
// and the two listening ports are replaced by the test's loopback ones. The RocketMQ 5 gRPC client
// (java/GrpcClient.java) is compiled once against rocketmq-client-java and kept next to the jars.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credentials } from '../../hooks/rocketmq/signature.js';
import { freePort } from './ports.js';
import {
  PROXY_CLIENT_DIR,
  ROCKETMQ_VERSION,
  type CommandResult,
  type TestRocketMQ,
  ensureProxyLib,
  installExitHook,
  javaArgs,
  run,
  startDaemon,
  tail,
} from './rocketmq.js';

const clientSource = join(dirname(fileURLToPath(import.meta.url)), '..', 'rocketmq', 'java', 'GrpcClient.java');

export interface TestProxy {
  /** host:port of the gRPC server. */
  grpc: string;
  /** host:port of the remoting server. */
  remoting: string;
  /** The configuration the proxy runs with: the given one with the addresses replaced. */
  config: Record<string, unknown>;
  /** Milliseconds from the spawn until both ports accepted connections. */
  startupMs: number;
  /** Runs GrpcClient against the proxy (see runGrpcClient). */
  grpcClient(topic: string, group: string, count: number, options?: GrpcClientOptions): Promise<GrpcClientResult>;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts a proxy with `configText` (a rendered rmq-proxy.json) against the test RocketMQ. */
export async function startProxy(rocketmq: TestRocketMQ, configText: string): Promise<TestProxy> {
  const lib = await ensureProxyLib();
  installExitHook();
  const root = mkdtempSync(join(tmpdir(), 'rocketmq-proxy-it-'));
  const [remotingPort, grpcPort] = [await freePort(), await freePort()];
  const config = {
    ...(JSON.parse(configText) as Record<string, unknown>),
    namesrvAddr: rocketmq.nameServer,
    remotingListenPort: remotingPort,
    grpcServerPort: grpcPort,
  };
  const configFile = join(root, 'rmq-proxy.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const started = Date.now();
  const daemon = startDaemon(
    'proxy',
    javaArgs(
      ROCKETMQ_VERSION,
      lib,
      join(root, 'proxy-home'),
      root,
      'rmq.proxy.logback.xml',
      ['-Xms128m', '-Xmx256m', '-XX:MaxDirectMemorySize=128m'],
      'org.apache.rocketmq.proxy.ProxyStartup',
      ['-pc', configFile],
    ),
    root,
  );
  const stop = async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    if (process.env.KEEP_ROCKETMQ_DIR !== '1') rmSync(root, { recursive: true, force: true });
  };
  try {
    const deadline = started + 90_000;
    while (!((await accepts(grpcPort)) && (await accepts(remotingPort)))) {
      if (daemon.child.exitCode !== null) throw new Error(`the proxy exited with code ${daemon.child.exitCode}:\n${tail(daemon.outFile)}`);
      if (Date.now() > deadline) throw new Error(`the proxy did not listen in time:\n${tail(daemon.outFile)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const startupMs = Date.now() - started;
  const grpc = `127.0.0.1:${grpcPort}`;

  const grpcClient = (topic: string, group: string, count: number, options?: GrpcClientOptions) =>
    runGrpcClient(grpc, topic, group, count, root, options);
  return { grpc, remoting: `127.0.0.1:${remotingPort}`, config, startupMs, grpcClient, stop };
}

export type GrpcClientResult = CommandResult & {
  /** Ids of the messages sent, in order. */
  sent: string[];
  /** Ids of the messages received, and their bodies (sent as "message 0", "message 1", ...). */
  received: string[];
  receivedBodies: string[];
};

export interface GrpcClientOptions {
  /** The account the client signs with. */
  credentials?: Credentials;
  /** Stop once the messages are sent. */
  sendOnly?: boolean;
  /** How long the consumer waits for the messages (60 s by default). */
  receiveSeconds?: number;
}

/**
 * Runs GrpcClient against the proxy at `grpc` (host:port): sends `count` messages to `topic`, then
 * (unless `sendOnly`) receives them as `group`, for up to `receiveSeconds`.
 */
export async function runGrpcClient(
  grpc: string,
  topic: string,
  group: string,
  count: number,
  workDir: string,
  { credentials, sendOnly, receiveSeconds }: GrpcClientOptions = {},
): Promise<GrpcClientResult> {
  const lib = await ensureProxyLib();
  const clientDir = join(lib, PROXY_CLIENT_DIR);
  const clientJar = join(clientDir, readdirSync(clientDir).find((f) => f.endsWith('.jar')) ?? 'rocketmq-client-java.jar');
  const classes = await compileClient(lib, clientJar);
  const result = await run(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      `-Duser.home=${join(workDir, 'client-home')}`,
      '-cp',
      `${classes}:${clientJar}`,
      'GrpcClient',
      grpc,
      topic,
      group,
      String(count),
      ...(sendOnly ? ['send-only'] : receiveSeconds !== undefined ? [String(receiveSeconds)] : []),
    ],
    {
      cwd: workDir,
      timeoutMs: 120_000,
      env: credentials
        ? { ...process.env, ROCKETMQ_ACCESS_KEY: credentials.accessKey, ROCKETMQ_SECRET_KEY: credentials.secretKey }
        : process.env,
    },
  );
  const lines = (prefix: string) =>
    result.stdout
      .split('\n')
      .filter((l) => l.startsWith(prefix))
      .map((l) => l.slice(prefix.length).trim());
  const received = lines('RECEIVED ').map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]);
  return { ...result, sent: lines('SENT '), received: received.map(([id]) => id), receivedBodies: received.map(([, body]) => body) };
}

/** Compiles GrpcClient.java against the client jar once per source (cached next to the jars). */
async function compileClient(lib: string, clientJar: string): Promise<string> {
  const digest = createHash('sha256').update(readFileSync(clientSource)).update(clientJar).digest('hex').slice(0, 16);
  const out = join(dirname(lib), 'grpc-client', digest);
  if (existsSync(join(out, 'GrpcClient.class'))) return out;
  const staging = `${out}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const result = await run('javac', ['-nowarn', '-d', staging, '-cp', clientJar, clientSource], { timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`javac GrpcClient.java failed:\n${result.stdout}${result.stderr}`);
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  return out;
}
