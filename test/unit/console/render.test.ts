import { consoleHooks } from '../../../hooks/console/hooks.js';
import type { KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { afterApplying, customResource, FIXED_NOW, syncRequest } from '../../support/hook-requests.js';
import { fixtureRequest } from '../broker/support.js';
import { hookFailure } from '../../support/hook-requests.js';

const hooks = consoleHooks;
const nameService = (namespace = 'default', size = 1) => customResource('NameService', 'name-service', { size }, namespace);

function dashboardDeployment(overrides: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { labels: { app: 'rocketmq-console', team: 'mq' }, annotations: { 'example.com/owner': 'mq-team' } },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { app: 'rocketmq-console' } },
      template: {
        metadata: { labels: { app: 'rocketmq-console' }, annotations: { 'prometheus.io/scrape': 'true' } },
        spec: {
          serviceAccountName: 'dashboard',
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mq', effect: 'NoSchedule' }],
          nodeSelector: { pool: 'tools' },
          containers: [
            {
              name: 'console',
              image: 'apacherocketmq/rocketmq-dashboard:1.0.0',
              command: ['java'],
              args: ['-jar', '/rocketmq-dashboard.jar'],
              env: [{ name: 'TZ', value: 'UTC' }],
              ports: [{ containerPort: 8082, name: 'http' }],
              resources: { requests: { memory: '1024Mi', cpu: '0.25' } },
              readinessProbe: { httpGet: { path: '/', port: 8082 } },
              livenessProbe: { httpGet: { path: '/', port: 8082 }, initialDelaySeconds: 60 },
            },
            { name: 'proxy', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
          ],
          volumes: [{ name: 'cache', emptyDir: { sizeLimit: '1024Mi' } }],
        },
      },
      ...overrides,
    },
  };
}

function sync(
  spec: Record<string, unknown>,
  options: { children?: KubeObject[]; related?: KubeObject[]; namespace?: string } = {},
): SyncResponse<any> {
  const namespace = options.namespace ?? 'default';
  return hooks.sync(
    syncRequest(customResource('Console', 'console', spec, namespace), {
      children: options.children,
      related: options.related ?? [nameService(namespace)],
    }),
    FIXED_NOW,
  );
}

const deployment = (response: SyncResponse<any>): any => response.children.find((c) => c.kind === 'Deployment');
const service = (response: SyncResponse<any>): any => response.children.find((c) => c.kind === 'Service');
const javaOpts = (response: SyncResponse<any>) =>
  deployment(response).spec.template.spec.containers[0].env.find((e: any) => e.name === 'JAVA_OPTS');

