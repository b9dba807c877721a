import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../../../hooks/core/errors.js';
import type { KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { buildServer } from '../../../hooks/http/server.js';
import { proxyHooks } from '../../../hooks/proxy/hooks.js';
import { CONFIG_HASH_ANNOTATION } from '../../../hooks/proxy/render.js';
import { afterApplying, customResource, FIXED_NOW, hookFailure, syncRequest } from '../../support/hook-requests.js';

const nameService = (namespace = 'default', size = 2) => customResource('NameService', 'name-service', { size }, namespace);
const broker = (name = 'broker', properties?: Record<string, string>, namespace = 'default') =>
  customResource('Broker', name, { size: 1, ...(properties ? { properties } : {}) }, namespace);

function request(spec: Record<string, unknown>, related: KubeObject[] = [nameService(), broker()], children: KubeObject[] = []) {
  return syncRequest(customResource('Proxy', 'proxy', spec, 'default'), { related, children });
}

function sync(spec: Record<string, unknown>, related?: KubeObject[]): SyncResponse<any> {
  return proxyHooks.sync(request(spec, related), FIXED_NOW);
}

const child = (response: SyncResponse<any>, kind: string): any => response.children.find((c) => c.kind === kind);
const configOf = (response: SyncResponse<any>) => JSON.parse(child(response, 'ConfigMap').data['rmq-proxy.json']);
const podOf = (response: SyncResponse<any>) => child(response, 'Deployment').spec.template;

describe('Proxy rendering', () => {
  it('renders a ConfigMap, a Deployment, a Service and a PodDisruptionBudget named after the Proxy', () => {
    const response = sync({ size: 2 });
    expect(response.children.map((c) => `${c.kind}/${c.metadata.name}`)).toEqual([
      'ConfigMap/proxy-config',
      'Deployment/proxy',
      'Service/proxy',
      'PodDisruptionBudget/proxy',
    ]);
    for (const c of response.children) expect(c.metadata.namespace).toBe('default');
  });

  it('writes rmq-proxy.json for cluster mode with the Broker cluster, the name servers and the fixed ports', () => {
    expect(configOf(sync({}))).toEqual({
      rocketMQClusterName: 'broker',
      namesrvAddr: 'name-service-0.name-service.default.svc:9876;name-service-1.name-service.default.svc:9876',
      proxyMode: 'cluster',
      remotingListenPort: 8080,
      grpcServerPort: 8081,
    });
  });

  it("serves the cluster the Broker's brokers register with (its brokerClusterName when set)", () => {
    const response = sync({}, [nameService(), broker('broker', { brokerClusterName: 'orders' })]);
    expect(configOf(response).rocketMQClusterName).toBe('orders');
    expect(response.status.clusterName).toBe('orders');
  });

  it('merges spec.config in, as JSON numbers and booleans where the value reads as one', () => {
    const config = configOf(
      sync({ config: { grpcThreadPoolNums: '32', enableACL: 'false', remotingAccessAddr: '10.0.0.9', big: '12345678901234567890' } }),
    );
    expect(config).toMatchObject({ grpcThreadPoolNums: 32, enableACL: false, remotingAccessAddr: '10.0.0.9', big: '12345678901234567890' });
    expect(config.proxyMode).toBe('cluster');
  });

  it('runs bin/mqproxy from the official image with the mounted file, probed on the gRPC port', () => {
    const pod = podOf(sync({ size: 3 }));
    const [container] = pod.spec.containers;
    expect(container.command).toEqual(['sh', '-c', 'exec sh "$ROCKETMQ_HOME/bin/mqproxy" -pc /etc/rocketmq-proxy/rmq-proxy.json']);
    // Logs and gRPC's self-signed certificate (made in /tmp at start) go to volumes: the root filesystem may be read-only.
    expect(container.volumeMounts).toEqual([
      { name: 'proxy-config', mountPath: '/etc/rocketmq-proxy', readOnly: true },
      { name: 'proxy-logs', mountPath: '/home/rocketmq/logs' },
      { name: 'proxy-tmp', mountPath: '/tmp' },
    ]);
    expect(pod.spec.volumes).toEqual([
      { name: 'proxy-config', configMap: { name: 'proxy-config' } },
      { name: 'proxy-logs', emptyDir: {} },
      { name: 'proxy-tmp', emptyDir: {} },
    ]);
    expect(container.ports).toEqual([
      { name: 'remoting', containerPort: 8080, protocol: 'TCP' },
      { name: 'grpc', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 8081 });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 8081 });
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 3000 });
  });

  it('keeps size - 1 proxies serving during a rolling update, and a lone proxy until its successor is Ready', () => {
    expect(child(sync({ size: 3 }), 'Deployment').spec).toMatchObject({
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
    });
    expect(child(sync({ size: 1 }), 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    expect(child(sync({ size: 3 }), 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'rocketmq.apache.org/proxy': 'proxy' } },
    });
  });

  it('rolls the proxies when the configuration changes, and only then', () => {
    const hash = (response: SyncResponse<any>) => podOf(response).metadata.annotations[CONFIG_HASH_ANNOTATION];
    const base = hash(sync({}));
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(sync({}))).toBe(base);
    expect(hash(sync({ config: { grpcThreadPoolNums: '8' } }))).not.toBe(base);
    expect(hash(sync({}, [nameService('default', 3), broker()]))).not.toBe(base);
    expect(hash(sync({}, [nameService(), broker('broker', { brokerClusterName: 'other' })]))).not.toBe(base);
  });

  it('sizes the JVM from the memory limit, with a JAVA_OPT_EXT of the user after it so the user wins', () => {
    const env = (spec: Record<string, unknown>) => podOf(sync(spec)).spec.containers[0].env;
    expect(env({ resources: { limits: { memory: '2Gi' } } })).toEqual([
      { name: 'JAVA_OPT_EXT', value: '-Xms1024m -Xmx1024m -Xmn512m -XX:MaxDirectMemorySize=512m' },
    ]);
    expect(
      env({
        resources: { limits: { memory: '2Gi' } },
        env: [
          { name: 'JAVA_OPT_EXT', value: '-Xmx300m' },
          { name: 'TZ', value: 'UTC' },
        ],
      }),
    ).toEqual([
      { name: 'JAVA_OPT_EXT', value: '-Xms1024m -Xmx1024m -Xmn512m -XX:MaxDirectMemorySize=512m -Xmx300m' },
      { name: 'TZ', value: 'UTC' },
    ]);
    expect(env({})).toBeUndefined();
  });

  it('passes the pod fields through, with canonical quantities', () => {
    const spec = {
      resources: { requests: { memory: '1024Mi', cpu: '0.5' }, limits: { memory: '2Gi' } },
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      imagePullSecrets: [{ name: 'registry' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['mq'] }] }],
          },
        },
      },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mq', effect: 'NoSchedule' }],
      nodeSelector: { disk: 'ssd' },
      priorityClassName: 'high',
      serviceAccountName: 'proxy',
      securityContext: { runAsUser: 4000 },
      containerSecurityContext: { readOnlyRootFilesystem: false },
      imagePullPolicy: 'Always',
    };
    const pod = podOf(sync(spec));
    expect(pod.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(pod.spec).toMatchObject({
      imagePullSecrets: spec.imagePullSecrets,
      affinity: spec.affinity,
      tolerations: spec.tolerations,
      nodeSelector: spec.nodeSelector,
      priorityClassName: 'high',
      serviceAccountName: 'proxy',
      securityContext: { runAsUser: 4000 },
    });
    expect(pod.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'Always',
      securityContext: { readOnlyRootFilesystem: false },
      resources: { requests: { memory: '1Gi', cpu: '500m' }, limits: { memory: '2Gi' } },
    });
  });

  it('puts a Service of the chosen type with the grpc and remoting ports in front', () => {
    const service = child(sync({ serviceType: 'LoadBalancer', serviceAnnotations: { 'example.com/lb': 'internal' } }), 'Service');
    expect(service.metadata.annotations).toEqual({ 'example.com/lb': 'internal' });
    expect(service.spec).toEqual({
      type: 'LoadBalancer',
      selector: { 'rocketmq.apache.org/proxy': 'proxy' },
      ports: [
        { name: 'remoting', port: 8080, targetPort: 8080, protocol: 'TCP' },
        { name: 'grpc', port: 8081, targetPort: 8081, protocol: 'TCP' },
      ],
    });
  });
});

