/**
 * The RocketMQ cluster name a Broker's brokers register with: spec.properties.brokerClusterName when
 * set (clients name the cluster, so an existing cluster keeps its name), else the Broker's own name.
 * Brokers register with it; proxies serve it.
 */
export function clusterNameOf(name: string, spec: { properties?: Record<string, string> }): string {
  return spec.properties?.brokerClusterName || name;
}
