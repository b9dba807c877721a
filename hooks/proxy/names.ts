import { checkChildName } from '../k8s/names.js';

/** The ports the proxies listen on, fixed in rmq-proxy.json so that the Service and probes match them. */
export const PROXY_PORTS = { remoting: 8080, grpc: 8081 } as const;

/** On every proxy pod: the Deployment, Service and PodDisruptionBudget select by it. */
export function proxyPodSelector(name: string): Record<string, string> {
  return { 'rocketmq.apache.org/proxy': name };
}

export function proxyConfigMapName(name: string): string {
  return `${name}-config`;
}

/** Where clients inside the cluster reach the proxies: the Service named after the Proxy. */
export function proxyEndpoints(name: string, namespace: string): { grpc: string; remoting: string } {
  const host = `${name}.${namespace}.svc`;
  return { grpc: `${host}:${PROXY_PORTS.grpc}`, remoting: `${host}:${PROXY_PORTS.remoting}` };
}

/** 422 before rendering when the Proxy's name would make a child name invalid. */
export function checkProxyNames(name: string): void {
  checkChildName('Proxy', name, 'Deployment', name);
  checkChildName('Proxy', name, 'Service', name);
  checkChildName('Proxy', name, 'PodDisruptionBudget', name);
  checkChildName('Proxy', name, 'ConfigMap', proxyConfigMapName(name));
}