describe('Proxy status', () => {
  it('reports where clients connect and what the Deployment reports', () => {
    const first = proxyHooks.sync(request({ size: 2 }), FIXED_NOW);
    expect(first.status).toMatchObject({
      replicas: 0,
      readyReplicas: 0,
      clusterName: 'broker',
      endpoints: { grpc: 'proxy.default.svc:8081', remoting: 'proxy.default.svc:8080' },
    });
    expect(first.status.conditions?.[0]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'ReplicasNotReady',
      message: '0/2 proxy pods ready',
    });
    const next = afterApplying(request({ size: 2 }), first);
    const deployment = Object.values(next.children?.['Deployment.apps/v1'] ?? {})[0];
    deployment.metadata.generation = 1;
    deployment.status = { observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2 };
    const ready = proxyHooks.sync(next, new Date(FIXED_NOW.getTime() + 60_000));
    expect(ready.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    expect(ready.status.conditions).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'AllReplicasReady',
        message: '2/2 proxy pods ready',
        lastTransitionTime: '2026-01-02T03:05:05Z',
      },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'UpToDate',
        message: 'every proxy pod runs the current spec',
        lastTransitionTime: '2026-01-02T03:05:05Z',
      },
    ]);
  });

  it('writes nothing new on a second sync of the same state', () => {
    const spec = { size: 2, config: { grpcThreadPoolNums: '16' } };
    const first = proxyHooks.sync(request(spec), FIXED_NOW);
    const second = proxyHooks.sync(afterApplying(request(spec), first), FIXED_NOW);
    expect(second.children).toEqual(first.children);
    // Once the children are observed, the status describes them and stays as it is.
    const third = proxyHooks.sync(afterApplying(request(spec), second), new Date(FIXED_NOW.getTime() + 60_000));
    expect(third.children).toEqual(first.children);
    expect(third.status).toEqual(second.status);
  });
});

