// A real helm binary for the chart tests, from test/e2e/helm/install.sh, which builds it with Go
// from the module proxy at the version pinned in test/e2e/helm/go.mod.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type CommandResult } from './apiserver.js';

function installScript(): string {
  // From the sources the script is two levels up; from a compiled copy under dist/ it is not,
  // so fall back to the working directory (the repository root under npm scripts and Jest).
  const candidates = [
    resolve(dirname(fileURLToPath(import.meta.url)), '../e2e/helm/install.sh'),
    resolve(process.cwd(), 'test/e2e/helm/install.sh'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`test/e2e/helm/install.sh not found (looked at ${candidates.join(', ')})`);
  return found;
}

let binary: Promise<string> | undefined;

/**
 * Path of the helm binary: $HELM_BIN if set, otherwise what install.sh prints (it builds on first
 * use, which takes minutes; its progress goes to stderr). Rejects with the reason if it cannot.
 */
export function ensureHelm(): Promise<string> {
  binary ??= (async () => {
    const fromEnv = process.env.HELM_BIN;
    if (fromEnv) {
      if (!existsSync(fromEnv)) throw new Error(`HELM_BIN=${fromEnv} does not exist`);
      return fromEnv;
    }
    const script = installScript();
    const res = await run('bash', [script], { echoStderr: true });
    if (res.code !== 0) throw new Error(`${script} failed (exit ${res.code}):\n${res.stderr.trimEnd().split('\n').slice(-40).join('\n')}`);
    const lines = res.stdout.trim().split('\n');
    return lines[lines.length - 1];
  })();
  binary.catch(() => (binary = undefined)); // let a later caller try again
  return binary;
}

function haveGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the helm suites skip, or undefined when they run: only when there is neither $HELM_BIN nor a
 * Go toolchain to build helm with. Any other failure to provide helm fails them with its reason.
 */
export function helmSkipReason(suite: string): string | undefined {
  if (process.env.HELM_BIN || haveGo()) return undefined;
  const reason = 'no Go toolchain to build helm with (install Go 1.26, or set HELM_BIN to a helm 3 binary)';
  console.warn(`skipping ${suite}: ${reason}`);
  return reason;
}

export interface Helm {
  /** Runs helm with its config, cache and data in a private temp dir. Never rejects on a non-zero exit. */
  (args: string[], opts?: { stdin?: string; kubeconfig?: string }): Promise<CommandResult>;
  /** Removes the temp dir. */
  cleanup(): Promise<void>;
}

export async function startHelm(): Promise<Helm> {
  const bin = await ensureHelm();
  const home = await mkdtemp(join(tmpdir(), 'rocketmq-helm-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    // A kubeconfig from the environment must not leak in: it could point at a real cluster.
    KUBECONFIG: join(home, 'no-kubeconfig'),
  };
  const helm = ((args: string[], opts: { stdin?: string; kubeconfig?: string } = {}) =>
    run(bin, [...(opts.kubeconfig ? [`--kubeconfig=${opts.kubeconfig}`] : []), ...args], {
      stdin: opts.stdin,
      timeoutMs: 120_000,
      env,
    })) as Helm;
  helm.cleanup = () => rm(home, { recursive: true, force: true });
  return helm;
}
