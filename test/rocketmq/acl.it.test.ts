// A Broker with spec.acl against real brokers: each runs exactly the configuration the Broker hook
// renders, and the account lines its rendered start command writes (the command run by a real
// shell, with the Secret's values as the variables the pod reads from the Secret).
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { RemotingResponseError } from '../../hooks/rocketmq/errors.js';
import type { Credentials } from '../../hooks/rocketmq/signature.js';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../../hooks/rocketmq-pods/acl.js';
import { runRunner } from '../../hooks/runner/main.js';
import { mountRenderedFiles, renderedBroker, runBrokerStartSteps } from '../support/acl.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { expectSuccess, keyValueSections } from './mqadmin-output.js';

jest.setTimeout(90_000);

const UPSTREAM = '/work/shared/upstream';

/** Every file under `dir` whose path matches. */
function filesUnder(dir: string, match: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => match.test(f) && statSync(f).isFile());
}

async function runCopy(nameServer: string, account: Credentials | undefined) {
  return runAs(
    ['copy-metadata', `--namesrv=${nameServer}`, '--source-broker=broker-a', '--target-broker=broker-b', '--attempts=1'],
    account,
  );
}

/** Runs the runner with the account in its environment, as its Job gives it. */
async function runAs(argv: string[], account: Credentials | undefined) {
  const saved = { access: process.env[ACCESS_KEY_ENV], secret: process.env[SECRET_KEY_ENV] };
  if (account) Object.assign(process.env, { [ACCESS_KEY_ENV]: account.accessKey, [SECRET_KEY_ENV]: account.secretKey });
  const stdout: string[] = [];
  const stderr: string[] = [];
  try {
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
      const rendered = renderedBroker(image);

      beforeAll(async () => {
        mq = await startRocketMQ({
          version,
          brokerProperties: rendered.properties,
          credentials: account,
          prepareBroker: (broker, root) => {
            // The image's own ACL file, with its well-known accounts, where RocketMQ 4 looks by default.
            const imageAclFile = join(UPSTREAM, `rocketmq-${version}`, 'conf', 'plain_acl.yml');
            if (existsSync(imageAclFile)) copyFileSync(imageAclFile, join(root, 'conf', 'plain_acl.yml'));
            mkdirSync(broker.storeDir, { recursive: true });
            mountRenderedFiles(rendered, broker, root);
            return runBrokerStartSteps(rendered.command, broker, root, account);
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

      test("the runner gives brokers a new name-server list only when it signs with the Secret's account", async () => {
        const port = mq.nameServer.split(':').at(-1);
        // The same name server under a second name: a new list that keeps the broker registered.
        const list = `${mq.nameServer};localhost:${port}`;
        const argv = ['set-name-servers', `--namesrv=${list}`, `--broker-addr=${a}`, '--attempts=1'];
        expect((await runAs(argv, undefined)).code).toBe(1);
        expect((await signed.brokerConfig(a)).namesrvAddr).toBe(mq.nameServer);
        const sent = await runAs(argv, account);
        expect({ code: sent.code, stderr: sent.stderr }).toEqual({ code: 0, stderr: [] });
        expect((await signed.brokerConfig(a)).namesrvAddr).toBe(list);
        expect((await runAs(['set-name-servers', `--namesrv=${mq.nameServer}`, `--broker-addr=${a}`], account)).code).toBe(0);
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

      test('the secret key is in no container output and no log file, while the brokers log as they always do', () => {
        const logs = filesUnder(mq.root, /(\/logs\/.*\.log|\.out)$/);
        expect(logs.filter((f) => f.endsWith('.out')).length).toBe(3);
        // The random tail: a leak may show the rest escaped.
        const leaking = logs.filter((f) => readFileSync(f, 'utf8').includes(account.secretKey.slice(-16)));
        expect(leaking).toEqual([]);
        for (const broker of ['broker-a', 'broker-b']) {
          const dir = join(mq.root, `${broker}-home`, 'logs', 'rocketmqlogs');
          expect(readFileSync(join(dir, 'broker.log'), 'utf8')).toMatch(/boot success/);
          // RocketMQ 4 brokers write the image's files from the operator's logging configuration.
          if (version.startsWith('4.')) expect(readFileSync(join(dir, 'store.log'), 'utf8')).not.toBe('');
        }
      });
    },
    version,
  );
}

aclSuite('5.3.3', 'apache/rocketmq:5.3.3');
aclSuite('4.9.7', 'apache/rocketmq:4.9.7');