describe('Proxy related objects', () => {
  const rules = (spec: Record<string, unknown>) => proxyHooks.customize(customResource('Proxy', 'proxy', spec, 'mq'));

  it('asks for the NameService and Broker it names, or for all of the namespace to find the only ones', () => {
    expect(rules({ nameServiceRef: 'ns', brokerClusterRef: 'b' })).toEqual([
      { apiVersion: 'rocketmq.apache.org/v1alpha1', resource: 'nameservices', namespace: 'mq', names: ['ns'] },
      { apiVersion: 'rocketmq.apache.org/v1alpha1', resource: 'brokers', namespace: 'mq', names: ['b'] },
    ]);
    expect(rules({ nameServers: '10.0.0.1:9876' })).toEqual([
      { apiVersion: 'rocketmq.apache.org/v1alpha1', resource: 'brokers', namespace: 'mq', labelSelector: {} },
    ]);
  });

  it('serves the only Broker in the namespace, or the one brokerClusterRef names', () => {
    expect(sync({}, [nameService(), broker('orders')]).status.clusterName).toBe('orders');
    expect(
      sync({ brokerClusterRef: 'b' }, [nameService(), broker('a'), broker('b', { brokerClusterName: 'cluster-b' })]).status.clusterName,
    ).toBe('cluster-b');
    // A Broker of another namespace is not a candidate.
    expect(sync({}, [nameService(), broker('orders'), broker('elsewhere', undefined, 'other')]).status.clusterName).toBe('orders');
  });

  it.each([
    ['no Broker', {}, [nameService()], /has no brokers to serve: create a Broker in namespace default, or set spec\.brokerClusterRef/],
    [
      'two Brokers and no reference',
      {},
      [nameService(), broker('a'), broker('b')],
      /cannot choose among the Brokers a, b .*set spec\.brokerClusterRef/,
    ],
    [
      'a missing referenced Broker',
      { brokerClusterRef: 'c' },
      [nameService(), broker('a')],
      /waits for Broker "c" \(spec\.brokerClusterRef\)/,
    ],
    ['no NameService', {}, [broker()], /has no name servers: create a NameService/],
  ])('refuses %s as a missing dependency that says what to do', (_name, spec, related, message) => {
    const error = hookFailure(() => sync(spec, related));
    expect(error.code).toBe(ErrorCode.MissingDependency);
    expect(error.message).toMatch(message);
  });
});

