// The start steps that write the Secret's account, run by a real POSIX shell with awkward values:
// what RocketMQ would read back must be the values themselves.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ACCESS_KEY_ENV, aclGeneration, brokerAclSteps, SECRET_KEY_ENV, type AclGeneration } from '../../../hooks/rocketmq-pods/acl.js';

/** java.util.Properties' reading of a `key=value` line without continuation: backslash escapes one character. */
function propertyValue(text: string, key: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  if (line === undefined) throw new Error(`no ${key} line`);
  return line.slice(key.length + 1).replace(/\\(.)/g, '$1');
}

function runSteps(generation: AclGeneration, accessKey: string, secretKey: string) {
  const dir = mkdtempSync(join(tmpdir(), 'acl-start-'));
  const conf = join(dir, 'broker.conf');
  writeFileSync(conf, 'brokerName=b\n');
  const script = [...brokerAclSteps(generation, conf), `printf '%s' "$JAVA_OPT_EXT|\${${ACCESS_KEY_ENV}-unset}"`].join(' && ');
  const result = spawnSync('sh', ['-c', script], {
    env: {
      PATH: process.env.PATH,
      ROCKETMQ_HOME: '/opt/rocketmq/rocketmq-4.9.7',
      JAVA_OPT_EXT: '-Xmx1g',
      [ACCESS_KEY_ENV]: accessKey,
      [SECRET_KEY_ENV]: secretKey,
    },
    encoding: 'utf8',
  });
  const read = (file: string) => {
    try {
      return { text: readFileSync(join(dir, file), 'utf8'), mode: statSync(join(dir, file)).mode & 0o777 };
    } catch {
      return undefined;
    }
  };
  const out = {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    conf: read('broker.conf'),
    acl: read('plain_acl.yml'),
  };
  rmSync(dir, { recursive: true, force: true });
  return { ...out, dir };
}

const AWKWARD = [
  ['admin-user', 'plain-secret-1'],
  ['a"quote"', 'back\\slash\\'],
  ['sp ace =:#!', `$(touch x)\`id\`'%s%n`],
  ['\\\\\\"\\-key', '{"json":1}\\u0041'],
];

describe('broker acl start steps', () => {
  it.each(AWKWARD)('RocketMQ 5 reads back the account %j as written, from a file only its owner reads', (accessKey, secretKey) => {
    const run = runSteps('auth', accessKey, secretKey);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.conf?.mode).toBe(0o600);
    expect(JSON.parse(propertyValue(run.conf!.text, 'initAuthenticationUser'))).toEqual({ username: accessKey, password: secretKey });
    expect(JSON.parse(propertyValue(run.conf!.text, 'innerClientAuthenticationCredentials'))).toEqual({ accessKey, secretKey });
    // The JVM does not inherit the variables.
    expect(run.stdout).toBe('-Xmx1g|unset');
  });

  it.each(AWKWARD)(
    'RocketMQ 4 reads back the account %j as the only one, from a plain_acl.yml the broker is pointed at',
    (accessKey, secretKey) => {
      const run = runSteps('plain', accessKey, secretKey);
      expect(run.status).toBe(0);
      expect(run.acl?.mode).toBe(0o600);
      expect(parseYaml(run.acl!.text)).toEqual({ globalWhiteRemoteAddresses: [], accounts: [{ accessKey, secretKey, admin: true }] });
      // ROCKETMQ_HOME (3 levels deep) joined with the property is the file.
      expect(run.stdout).toBe(`-Xmx1g -Drocketmq.acl.plain.file=../../..${run.dir}/plain_acl.yml|unset`);
      expect(run.conf?.text).toBe('brokerName=b\n');
    },
  );

  it.each([
    ['short', 'long-enough'],
    ['long-enough', 'tab\there'],
    ['long-enough', 'new\nline'],
    ['long-enough', 'ünïcödé-secret'],
  ])('stops the start for %j without printing the values', (accessKey, secretKey) => {
    const run = runSteps('auth', accessKey, secretKey);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/spec\.acl\.adminSecret.*at least 7 printable ASCII characters/);
    for (const value of [accessKey, secretKey]) expect(run.stderr).not.toContain(value);
    expect(run.conf?.text).toBe('brokerName=b\n');
  });

  it('tells RocketMQ 4 images by their tag', () => {
    for (const image of ['apache/rocketmq:4.9.7', 'r.example:5000/rocketmq:4.9.8-alpine', 'rocketmq:3.2.6', 'rocketmq:v4.9.7@sha256:ab'])
      expect([image, aclGeneration(image)]).toEqual([image, 'plain']);
    for (const image of [
      'apache/rocketmq:5.3.3',
      'r.example:4000/rocketmq:latest',
      'rocketmq',
      'rocketmq@sha256:4.9',
      'r.example:4000/rocketmq',
    ])
      expect([image, aclGeneration(image)]).toEqual([image, 'auth']);
  });
});
