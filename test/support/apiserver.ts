// A real etcd + kube-apiserver on 127.0.0.1 for tests, from the binaries that
// test/e2e/kube/install.sh builds. There is no kube-controller-manager and no
// scheduler: objects are stored and validated (CRDs, CEL rules, admission,
// RBAC, dry-runs) but nothing reconciles them, so e.g. a deleted namespace
// stays Terminating and no pod ever runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from './ports.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Who a request acts as, through the admin's right to impersonate. */
export interface Identity {
  user: string;
  groups?: string[];
}

export interface ApiServer {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin (system:masters) kubeconfig; a file inside `dir`. */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** Directory holding etcd, kube-apiserver and kubectl. */
  binDir: string;
  /** Temp dir with certificates, etcd data and the logs etcd.log and kube-apiserver.log. */
  dir: string;
  /** Runs kubectl as the admin. Never rejects on a non-zero exit; check `code`. */
  kubectl(args: string[], stdin?: string): Promise<CommandResult>;
  /** Runs kubectl as `identity` (--as/--as-group on top of the admin cert). */
  kubectlAs(identity: Identity, args: string[], stdin?: string): Promise<CommandResult>;
  /**
   * Writes a kubeconfig named `<name>.kubeconfig` into `dir` that acts as
   * `identity` (impersonation) or presents a bearer `token`; returns its path.
   * kubectl honours both user and groups of an impersonating kubeconfig;
   * @kubernetes/client-node honours only the user.
   */
  writeKubeconfig(name: string, auth: { impersonate: Identity } | { token: string }): Promise<string>;
  /** Stops both processes and removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra kube-apiserver flags, appended after the defaults (later flags win). */
  apiServerArgs?: string[];
  /** How long to wait for /readyz once the binaries exist. */
  readyTimeoutMs?: number;
  /**
   * Keep the ServiceAccount admission plugin, for a cluster whose controller manager creates each
   * namespace's "default" ServiceAccount (the plugin refuses pods until it exists).
   */
  serviceAccountAdmission?: boolean;
}

