// The brokers' Prometheus exporter (RocketMQ 5's BrokerConfig metrics* keys) and the optional
// ServiceMonitor that has the Prometheus Operator scrape it.
import { ErrorCode, HookError } from '../../core/errors.js';
import { type HookRequest, type KubeObject, typeKey } from '../../core/metacontroller.js';
import { commonLabels } from '../../k8s/labels.js';
import { hasPrometheusExporter, type ImageFlavorName } from '../../rocketmq-pods/image.js';
import type { BrokerSpec } from '../../schema/types.js';
import { brokerServiceMonitorName } from '../names.js';

export const METRICS_PORT_NAME = 'metrics';

/** broker.conf keys the operator writes when it serves metrics: spec.metrics is where they are set. */
export const METRICS_KEYS = ['metricsExporterType', 'metricsPromExporterHost', 'metricsPromExporterPort'];

type MetricsSpec = Pick<BrokerSpec, 'metrics' | 'brokerImage'> & { imageFlavor?: ImageFlavorName };

/** The exporter's port when the brokers serve metrics: asked for, and the image's RocketMQ has the exporter. */
export function brokerMetricsPort(spec: MetricsSpec): number | undefined {
  const { enabled, port } = spec.metrics;
  return enabled && hasPrometheusExporter(spec.brokerImage, spec.imageFlavor) ? port : undefined;
}

/**
 * The exporter's broker.conf lines. It listens on every address of the pod, not only on brokerIP1
 * (its default): `kubectl port-forward` connects to the pod's loopback.
 */
export function metricsConfLines(port: number): string[] {
  return ['metricsExporterType=PROM', 'metricsPromExporterHost=0.0.0.0', `metricsPromExporterPort=${port}`];
}

const SERVICE_MONITOR_TYPE = typeKey('ServiceMonitor', 'monitoring.coreos.com/v1');

/**
 * Whether to render the ServiceMonitor; refuses a request it cannot be honoured in. Metacontroller
 * sends a group for every child type its controller watches, empty or not, so a request with groups
 * but none for ServiceMonitors comes from a controller that would fail to create it. (A dry-run
 * render sends no groups at all.)
 */
export function wantsServiceMonitor(spec: MetricsSpec, request: HookRequest): boolean {
  if (!spec.metrics.serviceMonitor) return false;
  const problems: string[] = [];
  if (brokerMetricsPort(spec) === undefined) {
    problems.push(
      `spec.metrics.serviceMonitor: ${spec.brokerImage} is a RocketMQ 4 image, whose brokers have no Prometheus exporter; set it to false`,
    );
  }
  const groups = Object.keys(request.children ?? {});
  if (groups.length > 0 && !groups.includes(SERVICE_MONITOR_TYPE)) {
    problems.push(
      'spec.metrics.serviceMonitor: the rocketmq-broker CompositeController does not have ServiceMonitors as a child type; install it with the Helm value compositeControllers.brokerServiceMonitors=true (or overlays/servicemonitors), or set it to false',
    );
  }
  if (problems.length > 0) throw new HookError(422, ErrorCode.InvalidSpec, problems.join('; '), problems);
  return true;
}

/** Scrapes every broker pod (the Service is headless: each pod is a target) through the Service's metrics port. */
export function renderBrokerServiceMonitor(name: string, namespace: string): KubeObject {
  const labels = commonLabels('broker', name);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: brokerServiceMonitorName(name), namespace, labels },
    spec: {
      // The brokers Service is the one Service a Broker has.
      selector: { matchLabels: labels },
      endpoints: [{ port: METRICS_PORT_NAME, path: '/metrics' }],
    },
  };
}
