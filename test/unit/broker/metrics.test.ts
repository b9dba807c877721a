import { buildServer } from '../../../hooks/http/server.js';
import { imageVersion } from '../../../hooks/rocketmq-pods/image.js';
import { afterApplying, hookFailure, syncRequest } from '../../support/hook-requests.js';
import { broker, brokerContainer, child, children, hooks, nameService, syncBroker } from './support.js';

const SERVICE_MONITORS = 'ServiceMonitor.monitoring.coreos.com/v1';

/** A sync as Metacontroller sends it: a group for every child type the controller watches, here empty. */
function syncWatching(types: string[], spec: Record<string, unknown>) {
  const request = syncRequest(broker(spec), { related: [nameService()] });
  request.children = Object.fromEntries(types.map((type) => [type, {}]));
  return hooks.sync(request, new Date());
}

const confLines = (response: ReturnType<typeof syncBroker>) => child(response, 'ConfigMap').data['broker-0-master.conf'].split('\n');
const portsOf = (ports: { name: string }[]) => Object.fromEntries(ports.map((p: any) => [p.name, p.containerPort ?? p.port]));

describe('Broker metrics', () => {
  it('serves Prometheus metrics from RocketMQ 5 brokers by default, on every address of the pod, port 5557', () => {
    const response = syncBroker(broker({ brokerImage: 'apache/rocketmq:5.3.3' }));
    expect(confLines(response)).toEqual(
      expect.arrayContaining(['metricsExporterType=PROM', 'metricsPromExporterHost=0.0.0.0', 'metricsPromExporterPort=5557']),
    );
    expect(portsOf(brokerContainer(response, 'broker-0-master').ports)).toEqual({ vip: 10909, main: 10911, ha: 10912, metrics: 5557 });
    expect(portsOf(child(response, 'Service').spec.ports)).toEqual({ vip: 10909, main: 10911, ha: 10912, metrics: 5557 });
    expect(children(response, 'ServiceMonitor')).toEqual([]);
  });

  it('moves the exporter to spec.metrics.port, and leaves it out when disabled', () => {
    const moved = syncBroker(broker({ metrics: { port: 9404 } }));
    expect(confLines(moved)).toContain('metricsPromExporterPort=9404');
    expect(portsOf(child(moved, 'Service').spec.ports).metrics).toBe(9404);

    const off = syncBroker(broker({ metrics: { enabled: false } }));
    expect(confLines(off).filter((l: string) => l.startsWith('metrics'))).toEqual([]);
    expect(portsOf(brokerContainer(off, 'broker-0-master').ports)).toEqual({ vip: 10909, main: 10911, ha: 10912 });
    expect(portsOf(child(off, 'Service').spec.ports)).toEqual({ vip: 10909, main: 10911, ha: 10912 });
  });

  it.each([
    ['an official 4.9 image', { brokerImage: 'apache/rocketmq:4.9.7' }],
    ["an original operator's image", { brokerImage: 'registry.example/rocketmq-broker:4.5.0-alpine' }],
    ['an image declared OriginalOperator', { brokerImage: 'registry.example/mq:custom', imageFlavor: 'OriginalOperator' }],
  ])('serves no metrics from %s: RocketMQ 4 brokers have no exporter', (_name, spec) => {
    const response = syncBroker(broker(spec));
    expect(confLines(response).filter((l: string) => l.startsWith('metrics'))).toEqual([]);
    expect(portsOf(child(response, 'Service').spec.ports).metrics).toBeUndefined();
  });

  it.each([
    ['apache/rocketmq:5.3.3', 5],
    ['apache/rocketmq:4.9.7', 4],
    ['registry.example:5000/team/rocketmq:5.1.0@sha256:' + '0'.repeat(64), 5],
    ['registry.example:5000/team/rocketmq', undefined],
    ['apache/rocketmq:latest', undefined],
    ['apache/rocketmq@sha256:' + '0'.repeat(64), undefined],
  ])('reads the RocketMQ major version of %s from its tag', (image, major) => {
    expect(imageVersion(image)?.[0]).toBe(major);
  });

  it('refuses the exporter keys in spec.properties while spec.metrics sets them, and takes them when metrics are off', () => {
    const error = hookFailure(() => syncBroker(broker({ properties: { metricsPromExporterPort: '9999' } })));
    expect(error.statusCode).toBe(422);
    expect(error.details).toEqual([
      'spec.properties.metricsPromExporterPort: is set from spec.metrics; remove it, or set spec.metrics.enabled: false to configure the exporter here',
    ]);
    const own = syncBroker(broker({ metrics: { enabled: false }, properties: { metricsExporterType: 'LOG' } }));
    expect(confLines(own)).toContain('metricsExporterType=LOG');
  });

  it.each([
    [{ port: 10911 }, /spec\.metrics\.port must differ from the broker's ports/],
    [{ port: 80 }, /spec\.metrics\.port/],
    [{ enabled: false, serviceMonitor: true }, /spec\.metrics\.serviceMonitor needs spec\.metrics\.enabled: true/],
  ])('refuses spec.metrics %j by the schema', (metrics, message) => {
    const error = hookFailure(() => syncBroker(broker({ metrics })));
    expect(error.statusCode).toBe(422);
    expect(error.details!.join('\n')).toMatch(message);
  });

  it('renders a ServiceMonitor of the brokers Service when asked and the controller watches ServiceMonitors', () => {
    const response = syncWatching(['Service.v1', SERVICE_MONITORS], { metrics: { serviceMonitor: true } });
    const monitor = child(response, 'ServiceMonitor');
    const service = child(response, 'Service');
    expect(monitor).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'broker-brokers', namespace: 'default', labels: service.metadata.labels },
      spec: { selector: { matchLabels: service.metadata.labels }, endpoints: [{ port: 'metrics', path: '/metrics' }] },
    });
    // Watching ServiceMonitors without asking for one renders none (Metacontroller deletes any left).
    expect(children(syncWatching(['Service.v1', SERVICE_MONITORS], {}), 'ServiceMonitor')).toEqual([]);
  });

  it('refuses a ServiceMonitor the controller could not create, or that would scrape a RocketMQ 4 broker, naming the fix', () => {
    const unwatched = hookFailure(() => syncWatching(['Service.v1'], { metrics: { serviceMonitor: true } }));
    expect(unwatched.statusCode).toBe(422);
    expect(unwatched.message).toMatch(
      /does not have ServiceMonitors as a child type; install it with the Helm value compositeControllers\.brokerServiceMonitors=true/,
    );
    const old = hookFailure(() =>
      syncWatching(['Service.v1', SERVICE_MONITORS], { brokerImage: 'apache/rocketmq:4.9.7', metrics: { serviceMonitor: true } }),
    );
    expect(old.message).toMatch(/apache\/rocketmq:4\.9\.7 is a RocketMQ 4 image, whose brokers have no Prometheus exporter/);
  });

  it('keeps a running Broker as it is, saying why in Ready, when its controller cannot create the ServiceMonitor asked for', async () => {
    const running = afterApplying(syncRequest(broker({}), { related: [nameService()] }), syncBroker(broker({})));
    const asking = { ...running, parent: broker({ metrics: { serviceMonitor: true } }) };
    const app = buildServer();
    try {
      const reply = await app.inject({ method: 'POST', url: '/sync/broker', payload: asking });
      expect(reply.statusCode).toBe(200);
      const body = reply.json();
      expect(body.children.map((c: any) => `${c.kind}/${c.metadata.name}`).sort()).toEqual(
        syncBroker(broker({}))
          .children.map((c) => `${c.kind}/${c.metadata.name}`)
          .sort(),
      );
      expect(body.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'InvalidSpec' });
      expect(body.status.conditions[0].message).toMatch(/compositeControllers\.brokerServiceMonitors=true/);
    } finally {
      await app.close();
    }
  });
});