/** The identity the apiserver gives a ServiceAccount's tokens. */
export function serviceAccountIdentity(namespace: string, name: string): Identity {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

export function impersonationArgs(identity: Identity): string[] {
  return [`--as=${identity.user}`, ...(identity.groups ?? []).map((g) => `--as-group=${g}`)];
}

function installScript(): string {
  // From the sources the script is two levels up; from a compiled copy under dist/ it is not,
  // so fall back to the working directory (the repository root under npm scripts and Jest).
  const candidates = [
    resolve(dirname(fileURLToPath(import.meta.url)), '../e2e/kube/install.sh'),
    resolve(process.cwd(), 'test/e2e/kube/install.sh'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`test/e2e/kube/install.sh not found (looked at ${candidates.join(', ')})`);
  return found;
}

export function run(
  cmd: string,
  args: string[],
  opts: { stdin?: string; timeoutMs?: number; echoStderr?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (opts.echoStderr) process.stderr.write(d);
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          stderr += `\n(killed after ${opts.timeoutMs} ms)`;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the child may exit before reading all of stdin
    child.stdin.end(opts.stdin ?? '');
  });
}

let binaries: Promise<string> | undefined;

/**
 * Directory with etcd, kube-apiserver and kubectl: $KUBE_BIN_DIR if set,
 * otherwise what install.sh prints (it builds on first use, which takes many
 * minutes; its progress goes to stderr). Rejects with the reason if they
 * cannot be provided.
 */
export function ensureKubeBinaries(): Promise<string> {
  binaries ??= (async () => {
    const fromEnv = process.env.KUBE_BIN_DIR;
    const dir = fromEnv ?? (await runInstall());
    for (const b of ['etcd', 'kube-apiserver', 'kubectl']) {
      if (!existsSync(join(dir, b))) throw new Error(`${b} missing from ${dir}${fromEnv ? ' (KUBE_BIN_DIR)' : ''}`);
    }
    return dir;
  })();
  binaries.catch(() => (binaries = undefined)); // let a later caller try again
  return binaries;
}

async function runInstall(): Promise<string> {
  const script = installScript();
  const res = await run('bash', [script], { echoStderr: true });
  const lines = res.stdout.trim().split('\n');
  if (res.code !== 0) {
    throw new Error(`${script} failed (exit ${res.code}):\n${tail(res.stderr, 40)}`);
  }
  return lines[lines.length - 1];
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

const OPENSSL_CONF = `
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saPub: string;
  saKey: string;
}

async function makePki(dir: string): Promise<Pki> {
  const p = (f: string) => join(dir, f);
  await writeFile(p('openssl.cnf'), OPENSSL_CONF);
  const ssl = async (...args: string[]) => {
    const r = await run('openssl', args, { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
  };
  const ecKey = (file: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(file));
  const signed = async (name: string, subject: string, section: string) => {
    await ecKey(`${name}.key`);
    await ssl('req', '-new', '-config', p('openssl.cnf'), '-key', p(`${name}.key`), '-subj', subject, '-out', p(`${name}.csr`));
    await ssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '7',
      '-extfile',
      p('openssl.cnf'),
      '-extensions',
      section,
      '-out',
      p(`${name}.crt`),
    );
  };
  await ecKey('ca.key');
  await ssl(
    'req',
    '-x509',
    '-new',
    '-config',
    p('openssl.cnf'),
    '-extensions',
    'ca',
    '-key',
    p('ca.key'),
    '-subj',
    '/CN=rocketmq-operator-test-ca',
    '-days',
    '7',
    '-out',
    p('ca.crt'),
  );
  await signed('server', '/CN=kube-apiserver', 'server');
  // Group system:masters is bound to cluster-admin by the default RBAC policy.
  await signed('admin', '/O=system:masters/CN=admin', 'client');
  await ssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('sa.key'));
  await ssl('pkey', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub'));
  return {
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    saPub: p('sa.pub'),
    saKey: p('sa.key'),
  };
}

const b64 = async (file: string) => (await readFile(file)).toString('base64');

async function kubeconfigYaml(server: string, caCert: string, user: Record<string, unknown>): Promise<string> {
  // JSON is valid YAML, and kubectl and client-node both read it.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': await b64(caCert) } }],
      users: [{ name: 'test', user }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'test', namespace: 'default' } }],
      'current-context': 'test',
    },
    null,
    2,
  );
}

interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
  log: string;
}

// Children still running when this process exits (normally or by process.exit).
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

let setprivPath: string | null | undefined;
function setpriv(): string | null {
  if (setprivPath === undefined) {
    setprivPath = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;
  }
  return setprivPath;
}

async function startProcess(binary: string, args: string[], log: string): Promise<Proc> {
  const out = await open(log, 'a');
  // A parent-death signal makes the kernel kill the server even if this process
  // dies without running its exit handlers (SIGKILL, a crashed Jest worker).
  const sp = setpriv();
  const [cmd, argv] = sp ? [sp, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', out.fd, out.fd] });
  await out.close(); // the child holds its own copy of the descriptor
  killAllOnExit();
  live.add(child);
  const exited = new Promise<void>((resolvePromise) => {
    child.once('exit', () => {
      live.delete(child);
      resolvePromise();
    });
    child.once('error', () => {
      live.delete(child);
      resolvePromise();
    });
  });
  return { child, exited, log };
}

async function stopProcess(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}

async function logTail(file: string, lines = 40): Promise<string> {
  try {
    return tail(await readFile(file, 'utf8'), lines);
  } catch {
    return '(no log)';
  }
}

function get(url: string, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<{ status: number; body: string }> {
  if (url.startsWith('http:')) {
    return fetch(url, { signal: AbortSignal.timeout(5_000) }).then(async (r) => ({ status: r.status, body: await r.text() }));
  }
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { ...tls, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Polls until `check` returns true; fails early when `proc` exits. */
async function waitFor(what: string, proc: Proc, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  let last = '';
  for (;;) {
    if (exited) throw new Error(`${what} exited (code ${proc.child.exitCode}, signal ${proc.child.signalCode}) before it was ready`);
    try {
      if (await check()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const TMP_PREFIX = 'rocketmq-kube-';
const TMP_OWNER = new RegExp(`^${TMP_PREFIX}(\\d+)-`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp dirs of test processes that were killed before they could stop(). */
async function removeStaleDirs(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (name) => {
      const pid = Number(TMP_OWNER.exec(name)?.[1]);
      if (pid && pid !== process.pid && !alive(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
    }),
  );
}

/**
 * Why the kube-apiserver suites skip, or undefined when they run. They skip only when SKIP_KUBE_E2E=1
 * says so and the binaries cannot be had; otherwise a missing binary fails them with its reason.
 */
export async function kubeSkipReason(suite: string): Promise<string | undefined> {
  if (process.env.SKIP_KUBE_E2E !== '1') return undefined;
  try {
    await ensureKubeBinaries();
    return undefined;
  } catch (err) {
    const reason = (err as Error).message;
    console.warn(`SKIP_KUBE_E2E=1: skipping ${suite}: ${reason}`);
    return reason;
  }
}

/** Starts etcd and kube-apiserver on free loopback ports; see ApiServer. */
export async function startApiServer(options: StartOptions = {}): Promise<ApiServer> {
  const binDir = await ensureKubeBinaries();
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  await removeStaleDirs();
  // The owner's pid in the name lets a later run tell a leftover from a live server.
  const dir = await mkdtemp(join(tmpdir(), `${TMP_PREFIX}${process.pid}-`));
  const procs: Proc[] = [];
  const cleanup = async () => {
    for (const p of procs.reverse()) await stopProcess(p);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const pki = await makePki(dir);
    const [etcdClient, etcdPeer, securePort] = await Promise.all([freePort(), freePort(), freePort()]);

    const etcdLog = join(dir, 'etcd.log');
    const etcd = await startProcess(
      join(binDir, 'etcd'),
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd-data')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
        // Throwaway data: skipping fsync keeps writes fast on slow test disks.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      etcdLog,
    );
    procs.push(etcd);
    try {
      await waitFor('etcd', etcd, 30_000, async () => (await get(`http://127.0.0.1:${etcdClient}/health`)).status === 200);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- etcd.log (tail) ---\n${await logTail(etcdLog)}`, { cause: err });
    }

    const server = `https://127.0.0.1:${securePort}`;
    const apiLog = join(dir, 'kube-apiserver.log');
    const api = await startProcess(
      join(binDir, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        // Only a config value: services get ClusterIPs from it, no traffic goes there.
        '--service-cluster-ip-range=10.0.0.0/24',
        // Without a controller manager no namespace gets a "default" ServiceAccount,
        // and this plugin would reject every pod (dry-runs too) for lack of it.
        ...(options.serviceAccountAdmission ? [] : ['--disable-admission-plugins=ServiceAccount']),
        // The lease reconciler would keep trying to publish 127.0.0.1 as the
        // kubernetes Service endpoint, which the API refuses for loopback addresses.
        '--endpoint-reconciler-type=none',
        '--allow-privileged=true',
        '--profiling=false',
        ...(options.apiServerArgs ?? []),
      ],
      apiLog,
    );
    procs.push(api);

    const tls = { ca: await readFile(pki.caCert), cert: await readFile(pki.adminCert), key: await readFile(pki.adminKey) };
    try {
      await waitFor('kube-apiserver', api, readyTimeoutMs, async () => {
        const r = await get(`${server}/readyz`, tls);
        return r.status === 200 && r.body.trim() === 'ok';
      });
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n--- kube-apiserver.log (tail) ---\n${await logTail(apiLog)}\n--- etcd.log (tail) ---\n${await logTail(etcdLog, 10)}`,
        { cause: err },
      );
    }

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(
      kubeconfigPath,
      await kubeconfigYaml(server, pki.caCert, {
        'client-certificate-data': await b64(pki.adminCert),
        'client-key-data': await b64(pki.adminKey),
      }),
    );
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);

    const kubectlBin = join(binDir, 'kubectl');
    // KUBECONFIG from the environment must not leak in: it could point at a real cluster.
    const env = { ...process.env, KUBECONFIG: kubeconfigPath, HOME: dir };
    const kubectl = (args: string[], stdin?: string) =>
      run(kubectlBin, [`--kubeconfig=${kubeconfigPath}`, ...args], { stdin, timeoutMs: 120_000, env });

    let stopped: Promise<void> | undefined;
    return {
      server,
      kubeconfigPath,
      kubeConfig,
      binDir,
      dir,
      kubectl,
      kubectlAs: (identity, args, stdin) => kubectl([...impersonationArgs(identity), ...args], stdin),
      async writeKubeconfig(name, auth) {
        const user: Record<string, unknown> =
          'token' in auth
            ? { token: auth.token }
            : {
                'client-certificate-data': await b64(pki.adminCert),
                'client-key-data': await b64(pki.adminKey),
                as: auth.impersonate.user,
                ...(auth.impersonate.groups?.length ? { 'as-groups': auth.impersonate.groups } : {}),
              };
        const path = join(dir, `${name}.kubeconfig`);
        await writeFile(path, await kubeconfigYaml(server, pki.caCert, user));
        return path;
      },
      stop: () => (stopped ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
