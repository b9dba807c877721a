// What a cluster with spec.acl runs, for tests against real RocketMQ: the configuration the hooks
// render, and the account lines the rendered start commands write, run by a real shell with the
// Secret's values as the variables a pod reads from the Secret.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brokerHooks } from '../../hooks/broker/hooks.js';
import type { Credentials } from '../../hooks/rocketmq/signature.js';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../../hooks/rocketmq-pods/acl.js';
import { customResource, syncRequest } from './hook-requests.js';
import type { TestBroker } from './rocketmq.js';

export const ADMIN_SECRET = 'rocketmq-admin';

/** A Broker "acl" with spec.acl, one group without replicas. */
export function aclBroker(image: string) {
  return customResource('Broker', 'acl', {
    brokerImage: image,
    replicaPerGroup: 0,
    nameServers: 'ns:9876',
    // The test's brokers share one host, where each would want the exporter's fixed port.
    metrics: { enabled: false },
    acl: { enabled: true, adminSecret: ADMIN_SECRET },
  });
}

/** Keys the test's own brokers set (they run side by side on one host), not the rendered ones. */
const TEST_OWN_KEYS = ['brokerClusterName', 'brokerName', 'brokerId', 'brokerRole', 'storePathRootDir'];
const OFFICIAL_COPY = '/home/rocketmq/store/broker.conf';

export interface RenderedBroker {
  properties: Record<string, string>;
  command: string;
  /** The broker ConfigMap's files the container mounts besides broker.conf, by mount path. */
  mountedFiles: Record<string, string>;
}

/** The Broker hook's broker.conf (less the keys the test sets), start command and mounted files for one image. */
export function renderedBroker(image: string): RenderedBroker {
  const children = brokerHooks.sync(syncRequest(aclBroker(image)), new Date()).children as any[];
  const data: Record<string, string> = children.find((c) => c.kind === 'ConfigMap').data;
  const conf = data['acl-0-master.conf'];
  const properties = Object.fromEntries(
    conf
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
      .filter(([key]) => !TEST_OWN_KEYS.includes(key)),
  );
  const container = children.find((c) => c.kind === 'StatefulSet').spec.template.spec.containers[0];
  const mountedFiles = Object.fromEntries(
    (container.volumeMounts as { mountPath: string; subPath?: string }[])
      .filter((m) => m.subPath !== undefined && m.subPath !== 'acl-0-master.conf' && data[m.subPath] !== undefined)
      .map((m) => [m.mountPath, data[m.subPath!]]),
  );
  return { properties, command: container.command[2], mountedFiles };
}

/**
 * Puts the rendered broker's mounted files under `root` + their mount path, and points the broker's
 * configuration file at them where the rendered properties name a mount's directory.
 */
export function mountRenderedFiles(rendered: RenderedBroker, broker: TestBroker, root: string): void {
  for (const [mountPath, content] of Object.entries(rendered.mountedFiles)) {
    mkdirSync(dirname(join(root, mountPath)), { recursive: true });
    writeFileSync(join(root, mountPath), content);
  }
  const local = Object.entries(rendered.properties)
    .filter(([, value]) => value.startsWith('/') && Object.keys(rendered.mountedFiles).some((path) => path.startsWith(`${value}/`)))
    .map(([key, value]) => `${key}=${join(root, value)}\n`);
  appendFileSync(broker.configFile, local.join(''));
}

/**
 * Runs the rendered command's steps between the copy and the broker's start (what comes before
 * the copy only picks the name servers, which the test's brokers are given themselves) on this broker's files
 * (its configuration file for the copy, its store for the store volume); returns JAVA_OPT_EXT as
 * they leave it, the JVM flags the image's script would add.
 */
export function runBrokerStartSteps(command: string, broker: TestBroker, root: string, account: Credentials): string[] {
  const steps = /(?:^|&& )cp \/etc\/rocketmq\/broker\.conf \S+ && (.*) && exec sh "\$ROCKETMQ_HOME\/bin\/mqbroker" .*$/.exec(command)?.[1];
  if (!steps) throw new Error(`unexpected start command: ${command}`);
  const script = steps.replaceAll(OFFICIAL_COPY, broker.configFile).replaceAll('/home/rocketmq/store/', `${broker.storeDir}/`);
  const result = runAsPod(`${script} && printf '%s' "$JAVA_OPT_EXT"`, account, {
    POD_IP: '127.0.0.1',
    ROCKETMQ_HOME: root,
    JAVA_OPT_EXT: '',
  });
  if (result.status !== 0) throw new Error(`start steps failed (${result.status}): ${result.stderr}`);
  return result.stdout.split(' ').filter(Boolean);
}

/** Runs shell as a container would, with the account in the variables its env reads from the Secret. */
export function runAsPod(script: string, account: Credentials, env: Record<string, string> = {}) {
  return spawnSync('sh', ['-c', script], {
    env: { PATH: process.env.PATH, ...env, [ACCESS_KEY_ENV]: account.accessKey, [SECRET_KEY_ENV]: account.secretKey },
    encoding: 'utf8',
  });
}
