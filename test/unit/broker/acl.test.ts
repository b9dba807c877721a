// A Broker with spec.acl: what reaches the brokers' configuration, environment and start command.
import type { HookRequest } from '../../../hooks/core/metacontroller.js';
import { ACCESS_KEY_ENV, BROKER_AUTH_PROVIDERS, SECRET_KEY_ENV } from '../../../hooks/rocketmq-pods/acl.js';
import { hookFailure } from '../../support/hook-requests.js';
import { FIXED_NOW, syncRequest } from '../../support/hook-requests.js';
import { applyAndSettle, broker, brokerContainer, child, envOf, hooks, nameService, podOf, syncBroker } from './support.js';

const acl = { enabled: true, adminSecret: 'rocketmq-admin' };
const confOf = (response: ReturnType<typeof syncBroker>, key: string) => child(response, 'ConfigMap').data[key] as string;

describe('Broker acl', () => {
  it('turns on RocketMQ 5 authentication and authorization with the local providers, after the user properties', () => {
    const response = syncBroker(broker({ brokerImage: 'apache/rocketmq:5.3.3', acl, properties: { authenticationEnabled: 'false' } }));
    const conf = confOf(response, 'broker-0-master.conf');
    const lines = conf.split('\n');
    expect(lines.lastIndexOf('authenticationEnabled=true')).toBeGreaterThan(lines.indexOf('authenticationEnabled=false'));
    expect(lines).toEqual(
      expect.arrayContaining(['authorizationEnabled=true', ...Object.entries(BROKER_AUTH_PROVIDERS).map(([k, v]) => `${k}=${v}`)]),
    );
    expect(conf).not.toMatch(/initAuthenticationUser|innerClientAuthenticationCredentials|aclEnable/);
  });

  it('turns on ACL 1.0 for a RocketMQ 4 image', () => {
    const response = syncBroker(broker({ brokerImage: 'apache/rocketmq:4.9.7', replicaPerGroup: 0, acl }));
    const conf = confOf(response, 'broker-0-master.conf');
    expect(conf).toMatch(/^aclEnable=true$/m);
    expect(conf).not.toMatch(/authenticationEnabled/);
    expect(brokerContainer(response, 'broker-0-master').command[2]).toContain('-Drocketmq.acl.plain.file=');
  });

  it('reads the account from the named Secret into every broker and writes it only at start', () => {
    const response = syncBroker(broker({ replicaPerGroup: 1, acl }));
    for (const statefulSet of ['broker-0-master', 'broker-0-replica-1']) {
      const container = brokerContainer(response, statefulSet);
      const env = envOf(container);
      expect(env[ACCESS_KEY_ENV]).toEqual({ secretKeyRef: { name: 'rocketmq-admin', key: 'accessKey' } });
      expect(env[SECRET_KEY_ENV]).toEqual({ secretKeyRef: { name: 'rocketmq-admin', key: 'secretKey' } });
      const script: string = container.command[2];
      expect(script.indexOf('initAuthenticationUser=')).toBeGreaterThan(script.indexOf('cp /etc/rocketmq/broker.conf'));
      expect(script).toMatch(/unset ROCKETMQ_ACCESS_KEY ROCKETMQ_SECRET_KEY && exec sh "\$ROCKETMQ_HOME\/bin\/mqbroker"/);
    }
  });

  it('restarts the brokers when acl is turned on, and leaves a cluster without acl as it was', () => {
    const off = syncBroker(broker({}));
    const on = syncBroker(broker({ acl }));
    const disabled = syncBroker(broker({ acl: { enabled: false, adminSecret: 'rocketmq-admin' } }));
    const hash = (r: typeof off) => child(r, 'StatefulSet', 'broker-0-master').spec.template.metadata.annotations;
    expect(hash(on)).not.toEqual(hash(off));
    expect(disabled.children).toEqual(off.children);
  });

  it('gives RocketMQ 4 brokers with acl a logging configuration from the ConfigMap that keeps the ACL module to warnings', () => {
    const response = syncBroker(broker({ brokerImage: 'apache/rocketmq:4.9.7', replicaPerGroup: 0, acl }));
    expect(confOf(response, 'broker-0-master.conf')).toMatch(/^rocketmqHome=\/etc\/rocketmq\/logging$/m);
    expect(brokerContainer(response, 'broker-0-master').volumeMounts).toContainEqual({
      name: 'rocketmq-broker-conf',
      mountPath: '/etc/rocketmq/logging/conf/logback_broker.xml',
      subPath: 'logback_broker.xml',
    });
    const logback = confOf(response, 'logback_broker.xml');
    expect(logback).toContain('<logger name="RocketmqCommon" level="WARN" additivity="false"><appender-ref ref="broker"/></logger>');
    for (const file of ['broker', 'broker_default', 'store', 'remoting', 'storeerror', 'stats', 'watermark']) {
      expect(logback).toContain(`<file>\${user.home}/logs/rocketmqlogs/\${brokerLogDir}/${file}.log</file>`);
    }
  });

  it('leaves the logging of RocketMQ 5 brokers and of RocketMQ 4 brokers without acl to the image', () => {
    for (const spec of [{ acl }, { brokerImage: 'apache/rocketmq:4.9.7', replicaPerGroup: 0 }]) {
      const response = syncBroker(broker(spec));
      expect(child(response, 'ConfigMap').data).not.toHaveProperty(['logback_broker.xml']);
      expect(confOf(response, 'broker-0-master.conf')).not.toMatch(/rocketmqHome/);
      expect(JSON.stringify(brokerContainer(response, 'broker-0-master').volumeMounts)).not.toContain('logging');
    }
  });

  it('keeps the logging configuration while a RocketMQ 4 broker that mounts it waits to restart without acl', () => {
    const spec = { size: 2, brokerImage: 'apache/rocketmq:4.9.7', replicaPerGroup: 0 };
    const first = syncRequest(broker({ ...spec, acl }), { related: [nameService()] });
    const running = applyAndSettle(first, hooks.sync(first, FIXED_NOW));
    let request: HookRequest = { ...running, parent: { ...running.parent, spec } };
    let reply = hooks.sync(request, FIXED_NOW);
    // One broker restarts at a time: the other still runs its template with the mount.
    expect(child(reply, 'ConfigMap').data).toHaveProperty(['logback_broker.xml']);
    for (let step = 0; step < 4 && 'logback_broker.xml' in child(reply, 'ConfigMap').data; step++) {
      request = applyAndSettle(request, reply);
      reply = hooks.sync(request, FIXED_NOW);
    }
    expect(child(reply, 'ConfigMap').data).not.toHaveProperty(['logback_broker.xml']);
  });

  it('refuses acl without a Secret, naming the field', () => {
    const error = hookFailure(() => syncBroker(broker({ acl: { enabled: true } })));
    expect(error.statusCode).toBe(422);
    expect(error.message).toMatch(/spec\.acl\.adminSecret is required/);
  });

  it('refuses acl where the operator does not start the broker, or RocketMQ 4 replicas would be refused by their master', () => {
    const original = hookFailure(() =>
      syncBroker(broker({ brokerImage: 'apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0', replicaPerGroup: 0, acl })),
    );
    expect(original.statusCode).toBe(422);
    expect(original.details).toEqual([expect.stringMatching(/^spec\.acl\.enabled: .*original-operator image/)]);
    const replicas = hookFailure(() => syncBroker(broker({ brokerImage: 'apache/rocketmq:4.9.7', replicaPerGroup: 1, acl })));
    expect(replicas.details).toEqual([expect.stringMatching(/^spec\.acl\.enabled: RocketMQ 4 replicas .*spec\.replicaPerGroup to 0/)]);
  });
});