describe('Console rendering', () => {
  it('keeps every consoleDeployment field and names the Deployment after the Console', () => {
    const source = dashboardDeployment();
    const rendered = deployment(sync({ consoleDeployment: source }));
    expect(rendered.metadata).toMatchObject({ name: 'console', labels: source.metadata.labels, annotations: source.metadata.annotations });
    expect(rendered.spec.strategy).toEqual(source.spec.strategy);
    expect(rendered.spec.replicas).toBe(2);
    expect(rendered.spec.selector).toEqual(source.spec.selector);
    const pod = rendered.spec.template.spec;
    const sourcePod = source.spec.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: 'dashboard',
      securityContext: sourcePod.securityContext,
      tolerations: sourcePod.tolerations,
      nodeSelector: sourcePod.nodeSelector,
    });
    expect(pod.containers).toHaveLength(2);
    expect(pod.containers[0]).toMatchObject({
      command: ['java'],
      args: sourcePod.containers[0].args,
      readinessProbe: sourcePod.containers[0].readinessProbe,
      livenessProbe: sourcePod.containers[0].livenessProbe,
    });
    expect(pod.containers[1]).toEqual(sourcePod.containers[1]);
    expect(rendered.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(rendered.spec.template.metadata.labels).toMatchObject({ app: 'rocketmq-console' });
  });

  it('points the dashboard at the name servers through JAVA_OPTS on its first container', () => {
    const env = deployment(sync({ consoleDeployment: dashboardDeployment() }, { related: [nameService('default', 2)] })).spec.template.spec
      .containers[0].env;
    expect(env).toEqual([
      { name: 'TZ', value: 'UTC' },
      {
        name: 'JAVA_OPTS',
        value:
          '-Drocketmq.namesrv.addr=name-service-0.name-service.default.svc:9876;name-service-1.name-service.default.svc:9876 -Dcom.rocketmq.sendMessageWithVIPChannel=false',
      },
    ]);
  });

  it("appends to the user's JAVA_OPTS instead of adding a second entry", () => {
    const source = dashboardDeployment();
    source.spec.template.spec.containers[0].env = [
      { name: 'JAVA_OPTS', value: '-Xmx512m' },
      { name: 'TZ', value: 'UTC' },
    ];
    const response = sync({ consoleDeployment: source, nameServers: '10.0.0.1:9876' });
    expect(deployment(response).spec.template.spec.containers[0].env).toEqual([
      { name: 'JAVA_OPTS', value: '-Xmx512m -Drocketmq.namesrv.addr=10.0.0.1:9876 -Dcom.rocketmq.sendMessageWithVIPChannel=false' },
      { name: 'TZ', value: 'UTC' },
    ]);
    expect(response.status.nameServers).toBe('10.0.0.1:9876');
  });

  it('refuses a JAVA_OPTS taken from elsewhere, which could not carry the name servers', () => {
    const source = dashboardDeployment();
    source.spec.template.spec.containers[0].env = [{ name: 'JAVA_OPTS', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } } as any];
    expect(hookFailure(() => sync({ consoleDeployment: source })).statusCode).toBe(422);
  });

  it('canonicalises quantities in every container and volume', () => {
    const pod = deployment(sync({ consoleDeployment: dashboardDeployment() })).spec.template.spec;
    expect(pod.containers[0].resources).toEqual({ requests: { memory: '1Gi', cpu: '250m' } });
    expect(pod.volumes).toEqual([{ name: 'cache', emptyDir: { sizeLimit: '1Gi' } }]);
  });

  it('derives a selector from the Console when the user gives none', () => {
    const source = dashboardDeployment({ selector: undefined });
    delete (source.spec as any).selector;
    const rendered = deployment(sync({ consoleDeployment: source }));
    expect(rendered.spec.selector).toEqual({ matchLabels: { 'rocketmq.apache.org/console': 'console' } });
    expect(rendered.spec.template.metadata.labels).toMatchObject(rendered.spec.selector.matchLabels);
  });

  it('keeps the selector of the observed Deployment, which cannot change', () => {
    const first = sync({ consoleDeployment: dashboardDeployment() });
    const observed = { ...deployment(first), spec: { ...deployment(first).spec, selector: { matchLabels: { app: 'old' } } } };
    const rendered = deployment(sync({ consoleDeployment: dashboardDeployment() }, { children: [observed] }));
    expect(rendered.spec.selector).toEqual({ matchLabels: { app: 'old' } });
    expect(rendered.spec.template.metadata.labels).toMatchObject({ app: 'old' });
  });

  it('puts a Service of the chosen type and port in front of the dashboard pods', () => {
    const response = sync({ consoleDeployment: dashboardDeployment(), serviceType: 'NodePort', servicePort: 80 });
    expect(service(response)).toMatchObject({
      metadata: { name: 'console-dashboard' },
      spec: {
        type: 'NodePort',
        selector: { 'rocketmq.apache.org/console': 'console' },
        ports: [{ name: 'http', port: 80, targetPort: 8082, protocol: 'TCP' }],
      },
    });
    expect(deployment(response).spec.template.metadata.labels).toMatchObject(service(response).spec.selector);
    expect(service(sync({ consoleDeployment: dashboardDeployment() })).spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 8080 }] });
  });

  it("renders the original operator's README Console", () => {
    const response = hooks.sync(fixtureRequest('original-operator/console.yaml', 'Console'), FIXED_NOW);
    expect(deployment(response).metadata.name).toBe('console');
    expect(deployment(response).spec.template.spec.containers[0]).toMatchObject({
      name: 'console',
      image: 'apacherocketmq/rocketmq-console:2.0.0',
    });
    expect(javaOpts(response).value).toMatch(/^-Drocketmq.namesrv.addr=name-service-0.name-service.default.svc:9876 /);
  });

  it('follows the name servers of its own namespace and reports missing ones', () => {
    expect(
      javaOpts(sync({ consoleDeployment: dashboardDeployment() }, { namespace: 'east', related: [nameService('east', 1)] })).value,
    ).toContain('.east.svc');
    const error = hookFailure(() => sync({ consoleDeployment: dashboardDeployment() }, { related: [] }));
    expect(error.statusCode).toBe(424);
    expect(error.message).toMatch(/^Console default\/console has no name servers: create a NameService/);
  });

  it('reports replicas, readiness and progress of the Deployment', () => {
    const request = syncRequest(customResource('Console', 'console', { consoleDeployment: dashboardDeployment() }), {
      related: [nameService()],
    });
    const first = hooks.sync(request, FIXED_NOW);
    expect(first.status).toMatchObject({ replicas: 0, readyReplicas: 0, nameServers: 'name-service-0.name-service.default.svc:9876' });
    expect(first.status.conditions).toContainEqual(expect.objectContaining({ type: 'Progressing', reason: 'Creating' }));
    const applied = afterApplying(request, first);
    const observed = Object.values(applied.children!['Deployment.apps/v1'])[0];
    observed.status = { observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2 };
    const second = hooks.sync(applied, FIXED_NOW);
    expect(second.children).toEqual(first.children);
    expect(second.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    expect(second.status.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'True', reason: 'AllReplicasReady' }),
      expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'UpToDate' }),
    ]);
  });

  it('refuses names that would make invalid child names', () => {
    for (const name of ['a'.repeat(60), 'my.console']) {
      const error = hookFailure(() =>
        hooks.sync(
          syncRequest(customResource('Console', name, { consoleDeployment: dashboardDeployment() }), { related: [nameService()] }),
          FIXED_NOW,
        ),
      );
      expect(error.statusCode).toBe(422);
      expect(error.message).toMatch(/is invalid: metadata\.name /);
    }
  });
});
