// A Proxy in front of a Broker with spec.acl: the proxies authenticate clients and sign their own
// requests with the cluster's account, read from the Broker's Secret.
import type { SyncResponse } from '../../../hooks/core/metacontroller.js';
import { proxyHooks } from '../../../hooks/proxy/hooks.js';
import { ACCESS_KEY_ENV, PROXY_AUTH_SETTINGS, SECRET_KEY_ENV } from '../../../hooks/rocketmq-pods/acl.js';
import { customResource, FIXED_NOW, syncRequest } from '../../support/hook-requests.js';

function sync(brokerAcl?: object, env?: object[]): SyncResponse<any> {
  const related = [
    customResource('NameService', 'name-service', { size: 1 }),
    customResource('Broker', 'broker', { size: 1, acl: brokerAcl }),
  ];
  return proxyHooks.sync(syncRequest(customResource('Proxy', 'proxy', { size: 1, env }), { related }), FIXED_NOW);
}
const child = (response: SyncResponse<any>, kind: string): any => response.children.find((c) => c.kind === kind);
const podOf = (response: SyncResponse<any>) => child(response, 'Deployment').spec.template.spec;

describe('Proxy of a cluster with acl', () => {
  const acl = { enabled: true, adminSecret: 'rocketmq-admin' };

  it('turns on authentication in rmq-proxy.json, without the account', () => {
    const text: string = child(sync(acl), 'ConfigMap').data['rmq-proxy.json'];
    expect(JSON.parse(text)).toMatchObject(PROXY_AUTH_SETTINGS);
    expect(text).not.toMatch(/innerClientAuthenticationCredentials|accessKey|secretKey/);
  });

  it("reads the Broker's Secret and starts from a copy with the account on an in-memory volume", () => {
    const pod = podOf(sync(acl));
    const container = pod.containers[0];
    expect(container.env.slice(0, 2)).toEqual([
      { name: ACCESS_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'accessKey' } } },
      { name: SECRET_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'secretKey' } } },
    ]);
    expect(pod.volumes).toContainEqual({ name: 'proxy-acl', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(container.volumeMounts).toContainEqual({ name: 'proxy-acl', mountPath: '/run/rocketmq-proxy' });
    expect(container.command[2]).toMatch(/ && exec sh "\$ROCKETMQ_HOME\/bin\/mqproxy" -pc \/run\/rocketmq-proxy\/rmq-proxy\.json$/);
  });

  it('leaves a variable of the same name the user sets to the user', () => {
    const env = podOf(sync(acl, [{ name: SECRET_KEY_ENV, value: 'x' }])).containers[0].env;
    expect(env.filter((e: any) => e.name === SECRET_KEY_ENV)).toEqual([{ name: SECRET_KEY_ENV, value: 'x' }]);
  });

  it('renders as without acl when the Broker has it off', () => {
    expect(sync({ enabled: false, adminSecret: 'rocketmq-admin' }).children).toEqual(sync(undefined).children);
    expect(JSON.stringify(sync(undefined).children)).not.toMatch(/authentication|ROCKETMQ_ACCESS_KEY|proxy-acl/);
  });
});
