// A Broker with spec.acl against real brokers: each runs exactly the configuration the Broker hook
// renders, and the account lines its rendered start command writes (the command run by a real
// shell, with the Secret's values as the variables the pod reads from the Secret).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { brokerHooks } from '../../hooks/broker/hooks.js';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { RemotingResponseError } from '../../hooks/rocketmq/errors.js';
import type { Credentials } from '../../hooks/rocketmq/signature.js';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../../hooks/rocketmq-pods/acl.js';
import { runRunner } from '../../hooks/runner/main.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { describeWithRocketMQ, type TestBroker, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { expectSuccess, keyValueSections } from './mqadmin-output.js';

jest.setTimeout(90_000);

const UPSTREAM = '/work/shared/upstream';
/** Keys the test's own brokers set (they run side by side on one host), not the rendered ones. */
const TEST_OWN_KEYS = ['brokerClusterName', 'brokerName', 'brokerId', 'brokerRole', 'storePathRootDir'];
const OFFICIAL_COPY = '/home/rocketmq/store/broker.conf';

/** The Broker hook's broker.conf (less the keys the test sets) and start command for one image. */
function rendered(image: string): { properties: Record<string, string>; command: string } {
  const parent = customResource('Broker', 'acl', {
    brokerImage: image,
    replicaPerGroup: 0,
    nameServers: 'ns:9876',
    acl: { enabled: true, adminSecret: 'rocketmq-admin' },
  });
  const children = brokerHooks.sync(syncRequest(parent), new Date()).children as any[];
  const conf: string = children.find((c) => c.kind === 'ConfigMap').data['acl-0-master.conf'];
  const properties = Object.fromEntries(
    conf
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
      .filter(([key]) => !TEST_OWN_KEYS.includes(key)),
  );
  const command: string = children.find((c) => c.kind === 'StatefulSet').spec.template.spec.containers[0].command[2];
  return { properties, command };
}

/**
 * Runs the rendered command's steps between the copy and the broker's start on this broker's files
 * (its configuration file for the copy, its store for the store volume); returns JAVA_OPT_EXT as
 * they leave it, the JVM flags the image's script would add.
 */
