// Metacontroller v4.17.2 run out of cluster with its own ServiceAccount's token (cluster-admin, as
// its production manifests grant), the CompositeControllers this repository ships with their hooks
// pointed at the local hook service, and the CRDs applied as a user would.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { freePort } from '../../support/ports.js';
import type { ApiServer } from '../../support/apiserver.js';
import { repoRoot } from './binaries.js';
import { startDaemon, until, type Daemon } from './processes.js';

export async function kubectlOk(api: ApiServer, args: string[], stdin?: string): Promise<string> {
  const r = await api.kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** The shipped CompositeControllers with every webhook going to `hooksUrl` instead of the in-cluster Service. */
export function localCompositeControllers(hooksUrl: string): string {
  const docs = ['nameservice', 'broker', 'console', 'topictransfer', 'proxy', 'controller'].flatMap((kind) =>
    parseAllDocuments(readFileSync(join(repoRoot, 'compositecontrollers', `${kind}.yaml`), 'utf8')).map((d) => d.toJS()),
  );
  for (const doc of docs) {
    for (const hook of Object.values(doc.spec.hooks as Record<string, { webhook: Record<string, unknown> }>)) {
      const { path } = hook.webhook as { path: string };
      delete hook.webhook.service;
      delete hook.webhook.path;
      hook.webhook.url = `${hooksUrl}${path}`;
    }
  }
  return docs.map((d) => stringify(d)).join('---\n');
}

export async function installOperator(api: ApiServer, hooksUrl: string): Promise<void> {
  await kubectlOk(api, ['apply', '-f', resolve(repoRoot, '../shared/metacontroller/metacontroller-crds-v1.yaml')]);
  await kubectlOk(api, ['apply', '-k', join(repoRoot, 'crds')]);
  await kubectlOk(api, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  await kubectlOk(api, ['apply', '-f', '-'], localCompositeControllers(hooksUrl));
}

export async function startMetacontroller(api: ApiServer, binary: string): Promise<Daemon> {
  await kubectlOk(api, ['create', 'namespace', 'metacontroller']);
  await kubectlOk(api, ['create', 'serviceaccount', 'metacontroller', '-n', 'metacontroller']);
  await kubectlOk(api, [
    'create',
    'clusterrolebinding',
    'metacontroller',
    '--clusterrole=cluster-admin',
    '--serviceaccount=metacontroller:metacontroller',
  ]);
  const token = (await kubectlOk(api, ['create', 'token', 'metacontroller', '-n', 'metacontroller', '--duration=24h'])).trim();
  const kubeconfig = await api.writeKubeconfig('metacontroller', { token });
  const [metrics, health] = await Promise.all([freePort(), freePort()]);
  const daemon = startDaemon(
    'metacontroller',
    binary,
    [
      `--kubeconfig=${kubeconfig}`,
      '--zap-log-level=4',
      '--discovery-interval=5s',
      `--metrics-address=127.0.0.1:${metrics}`,
      `--health-probe-bind-address=127.0.0.1:${health}`,
    ],
    { log: join(api.dir, 'metacontroller.log') },
  );
  await until('Metacontroller', 60_000, async () => {
    if (daemon.child.exitCode !== null) throw new Error(`metacontroller exited:\n${daemon.tail()}`);
    return (await fetch(`http://127.0.0.1:${health}/readyz`)).ok;
  });
  return daemon;
}