describe('Broker acl metadata copy', () => {
  it('gives the copy Job of a grown cluster the account from the Secret, and no value', () => {
    const settings = { runnerImage: 'registry.example/rocketmq-operator:1.0.0' };
    const spec = { size: 1, replicaPerGroup: 1, acl };
    let request = syncRequest(broker(spec), { related: [nameService()] });
    request = applyAndSettle(request, hooks.sync(request, FIXED_NOW, settings));
    request = applyAndSettle(request, hooks.sync(request, FIXED_NOW, settings));
    request = { ...request, parent: { ...request.parent, spec: { ...spec, size: 2 } } };
    request = applyAndSettle(request, hooks.sync(request, FIXED_NOW, settings));
    const response = hooks.sync(request, FIXED_NOW, settings);
    const job = response.children.find((c) => c.kind === 'Job') as any;
    expect(job.spec.template.spec.containers[0].env).toEqual([
      { name: ACCESS_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'accessKey' } } },
      { name: SECRET_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'secretKey' } } },
    ]);
  });
});

describe('Broker acl without its Secret', () => {
  it('says which pod cannot start and which Secret to create, in the kubelet words, and changes nothing', () => {
    const parent = broker({ replicaPerGroup: 0, acl });
    const first = syncBroker(parent);
    const statefulSet = child(first, 'StatefulSet', 'broker-0-master');
    const pod = podOf(statefulSet, false) as any;
    pod.status.containerStatuses = [
      {
        name: 'broker',
        ready: false,
        state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "rocketmq-admin" not found' } },
      },
    ];
    const response = syncBroker(parent, { children: first.children, related: [nameService(), pod] });
    expect(response.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodConfigError',
      message:
        '0/1 broker pods ready; broker-0-master-0 cannot start: secret "rocketmq-admin" not found; create Secret rocketmq-admin (spec.acl.adminSecret) with keys accessKey and secretKey',
    });
    expect(response.children).toEqual(first.children);
  });
});