function runStartSteps(command: string, broker: TestBroker, root: string, account: Credentials): string[] {
  const steps = /^cp \/etc\/rocketmq\/broker\.conf \S+ && (.*) && exec sh "\$ROCKETMQ_HOME\/bin\/mqbroker" .*$/.exec(command)?.[1];
  if (!steps) throw new Error(`unexpected start command: ${command}`);
  const script = steps.replaceAll(OFFICIAL_COPY, broker.configFile).replaceAll('/home/rocketmq/store/', `${broker.storeDir}/`);
  const result = spawnSync('sh', ['-c', `${script} && printf '%s' "$JAVA_OPT_EXT"`], {
    env: {
      PATH: process.env.PATH,
      POD_IP: '127.0.0.1',
      ROCKETMQ_HOME: root,
      JAVA_OPT_EXT: '',
      [ACCESS_KEY_ENV]: account.accessKey,
      [SECRET_KEY_ENV]: account.secretKey,
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`start steps failed (${result.status}): ${result.stderr}`);
  return result.stdout.split(' ').filter(Boolean);
}

/** Every file under `dir` whose path matches. */
function filesUnder(dir: string, match: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => match.test(f) && statSync(f).isFile());
}

async function runCopy(nameServer: string, account: Credentials | undefined) {
  const saved = { access: process.env[ACCESS_KEY_ENV], secret: process.env[SECRET_KEY_ENV] };
  if (account) Object.assign(process.env, { [ACCESS_KEY_ENV]: account.accessKey, [SECRET_KEY_ENV]: account.secretKey });
  const stdout: string[] = [];
  const stderr: string[] = [];
  try {
    const argv = ['copy-metadata', `--namesrv=${nameServer}`, '--source-broker=broker-a', '--target-broker=broker-b', '--attempts=1'];
    const code = await runRunner(argv, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
    return { code, stdout, stderr };
  } finally {
    for (const [name, value] of [
      [ACCESS_KEY_ENV, saved.access],
      [SECRET_KEY_ENV, saved.secret],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function aclSuite(version: string, image: string) {
  describeWithRocketMQ(
    `spec.acl on real RocketMQ ${version} brokers`,
    () => {
      // Values a shell, a properties file, JSON and YAML each treat specially.
      const account: Credentials = {
        accessKey: `admin-${randomBytes(4).toString('hex')}`,
        secretKey: `s3"cr\\et $x-${randomBytes(8).toString('hex')}`,
      };
      let mq: TestRocketMQ;
      let signed: RocketMQAdmin;
      let a: string;
      let b: string;
      const { properties, command } = rendered(image);

      beforeAll(async () => {
        mq = await startRocketMQ({
          version,
          brokerProperties: properties,
          credentials: account,
          prepareBroker: (broker, root) => {
            // The image's own ACL file, with its well-known accounts, where RocketMQ 4 looks by default.
            const imageAclFile = join(UPSTREAM, `rocketmq-${version}`, 'conf', 'plain_acl.yml');
            if (existsSync(imageAclFile)) copyFileSync(imageAclFile, join(root, 'conf', 'plain_acl.yml'));
            mkdirSync(broker.storeDir, { recursive: true });
            return runStartSteps(command, broker, root, account);
          },
        });
        console.log(`RocketMQ ${mq.version} with acl started in ${mq.startupMs} ms`);
        signed = new RocketMQAdmin({ nameServers: mq.nameServer, credentials: account });
        a = mq.broker('broker-a').address;
        b = mq.broker('broker-b').address;
      }, 240_000);

      afterAll(async () => {
        signed?.close();
        await mq?.stop();
      });

      test('refuses admin requests that are unsigned, signed with a wrong secret, or with the image tools account', async () => {
        const tools = /secretKey: (\S+)/.exec(readFileSync(join(UPSTREAM, 'rocketmq-5.3.3', 'conf', 'tools.yml'), 'utf8'))?.[1];
        const strangers: (Credentials | undefined)[] = [
          undefined,
          { accessKey: account.accessKey, secretKey: `${account.secretKey}x` },
          { accessKey: 'rocketmq2', secretKey: tools! },
        ];
        for (const credentials of strangers) {
          const admin = new RocketMQAdmin({ nameServers: mq.nameServer, credentials, timeoutMs: 5000 });
          try {
            await expect(admin.topicConfigs(a)).rejects.toBeInstanceOf(RemotingResponseError);
            await expect(
              admin.createOrUpdateTopic(a, { topicName: 'acl-stranger', readQueueNums: 1, writeQueueNums: 1 }),
            ).rejects.toBeInstanceOf(RemotingResponseError);
          } finally {
            admin.close();
          }
        }
        expect((await signed.topicConfigs(a)).has('acl-stranger')).toBe(false);
      });

      test("with the Secret's account the runner copies metadata, and mqadmin with that account sees it", async () => {
        await signed.createOrUpdateTopic(a, { topicName: 'acl-topic', readQueueNums: 3, writeQueueNums: 3 });
        await signed.createOrUpdateSubscriptionGroup(a, {
          groupName: 'acl-group',
          retryMaxTimes: 5,
          consumeBroadcastEnable: false,
        } as never);

        const refused = await runCopy(mq.nameServer, undefined);
        expect(refused.code).toBe(1);
        expect(refused.stderr.join('\n')).toMatch(/copy-metadata: /);

        const copied = await runCopy(mq.nameServer, account);
        expect(copied.stderr).toEqual([]);
        expect(copied.code).toBe(0);
        expect((await signed.topicConfigs(b)).get('acl-topic')).toMatchObject({ readQueueNums: 3, writeQueueNums: 3 });

        // mqadmin signs with $ROCKETMQ_HOME/conf/tools.yml: without it the brokers tell it nothing.
        const unsignedView = keyValueSections((await mq.mqadmin(['getConsumerConfig', '-g', 'acl-group'])).stdout);
        expect(unsignedView.get('test-cluster:broker-b')).toBeUndefined();
        mkdirSync(join(mq.root, 'conf'), { recursive: true });
        writeFileSync(
          join(mq.root, 'conf', 'tools.yml'),
          `accessKey: ${JSON.stringify(account.accessKey)}\nsecretKey: ${JSON.stringify(account.secretKey)}\n`,
        );
        const view = keyValueSections(expectSuccess(await mq.mqadmin(['getConsumerConfig', '-g', 'acl-group']), 'getConsumerConfig'));
        expect(view.get('test-cluster:broker-a')).toMatchObject({ retryMaxTimes: '5' });
        expect(view.get('test-cluster:broker-b')).toEqual(view.get('test-cluster:broker-a'));
      });

      test('the secret key is in no container output, and in no log file but the one RocketMQ 4 writes its ACL file into', () => {
        const logs = filesUnder(mq.root, /(\/logs\/.*\.log|\.out)$/);
        expect(logs.filter((f) => f.endsWith('.out')).length).toBe(3);
        // The random tail: a leak may show the rest escaped.
        const leaking = logs.filter((f) => readFileSync(f, 'utf8').includes(account.secretKey.slice(-16)));
        // RocketMQ 4 logs the content of every ACL file it loads into broker.log, secret keys included.
        const expected = version.startsWith('4.')
          ? ['broker-a', 'broker-b'].map((b) => join(mq.root, `${b}-home`, 'logs', 'rocketmqlogs', 'broker.log'))
          : [];
        expect(leaking.sort()).toEqual(expected);
      });
    },
    version,
  );
}

aclSuite('5.3.3', 'apache/rocketmq:5.3.3');
aclSuite('4.9.7', 'apache/rocketmq:4.9.7');
