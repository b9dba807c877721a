// The few API calls the migration makes, and the Inventory it plans from, read from one namespace.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ObjectMeta,
} from '@kubernetes/client-node';
import { brokerPodSelector } from '../broker/names.js';
import { nameServerPodSelector } from '../nameservice/render.js';
import type { Inventory, Workload } from './plan.js';

const GROUP = 'rocketmq.apache.org';
const VERSION = 'v1alpha1';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The original operator's Deployment selects its pod by this label (deploy/operator.yaml and its chart). */
const OLD_OPERATOR_LABEL = { name: 'rocketmq-operator' };

export interface CustomResource {
  metadata: V1ObjectMeta & { name: string; uid: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason?: string }[] };
}

export const isNotFound = (error: unknown) => error instanceof ApiException && error.code === 404;

export function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const matches = (selector: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => selector?.[k] === v);

const workload = (metadata: V1ObjectMeta | undefined): Workload => ({ name: metadata?.name ?? '', labels: metadata?.labels ?? {} });

export class Cluster {
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async list(plural: string): Promise<CustomResource[]> {
    const list = (await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural })) as {
      items: CustomResource[];
    };
    return list.items;
  }

  async get(plural: string, name: string): Promise<CustomResource> {
    return (await this.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural,
      name,
    })) as CustomResource;
  }

  async patchCustom(plural: string, name: string, body: object): Promise<void> {
    await this.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural, name, body }, MERGE);
  }

  async patchWorkload(kind: 'StatefulSet' | 'Deployment', name: string, body: object, namespace = this.namespace): Promise<void> {
    if (kind === 'StatefulSet') await this.apps.patchNamespacedStatefulSet({ name, namespace, body }, MERGE);
    else await this.apps.patchNamespacedDeployment({ name, namespace, body }, MERGE);
  }

  /** Whether this operator's CompositeControllers are installed: without them nothing would adopt anything. */
  async operatorInstalled(): Promise<boolean> {
    try {
      await this.custom.getClusterCustomObject({
        group: 'metacontroller.k8s.io',
        version: 'v1alpha1',
        plural: 'compositecontrollers',
        name: 'rocketmq-nameservice',
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async inventory(operatorNamespace: string): Promise<Inventory> {
    const namespace = this.namespace;
    const [operators, statefulSets, deployments, nameServices, brokers, consoles] = await Promise.all([
      this.apps.listNamespacedDeployment({ namespace: operatorNamespace }),
      this.apps.listNamespacedStatefulSet({ namespace }),
      this.apps.listNamespacedDeployment({ namespace }),
      this.list('nameservices'),
      this.list('brokers'),
      this.list('consoles'),
    ]);
    const pods = async (name: string) =>
      (await this.core.listNamespacedPod({ namespace, labelSelector: selectorString(nameServerPodSelector(name)) })).items;
    const spec = (o: CustomResource) =>
      (o.spec ?? {}) as { size?: number; nameServers?: string; nameServiceRef?: string; allowRestart?: boolean };
    const client = (o: CustomResource) => ({
      name: o.metadata.name,
      uid: o.metadata.uid,
      nameServers: spec(o).nameServers,
      nameServiceRef: spec(o).nameServiceRef,
    });
    return {
      namespace,
      oldOperators: operators.items
        .filter((d) => matches(d.spec?.selector.matchLabels, OLD_OPERATOR_LABEL))
        .map((d) => ({ namespace: operatorNamespace, name: d.metadata!.name!, replicas: d.spec?.replicas ?? 1 })),
      nameServices: await Promise.all(
        nameServices.map(async (ns) => {
          const sts = statefulSets.items.find((s) => s.metadata?.name === ns.metadata.name);
          return {
            name: ns.metadata.name,
            uid: ns.metadata.uid,
            size: spec(ns).size ?? 1,
            annotations: ns.metadata.annotations ?? {},
            statefulSet: sts ? { ...workload(sts.metadata), serviceName: sts.spec?.serviceName || undefined } : undefined,
            pods: (await pods(ns.metadata.name)).map((p) => ({ name: p.metadata!.name!, subdomain: p.spec?.subdomain })),
          };
        }),
      ),
      brokers: brokers.map((b) => ({
        ...client(b),
        allowRestart: spec(b).allowRestart ?? true,
        statefulSets: statefulSets.items
          .filter((s) => matches(s.spec?.selector.matchLabels, brokerPodSelector(b.metadata.name)))
          .map((s) => workload(s.metadata)),
      })),
      consoles: consoles.map((c) => {
        const deployment = deployments.items.find((d) => d.metadata?.name === c.metadata.name);
        return { ...client(c), deployment: deployment ? workload(deployment.metadata) : undefined };
      }),
    };
  }
}
