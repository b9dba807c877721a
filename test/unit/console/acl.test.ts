// A Console in a namespace whose Brokers have spec.acl: the dashboard signs with their account.
import { consoleHooks } from '../../../hooks/console/hooks.js';
import { DASHBOARD_ACCESS_KEY_ENV, DASHBOARD_SECRET_KEY_ENV } from '../../../hooks/console/render.js';
import type { KubeObject } from '../../../hooks/core/metacontroller.js';
import { customResource, FIXED_NOW, hookFailure, syncRequest } from '../../support/hook-requests.js';

const consoleSpec = {
  consoleDeployment: {
    spec: { template: { spec: { containers: [{ name: 'console', image: 'apacherocketmq/rocketmq-dashboard:2.0.0' }] } } },
  },
};
const broker = (name: string, acl?: object) => customResource('Broker', name, { size: 1, acl });
const nameService = customResource('NameService', 'name-service', { size: 1 });

function dashboardEnv(brokers: KubeObject[]): any[] {
  const response = consoleHooks.sync(
    syncRequest(customResource('Console', 'console', consoleSpec), { related: [nameService, ...brokers] }),
    FIXED_NOW,
  );
  const deployment = response.children.find((c) => c.kind === 'Deployment') as any;
  return deployment.spec.template.spec.containers[0].env;
}

describe('Console of a cluster with acl', () => {
  const acl = { enabled: true, adminSecret: 'rocketmq-admin' };

  it("gives the dashboard the Brokers' account, from their Secret", () => {
    expect(dashboardEnv([broker('a', acl), broker('b', acl), broker('c')]).slice(1)).toEqual([
      { name: DASHBOARD_ACCESS_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'accessKey' } } },
      { name: DASHBOARD_SECRET_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'secretKey' } } },
    ]);
  });

  it('gives none when no Broker has acl on', () => {
    expect(dashboardEnv([broker('a', { ...acl, enabled: false }), broker('b')]).map((e) => e.name)).toEqual(['JAVA_OPTS']);
  });

  it('refuses Brokers with different Secrets, naming them', () => {
    const error = hookFailure(() => dashboardEnv([broker('a', acl), broker('b', { ...acl, adminSecret: 'other' })]));
    expect(error.statusCode).toBe(422);
    expect(error.details).toEqual([expect.stringMatching(/a use rocketmq-admin; b use other.*same spec\.acl\.adminSecret/)]);
  });

  it('asks Metacontroller for the Brokers of its namespace', () => {
    expect(consoleHooks.customize(customResource('Console', 'console', consoleSpec))).toContainEqual({
      apiVersion: 'rocketmq.apache.org/v1alpha1',
      resource: 'brokers',
      namespace: 'default',
      labelSelector: {},
    });
  });
});
