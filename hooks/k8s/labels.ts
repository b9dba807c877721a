export type Component = 'nameservice' | 'broker' | 'console' | 'topictransfer' | 'proxy' | 'controller';

/** Recommended labels on every object the operator renders. */
export function commonLabels(component: Component, instance: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'rocketmq',
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/managed-by': 'rocketmq-operator',
  };
}
