import { nameServiceHooks } from '../../../hooks/nameservice/hooks.js';
import type { KubeObject, SyncResponse } from '../../../hooks/core/metacontroller.js';
import type { NameServiceStatus } from '../../../hooks/schema/types.js';
import { afterApplying, customResource, FIXED_NOW, hookFailure, syncRequest } from '../../support/hook-requests.js';

const hooks = nameServiceHooks;

function sync(spec: unknown, options: Parameters<typeof syncRequest>[1] = {}, name = 'name-service'): SyncResponse<NameServiceStatus> {
  return hooks.sync(syncRequest(customResource('NameService', name, spec), options), FIXED_NOW);
}

function child(response: SyncResponse<object>, kind: string): any {
  const found = response.children.find((c) => c.kind === kind);
  if (!found) throw new Error(`no ${kind} rendered`);
  return found;
}

const podSpec = (response: SyncResponse<object>) => child(response, 'StatefulSet').spec.template.spec;

describe('NameService rendering', () => {
  it('lets node drains evict one name server at a time, selecting exactly the name server pods', () => {
    const response = sync({ size: 3 });
    const budget = child(response, 'PodDisruptionBudget');
    expect(budget.metadata.name).toBe('name-service');
    expect(budget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: child(response, 'StatefulSet').spec.selector.matchLabels } });
  });

  it('renders a StatefulSet and a headless Service named after the NameService', () => {
    const response = sync({ size: 3 });
    const sts = child(response, 'StatefulSet');
    const svc = child(response, 'Service');
    expect(sts.metadata.name).toBe('name-service');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.serviceName).toBe('name-service');
    expect(svc.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: sts.spec.selector.matchLabels });
  });

  it('keeps the original operator pod labels, so its StatefulSets are adopted', () => {
    const sts = child(sync({}), 'StatefulSet');
    expect(sts.spec.selector.matchLabels).toEqual({ app: 'name_service', name_service_cr: 'name-service' });
    expect(sts.spec.template.metadata.labels).toMatchObject(sts.spec.selector.matchLabels);
  });

  it('names the PersistentVolumeClaims as the original operator: <template>-<name>-<i>', () => {
    const sts = child(
      sync({
        storageMode: 'StorageClass',
        volumeClaimTemplates: [{ metadata: { name: 'namesrv-storage' }, spec: { resources: { requests: { storage: '1024Mi' } } } }],
      }),
      'StatefulSet',
    );
    expect(sts.spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'namesrv-storage' },
        // Written as the API server stores it, so the StatefulSet is not written again after its creation.
        spec: { volumeMode: 'Filesystem', resources: { requests: { storage: '1Gi' } } },
        status: { phase: 'Pending' },
      },
    ]);
    expect(podSpec(sync({ storageMode: 'NFS', volumeClaimTemplates: [{ metadata: { name: 'logs' } }] })).volumes).toBeUndefined();
  });

  it('mounts an emptyDir or a hostPath under the volume claim template name in the other modes', () => {
    expect(podSpec(sync({ storageMode: 'EmptyDir', volumeClaimTemplates: [{ metadata: { name: 'v' } }] })).volumes).toEqual([
      { name: 'v', emptyDir: {} },
    ]);
    expect(podSpec(sync({ storageMode: 'HostPath', hostPath: '/data/rocketmq/nameserver' })).volumes).toEqual([
      { name: 'namesrv-storage', hostPath: { path: '/data/rocketmq/nameserver' } },
    ]);
  });

  it('mounts logs where each image family writes them', () => {
    const mounts = (image: string) => podSpec(sync({ nameServiceImage: image })).containers[0].volumeMounts;
    expect(mounts('apache/rocketmq:5.3.1')).toEqual([{ name: 'namesrv-storage', mountPath: '/home/rocketmq/logs', subPath: 'logs' }]);
    expect(mounts('apacherocketmq/rocketmq-nameserver:4.5.0-alpine-operator-0.3.0')).toEqual([
      { name: 'namesrv-storage', mountPath: '/root/logs', subPath: 'logs' },
    ]);
    // The original operator's images pushed under the user's own names, and one declared by imageFlavor.
    const rootLogs = [{ name: 'namesrv-storage', mountPath: '/root/logs', subPath: 'logs' }];
    expect(mounts('docker.io/library/rocketmq-namesrv:4.5.0-alpine')).toEqual(rootLogs);
    expect(mounts('registry.example.com/mq/rocketmq-nameserver:4.5.0')).toEqual(rootLogs);
    const declared = podSpec(sync({ nameServiceImage: 'registry.example.com/mq/ns:4.5.0', imageFlavor: 'OriginalOperator' }));
    expect(declared.containers[0].volumeMounts).toEqual(rootLogs);
  });

  it('runs official images as non-root user 3000 and lets the original root images write their volume', () => {
    expect(podSpec(sync({ nameServiceImage: 'apache/rocketmq:4.9.8' })).securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 3000,
      fsGroup: 3000,
    });
    const original = podSpec(sync({ nameServiceImage: 'apacherocketmq/rocketmq-nameserver:4.5.0-alpine-operator-0.3.0' }));
    expect(original.securityContext).toEqual({ fsGroup: 3000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(original.containers[0].command).toBeUndefined();
    expect(original.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('uses the security contexts the user gives instead of the defaults', () => {
    const pod = podSpec(sync({ securityContext: { runAsUser: 1234 }, containerSecurityContext: { readOnlyRootFilesystem: false } }));
    expect(pod.securityContext).toEqual({ runAsUser: 1234 });
    expect(pod.containers[0].securityContext).toEqual({ readOnlyRootFilesystem: false });
  });

  it('passes scheduling and identity fields through to the pods', () => {
    const spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }],
          },
        },
      },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mq', effect: 'NoSchedule' }],
      nodeSelector: { disk: 'ssd' },
      priorityClassName: 'high',
      serviceAccountName: 'mq',
      imagePullSecrets: [{ name: 'registry' }],
      podAnnotations: { 'prometheus.io/scrape': 'true' },
    };
    const sts = child(sync(spec), 'StatefulSet');
    expect(sts.spec.template.spec).toMatchObject({
      affinity: spec.affinity,
      tolerations: spec.tolerations,
      nodeSelector: spec.nodeSelector,
      priorityClassName: 'high',
      serviceAccountName: 'mq',
      imagePullSecrets: spec.imagePullSecrets,
    });
    expect(sts.spec.template.metadata.annotations).toEqual(spec.podAnnotations);
  });

  it('uses ClusterFirstWithHostNet DNS on the host network unless the user picks a policy', () => {
    expect(podSpec(sync({ hostNetwork: true }))).toMatchObject({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' });
    expect(podSpec(sync({ hostNetwork: true, dnsPolicy: 'Default' })).dnsPolicy).toBe('Default');
    expect(podSpec(sync({}))).not.toHaveProperty('hostNetwork');
  });

  it('probes readiness on port 9876, stops the JVM before SIGTERM and passes image, pull policy, env and resources', () => {
    const container = podSpec(
      sync({
        nameServiceImage: 'example/ns:1',
        imagePullPolicy: 'Always',
        env: [{ name: 'JAVA_OPT_EXT', value: '-Xmx1g' }],
        resources: { limits: { memory: '2048Mi' } },
      }),
    ).containers[0];
    expect(container).toMatchObject({
      image: 'example/ns:1',
      imagePullPolicy: 'Always',
      // The user's flags after the operator's sizing: the JVM takes the last of a repeated flag.
      env: [{ name: 'JAVA_OPT_EXT', value: '-Xms1024m -Xmx1024m -Xmn512m -Xmx1g' }],
      resources: { limits: { memory: '2Gi' } },
      readinessProbe: { tcpSocket: { port: 9876 } },
      lifecycle: { preStop: { exec: { command: ['sh', '-c', expect.stringContaining('kill $pids')] } } },
      ports: [{ name: 'main', containerPort: 9876, protocol: 'TCP' }],
    });
  });

  it('sizes the heap from the memory limit, and leaves a JAVA_OPT_EXT taken from valueFrom as it is', () => {
    const sized = podSpec(sync({ resources: { limits: { memory: '1Gi' } } })).containers[0];
    expect(sized.env).toEqual([{ name: 'JAVA_OPT_EXT', value: '-Xms512m -Xmx512m -Xmn256m' }]);
    const fromConfigMap = { name: 'JAVA_OPT_EXT', valueFrom: { configMapKeyRef: { name: 'jvm', key: 'flags' } } };
    expect(podSpec(sync({ resources: { limits: { memory: '1Gi' } }, env: [fromConfigMap] })).containers[0].env).toEqual([fromConfigMap]);
    expect(podSpec(sync({})).containers[0].env).toBeUndefined();
  });

  it('keeps the immutable fields of a StatefulSet the original operator created', () => {
    const original: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'name-service', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'name_service', name_service_cr: 'name-service' } },
        podManagementPolicy: 'OrderedReady',
        template: {},
      },
    };
    const sts = child(sync({ size: 2 }, { children: [original] }), 'StatefulSet');
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    expect(sts.spec).not.toHaveProperty('serviceName');
    expect(sts.spec.replicas).toBe(2);
  });

  it('answers the same when its own children come back as observed ones', () => {
    const request = syncRequest(
      customResource('NameService', 'ns', { size: 2, storageMode: 'StorageClass', volumeClaimTemplates: [{ metadata: { name: 'v' } }] }),
    );
    const first = hooks.sync(request, FIXED_NOW);
    expect(hooks.sync(afterApplying(request, first), FIXED_NOW).children).toEqual(first.children);
  });

  it('rejects an invalid spec with every failing field', () => {
    expect(() => sync({ size: 0, storageMode: 'HostPath' })).toThrow(
      /spec\.size: must be >= 1; spec\.hostPath is required when spec\.storageMode is HostPath/,
    );
  });
});