describe('Proxy validation', () => {
  it.each([
    ['a size of 0', { size: 0 }, /spec\.size/],
    ['a size beyond 64', { size: 65 }, /spec\.size/],
    ['an unknown Service type', { serviceType: 'ExternalName' }, /spec\.serviceType/],
    ['namesrvAddr in spec.config', { config: { namesrvAddr: 'x:9876' } }, /spec\.config\.namesrvAddr is set by the operator/],
    [
      'the cluster name in spec.config',
      { config: { rocketMQClusterName: 'x' } },
      /spec\.config\.rocketMQClusterName is set by the operator/,
    ],
    ['proxyMode in spec.config', { config: { proxyMode: 'local' } }, /spec\.config\.proxyMode is always cluster/],
    [
      'a port in spec.config',
      { config: { grpcServerPort: '9000' } },
      /spec\.config\.remotingListenPort and spec\.config\.grpcServerPort are fixed/,
    ],
    ['a config key that is no setting name', { config: { 'a.b': 'x' } }, /spec\.config keys are proxy setting names/],
    [
      'both nameServers and nameServiceRef',
      { nameServers: 'a:9876', nameServiceRef: 'ns' },
      /set either spec\.nameServers or spec\.nameServiceRef/,
    ],
    [
      'a RocketMQ 4 image of the original operator',
      { proxyImage: 'apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0' },
      /spec\.proxyImage: .* have no proxy/,
    ],
  ])('refuses %s, naming the field', (_name, spec, message) => {
    const error = hookFailure(() => sync(spec));
    expect(error.code).toBe(ErrorCode.InvalidSpec);
    expect([error.message, ...(error.details ?? [])].join('\n')).toMatch(message);
  });

  it('refuses a name whose ConfigMap name would be too long', () => {
    const error = hookFailure(() =>
      proxyHooks.sync(syncRequest(customResource('Proxy', 'p'.repeat(57), {}), { related: [nameService(), broker()] }), FIXED_NOW),
    );
    expect(error.code).toBe(ErrorCode.InvalidSpec);
    expect([error.message, ...(error.details ?? [])].join('\n')).toMatch(/metadata\.name/);
  });
});

describe('Proxy through the hook service', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = buildServer({ clock: () => FIXED_NOW });
    await app.ready();
  });
  afterAll(() => app.close());

  it('holds the observed children and reports MissingDependency while the Broker is missing', async () => {
    const rendered = proxyHooks.sync(request({}), FIXED_NOW);
    const held = afterApplying(request({}, [nameService()]), rendered);
    const reply = await app.inject({ method: 'POST', url: '/sync/proxy', payload: held });
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body.children).toEqual(rendered.children);
    expect(body.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'MissingDependency' });
    expect(body.status.conditions[0].message).toMatch(/create a Broker/);
  });

  it('is found by its URL segment', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/customize/proxy',
      payload: { controller: {}, parent: customResource('Proxy', 'proxy', {}, 'mq') },
    });
    expect(reply.statusCode).toBe(200);
  });
});
