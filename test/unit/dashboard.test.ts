// The Grafana dashboard reads only series that exist: the operator's are checked against the hook
// service's live registry here, the brokers' against a real broker's exporter in test/podstart.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../hooks/http/server.js';
import { DASHBOARD_FILE, dashboardMetricNames, dashboardQueries } from '../support/dashboard.js';

/** The series names a prom-client metric is exposed as. */
function seriesNames(metric: { name: string; type: string }): string[] {
  return metric.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => metric.name + s) : [metric.name];
}

describe('Grafana dashboard', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = buildServer();
    await app.ready();
  });
  afterAll(() => app.close());

  it("queries only operator series the hook service's registry exposes, and both of its reconcile counters", async () => {
    const exposed = new Set(app.metrics.registry.getMetricsAsArray().flatMap((m) => seriesNames({ name: m.name, type: String(m.type) })));
    const { operator } = dashboardMetricNames();
    expect(operator).toEqual(expect.arrayContaining(['rocketmq_operator_reconcile_total', 'rocketmq_operator_reconcile_errors_total']));
    expect(operator.filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('queries the RocketMQ 5 broker series of messages and bytes in and out', () => {
    expect(dashboardMetricNames().broker).toEqual(
      expect.arrayContaining([
        'rocketmq_messages_in_total',
        'rocketmq_messages_out_total',
        'rocketmq_throughput_in_total',
        'rocketmq_throughput_out_total',
      ]),
    );
  });

  it('reads every query from the chosen Prometheus data source and filters broker series by the cluster and broker variables', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8'));
    const panels = dashboard.panels.filter((p: { type: string }) => p.type !== 'row');
    expect(new Set(dashboard.panels.map((p: { id: number }) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets) expect(target.datasource).toEqual(panel.datasource);
    }
    const brokerQueries = dashboardQueries().filter((q) => /rocketmq_(?!operator_)/.test(q) && !q.startsWith('label_values('));
    expect(brokerQueries.length).toBeGreaterThan(0);
    for (const query of brokerQueries) expect(query).toContain('cluster=~"$cluster", node_id=~"$broker"');
  });
});
