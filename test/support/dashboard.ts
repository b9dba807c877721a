// The metric names the Grafana dashboard's queries read, for the tests that check each one exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../hooks/schema/crds.js';

export const DASHBOARD_FILE = join(packageRoot(), 'charts', 'rocketmq-operator', 'dashboards', 'rocketmq-brokers.json');

interface Panel {
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every query expression of the dashboard: its panels' (rows' included), then its variables'. */
export function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
    panels: Panel[];
    templating?: { list: { definition?: string }[] };
  };
  const panels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  const exprs = panels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  // A query variable's PromQL, as Grafana shows it.
  const variables = (dashboard.templating?.list ?? []).flatMap((v) => (v.definition ? [v.definition] : []));
  return [...exprs, ...variables];
}

/** The names of the series the queries select: every rocketmq_ identifier in them (no label or function starts so). */
export function dashboardMetricNames(): { operator: string[]; broker: string[] } {
  const names = new Set(dashboardQueries().flatMap((q) => [...q.matchAll(/\b(rocketmq_[a-z0-9_]+)\b/g)].map((m) => m[1])));
  const sorted = [...names].sort();
  return {
    operator: sorted.filter((n) => n.startsWith('rocketmq_operator_')),
    broker: sorted.filter((n) => !n.startsWith('rocketmq_operator_')),
  };
}
