// The binaries of the system tests, each built from pinned Go modules into a cache outside the
// clone on first use: the Kubernetes control plane (test/e2e/kube/install.sh), kwok
// (test/system/kwok/install.sh) and Metacontroller (../shared/metacontroller/build.sh).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureKubeBinaries } from '../../support/apiserver.js';
import { lastLineOf } from './processes.js';

export interface SystemBinaries {
  /** etcd, kube-apiserver, kubectl, kube-controller-manager, kube-scheduler */
  kubeDir: string;
  kwok: string;
  metacontroller: string;
}

export const repoRoot = resolve(process.cwd());

let built: Promise<SystemBinaries> | undefined;

export function ensureSystemBinaries(): Promise<SystemBinaries> {
  built ??= (async () => {
    const kubeDir = await ensureKubeBinaries();
    for (const b of ['kube-controller-manager', 'kube-scheduler']) {
      if (!existsSync(join(kubeDir, b))) throw new Error(`${b} missing from ${kubeDir}`);
    }
    const kwok = join(lastLineOf('bash', [join(repoRoot, 'test/system/kwok/install.sh')]), 'kwok');
    const script = resolve(repoRoot, '../shared/metacontroller/build.sh');
    if (!existsSync(script)) throw new Error(`${script} not found: the shared folder must sit beside the clone`);
    const metacontroller = lastLineOf('bash', [script]);
    return { kubeDir, kwok, metacontroller };
  })();
  built.catch(() => (built = undefined));
  return built;
}

/**
 * Why the system suite skips, or undefined when it runs. Like the kube-apiserver suites it skips
 * only when SKIP_KUBE_E2E=1 says so and Go is missing; otherwise a binary that cannot be built fails it.
 */
export function systemSkipReason(suite: string): string | undefined {
  if (process.env.SKIP_KUBE_E2E !== '1') return undefined;
  const go = spawnSync('go', ['version'], { stdio: 'ignore' });
  if (!go.error && go.status === 0) return undefined;
  const reason = 'the Go toolchain is not on PATH, so the control plane, kwok and Metacontroller cannot be built';
  console.warn(`SKIP_KUBE_E2E=1: skipping ${suite}: ${reason}`);
  return reason;
}
