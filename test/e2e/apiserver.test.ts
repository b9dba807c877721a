// The test cluster itself: etcd + kube-apiserver from test/e2e/kube/install.sh.
// Missing binaries fail this file, unless SKIP_KUBE_E2E=1 says to skip with the reason.
import { CoreV1Api } from '@kubernetes/client-node';
import { kubeSkipReason, serviceAccountIdentity, startApiServer, type ApiServer } from '../support/apiserver.js';

// A first run builds the binaries from source: many minutes on a small machine.
const BUILD_TIMEOUT_MS = 25 * 60 * 1000;

const unavailable = await kubeSkipReason('the kube-apiserver tests');

(unavailable ? describe.skip : describe)('kube-apiserver + etcd', () => {
  let kube: ApiServer;

  beforeAll(async () => {
    kube = await startApiServer();
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await kube?.stop();
  });

  it('reports ready', async () => {
    const r = await kube.kubectl(['get', '--raw', '/readyz']);
    expect(r).toMatchObject({ code: 0, stdout: 'ok' });
  });

  it('creates a namespace, seen through kubectl and client-node', async () => {
    const created = await kube.kubectl(['create', 'namespace', 'e2e-ns']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const api = kube.kubeConfig.makeApiClient(CoreV1Api);
    const ns = await api.readNamespace({ name: 'e2e-ns' });
    expect(ns.status?.phase).toBe('Active');
  });

  it('accepts a server-side dry-run of a pod in a namespace with no ServiceAccounts', async () => {
    await kube.kubectl(['create', 'namespace', 'e2e-dry']);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'e2e-dry' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    const r = await kube.kubectl(['apply', '--dry-run=server', '-o', 'name', '-f', '-'], JSON.stringify(pod));
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('pod/p');
    expect((await kube.kubectl(['get', 'pod', 'p', '-n', 'e2e-dry'])).code).not.toBe(0);
  });

  it('denies a ServiceAccount without RBAC bindings, impersonated or by its own token', async () => {
    await kube.kubectl(['create', 'namespace', 'e2e-rbac']);
    expect((await kube.kubectl(['create', 'serviceaccount', 'nobody', '-n', 'e2e-rbac'])).code).toBe(0);
    const sa = serviceAccountIdentity('e2e-rbac', 'nobody');

    const admin = await kube.kubectl(['auth', 'can-i', 'create', 'pods', '-n', 'e2e-rbac']);
    expect(admin.stdout.trim()).toBe('yes');

    const asSa = await kube.kubectlAs(sa, ['auth', 'can-i', 'create', 'pods', '-n', 'e2e-rbac']);
    expect(asSa.stdout.trim()).toBe('no');
    expect(asSa.code).toBe(1);

    // The same through a kubeconfig that impersonates, and through a real token
    // minted by the TokenRequest API (served by the apiserver itself).
    const impersonating = await kube.writeKubeconfig('nobody-as', { impersonate: sa });
    const viaFile = await kube.kubectl(['--kubeconfig', impersonating, 'auth', 'can-i', 'list', 'secrets', '-n', 'e2e-rbac']);
    expect(viaFile.stdout.trim()).toBe('no');

    const token = await kube.kubectl(['create', 'token', 'nobody', '-n', 'e2e-rbac']);
    expect(token.code).toBe(0);
    const tokenConfig = await kube.writeKubeconfig('nobody-token', { token: token.stdout.trim() });
    const whoami = await kube.kubectl(['--kubeconfig', tokenConfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami.stdout).toBe(sa.user);
    const viaToken = await kube.kubectl(['--kubeconfig', tokenConfig, 'get', 'pods', '-n', 'e2e-rbac']);
    expect(viaToken.code).not.toBe(0);
    expect(viaToken.stderr).toMatch(/forbidden/i);
  });
});
