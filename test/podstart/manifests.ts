// The resources the pod-start tests render: small memory limits, claims for the data, as a user
// would write them.
export const NAMESPACE = 'podstart';

export interface ClusterOptions {
  nameServerImage: string;
  brokerImage: string;
  /** Extra fields of the container security context (e.g. readOnlyRootFilesystem). */
  containerSecurityContext?: Record<string, unknown>;
  nameServerEnv?: { name: string; value: string }[];
  /** A Proxy (RocketMQ 5 images) in front of the Broker, on the broker image. */
  proxy?: boolean;
}

function securityContext(extra: Record<string, unknown> | undefined): string {
  if (!extra) return '';
  const fields = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...extra };
  return `  containerSecurityContext: ${JSON.stringify(fields)}\n`;
}

function claim(name: string): string {
  return `  storageMode: StorageClass
  volumeClaimTemplates:
    - metadata: { name: ${name} }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`;
}

export function nameServiceManifest(options: ClusterOptions): string {
  return `apiVersion: rocketmq.apache.org/v1alpha1
kind: NameService
metadata: { name: names, namespace: ${NAMESPACE} }
spec:
  size: 2
  nameServiceImage: ${options.nameServerImage}
  resources: { limits: { memory: 1Gi } }
${options.nameServerEnv ? `  env: ${JSON.stringify(options.nameServerEnv)}\n` : ''}${securityContext(options.containerSecurityContext)}${claim('namesrv-storage')}`;
}

export function brokerManifest(options: ClusterOptions): string {
  return `apiVersion: rocketmq.apache.org/v1alpha1
kind: Broker
metadata: { name: broker, namespace: ${NAMESPACE} }
spec:
  size: 1
  replicaPerGroup: 1
  nameServiceRef: names
  brokerImage: ${options.brokerImage}
  resources: { limits: { memory: 1Gi } }
${securityContext(options.containerSecurityContext)}${claim('broker-storage')}`;
}

export function proxyManifest(options: ClusterOptions): string {
  return `apiVersion: rocketmq.apache.org/v1alpha1
kind: Proxy
metadata: { name: proxy, namespace: ${NAMESPACE} }
spec:
  size: 1
  nameServiceRef: names
  brokerClusterRef: broker
  proxyImage: ${options.brokerImage}
  resources: { limits: { memory: 1Gi } }
${securityContext(options.containerSecurityContext)}`;
}

export function clusterManifests(options: ClusterOptions): string {
  const proxy = options.proxy ? `---\n${proxyManifest(options)}` : '';
  return `${nameServiceManifest(options)}---\n${brokerManifest(options)}${proxy}`;
}