describe('NameService per-pod Services (a StatefulSet adopted without serviceName)', () => {
  const annotated = (mode?: string) => {
    const parent = customResource('NameService', 'name-service', { size: 2 });
    return mode ? { ...parent, metadata: { ...parent.metadata, annotations: { 'rocketmq.apache.org/pod-services': mode } } } : parent;
  };
  const observedStatefulSet = (serviceName?: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'name-service', namespace: 'default' },
    spec: { ...(serviceName ? { serviceName } : {}), selector: { matchLabels: { app: 'name_service', name_service_cr: 'name-service' } } },
  });
  const services = (parent: KubeObject, children: KubeObject[] = []) =>
    hooks
      .sync(syncRequest(parent, { children }), FIXED_NOW)
      .children.filter((c) => c.kind === 'Service')
      .map((c) => c.metadata.name);

  it('renders none for a StatefulSet of its own, or before one exists', () => {
    expect(services(annotated())).toEqual(['name-service']);
    expect(services(annotated(), [observedStatefulSet('name-service')])).toEqual(['name-service']);
  });

  it('renders one per pod, selecting it by pod name, for an observed StatefulSet without the right serviceName', () => {
    expect(services(annotated(), [observedStatefulSet()])).toEqual(['name-service', 'name-service-0', 'name-service-1']);
    expect(services(annotated(), [observedStatefulSet('other')])).toEqual(['name-service', 'name-service-0', 'name-service-1']);
    const response = hooks.sync(syncRequest(annotated(), { children: [observedStatefulSet()] }), FIXED_NOW);
    const one = response.children.find((c) => c.metadata.name === 'name-service-1') as any;
    expect(one.spec).toEqual({
      selector: { 'statefulset.kubernetes.io/pod-name': 'name-service-1' },
      ports: [{ name: 'main', port: 9876, targetPort: 9876, protocol: 'TCP' }],
    });
    // The StatefulSet keeps what it has: its serviceName cannot change.
    expect((response.children.find((c) => c.kind === 'StatefulSet') as any).spec.serviceName).toBeUndefined();
  });

  it('renders them while the annotation says so, whatever the StatefulSet, and reports the addresses clients are given', () => {
    for (const mode of ['in-use', 'retiring']) {
      expect(services(annotated(mode))).toEqual(['name-service', 'name-service-0', 'name-service-1']);
      expect(services(annotated(mode), [observedStatefulSet('name-service')])).toEqual([
        'name-service',
        'name-service-0',
        'name-service-1',
      ]);
    }
    expect(hooks.sync(syncRequest(annotated('in-use')), FIXED_NOW).status.addresses).toEqual([
      'name-service-0.default.svc:9876',
      'name-service-1.default.svc:9876',
    ]);
    expect(hooks.sync(syncRequest(annotated('retiring')), FIXED_NOW).status.addresses).toEqual([
      'name-service-0.name-service.default.svc:9876',
      'name-service-1.name-service.default.svc:9876',
    ]);
  });

  it('refuses an annotation value it does not know, naming it and the values allowed', () => {
    const failure = hookFailure(() => hooks.sync(syncRequest(annotated('yes')), FIXED_NOW));
    expect(failure.statusCode).toBe(422);
    expect(failure.message).toContain('metadata.annotations["rocketmq.apache.org/pod-services"] is "yes": use "in-use" or "retiring"');
  });
});
