// Performs one step of the plan. Every action reads the object first and changes only what is not
// already as wanted ("unchanged" otherwise); every wait polls until the cluster shows the state the
// step describes, or fails after the timeout naming what it still waits for.
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { ObservedObjects, typeKey, type KubeObject } from '../core/metacontroller.js';
import { nameServerJavaOpts } from '../console/render.js';
import { isPodReady, isStatefulSetSettled } from '../k8s/readiness.js';
import { findNameServers, POD_SERVICES_ANNOTATION, podServiceName } from '../rocketmq-pods/nameservers.js';
import { type Cluster, type CustomResource, isNotFound } from './cluster.js';
import { ADOPTION_LABEL, type Action, MigrationError } from './plan.js';

export type Outcome = 'done' | 'unchanged';

export interface PerformOptions {
  timeoutMs: number;
  pollMs: number;
}

const ready = (o: CustomResource) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const progressing = (o: CustomResource) => o.status?.conditions?.find((c) => c.type === 'Progressing')?.status !== 'False';
const ownedBy = (metadata: { ownerReferences?: { uid: string; controller?: boolean }[] } | undefined, uid: string) =>
  metadata?.ownerReferences?.some((r) => r.controller && r.uid === uid) ?? false;

export class Performer {
  constructor(
    private readonly cluster: Cluster,
    private readonly options: PerformOptions,
  ) {}

  /** Polls `check` (true, or what is still missing) until true; on timeout names what it waited for. */
  private async until(what: string, check: () => Promise<true | string>): Promise<Outcome> {
    const deadline = Date.now() + this.options.timeoutMs;
    let first = true;
    for (;;) {
      const result = await check();
      if (result === true) return first ? 'unchanged' : 'done';
      if (Date.now() > deadline) {
        throw new MigrationError(
          `timed out after ${Math.round(this.options.timeoutMs / 1000)}s waiting for ${what}: ${result}. ` +
            'Find out why (kubectl describe), then run migrate --apply again (or give a longer --timeout); it goes on where it stopped',
        );
      }
      first = false;
      await new Promise((r) => setTimeout(r, this.options.pollMs));
    }
  }

  private async statefulSet(name: string): Promise<V1StatefulSet | undefined> {
    return this.cluster.apps.readNamespacedStatefulSet({ name, namespace: this.cluster.namespace }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  }

  private async pod(name: string): Promise<V1Pod | undefined> {
    return this.cluster.core.readNamespacedPod({ name, namespace: this.cluster.namespace }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  }

  /** The name-server list a Broker's or Console's hook gives it now, worked out as the hook does. */
  private async expectedNameServers(kind: 'Broker' | 'Console', client: CustomResource): Promise<string> {
    const nameServices = await this.cluster.list('nameservices');
    const key = typeKey('NameService', 'rocketmq.apache.org/v1alpha1');
    const related = new ObservedObjects({
      [key]: Object.fromEntries(nameServices.map((n) => [`${this.cluster.namespace}/${n.metadata.name}`, n as unknown as KubeObject])),
    });
    const spec = (client.spec ?? {}) as { nameServers?: string; nameServiceRef?: string };
    return findNameServers({ kind, name: client.metadata.name, namespace: this.cluster.namespace, spec }, related).addresses;
  }

  async perform(action: Action): Promise<Outcome> {
    const ns = this.cluster.namespace;
    switch (action.type) {
      case 'scale-to-zero': {
        const deployment = await this.cluster.apps.readNamespacedDeployment({ name: action.name, namespace: action.namespace });
        if ((deployment.spec?.replicas ?? 1) > 0)
          await this.cluster.patchWorkload('Deployment', action.name, { spec: { replicas: 0 } }, action.namespace);
        return this.until(`Deployment ${action.namespace}/${action.name} to have no pods`, async () => {
          const d = await this.cluster.apps.readNamespacedDeployment({ name: action.name, namespace: action.namespace });
          return (d.status?.replicas ?? 0) === 0 || `${d.status?.replicas} pods still run`;
        });
      }
      case 'annotate': {
        const nameService = await this.cluster.get('nameservices', action.nameService);
        const current = nameService.metadata.annotations?.[POD_SERVICES_ANNOTATION] ?? null;
        if (current === action.mode) return 'unchanged';
        await this.cluster.patchCustom('nameservices', action.nameService, {
          metadata: { annotations: { [POD_SERVICES_ANNOTATION]: action.mode } },
        });
        return 'done';
      }
      case 'label': {
        const current =
          action.kind === 'StatefulSet'
            ? (await this.cluster.apps.readNamespacedStatefulSet({ name: action.name, namespace: ns })).metadata
            : (await this.cluster.apps.readNamespacedDeployment({ name: action.name, namespace: ns })).metadata;
        if (current?.labels?.[ADOPTION_LABEL] === action.uid) return 'unchanged';
        await this.cluster.patchWorkload(action.kind, action.name, { metadata: { labels: { [ADOPTION_LABEL]: action.uid } } });
        return 'done';
      }
      case 'wait-pod-services':
      case 'wait-pod-services-gone': {
        const gone = action.type === 'wait-pod-services-gone';
        const size = ((await this.cluster.get('nameservices', action.nameService)).spec?.size as number | undefined) ?? 1;
        const names = Array.from({ length: size }, (_, i) => podServiceName(action.nameService, i));
        const what = gone
          ? `the Services ${names.join(', ')} to be deleted`
          : `the Services ${names.join(', ')} to reach Ready name servers`;
        return this.until(what, async () => {
          for (const name of names) {
            const exists = await this.cluster.core.readNamespacedService({ name, namespace: ns }).then(
              () => true,
              (error: unknown) => (isNotFound(error) ? false : Promise.reject(error)),
            );
            if (gone) {
              if (exists) return `Service ${name} still exists`;
              continue;
            }
            if (!exists) return `Service ${name} does not exist yet (is this operator running?)`;
            const slices = await this.cluster.discovery.listNamespacedEndpointSlice({
              namespace: ns,
              labelSelector: `kubernetes.io/service-name=${name}`,
            });
            const served = slices.items.some((s) => s.endpoints?.some((e) => e.conditions?.ready));
            if (!served) return `Service ${name} has no Ready endpoint yet`;
          }
          return true;
        });
      }
      case 'wait-name-service':
        return this.until(`NameService ${action.name}'s StatefulSet to be adopted and rolled out`, async () => {
          const parent = await this.cluster.get('nameservices', action.name);
          const sts = await this.statefulSet(action.name);
          if (!sts) return `StatefulSet ${action.name} does not exist`;
          if (!ownedBy(sts.metadata, parent.metadata.uid))
            return `StatefulSet ${action.name} is not adopted yet (is this operator running?)`;
          if (sts.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'rocketmq-operator')
            return `StatefulSet ${action.name} has not been updated yet`;
          if (sts.spec?.replicas !== (parent.spec?.size ?? 1)) return `StatefulSet ${action.name} does not have spec.size replicas yet`;
          return isStatefulSetSettled(sts) || `${sts.status?.updatedReplicas ?? 0} pods updated, ${sts.status?.readyReplicas ?? 0} Ready`;
        });
      case 'wait-broker':
        return this.until(`Broker ${action.name}'s pods to run the current template and be Ready`, async () => {
          const broker = await this.cluster.get('brokers', action.name);
          const expected = await this.expectedNameServers('Broker', broker);
          if (broker.status?.nameServers !== expected)
            return `its status lists name servers ${JSON.stringify(broker.status?.nameServers)}, not yet ${expected}`;
          const statefulSets = (await this.cluster.apps.listNamespacedStatefulSet({ namespace: ns })).items.filter((s) =>
            ownedBy(s.metadata, broker.metadata.uid),
          );
          const unsettled = statefulSets.filter((s) => !isStatefulSetSettled(s)).map((s) => s.metadata?.name);
          if (unsettled.length > 0) return `${unsettled.join(', ')} not rolled out and Ready yet`;
          return (ready(broker) && !progressing(broker)) || 'it is not Ready, or still Progressing';
        });
      case 'wait-console':
        return this.until(`Console ${action.name}'s Deployment to roll out`, async () => {
          const dashboard = await this.cluster.get('consoles', action.name);
          const expected = nameServerJavaOpts(await this.expectedNameServers('Console', dashboard));
          const d = await this.cluster.apps.readNamespacedDeployment({ name: action.name, namespace: ns });
          if (!ownedBy(d.metadata, dashboard.metadata.uid)) return `Deployment ${action.name} is not adopted yet`;
          const javaOpts = d.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'JAVA_OPTS')?.value ?? '';
          if (!javaOpts.includes(expected)) return `its JAVA_OPTS do not hold ${expected} yet`;
          const s = d.status ?? {};
          const wanted = d.spec?.replicas ?? 1;
          const rolled =
            (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
            s.updatedReplicas === wanted &&
            s.readyReplicas === wanted &&
            (s.replicas ?? 0) === wanted;
          return rolled || `${s.updatedReplicas ?? 0}/${wanted} pods updated, ${s.readyReplicas ?? 0} Ready`;
        });
      case 'orphan-statefulset': {
        const sts = await this.statefulSet(action.name);
        if (!sts || sts.metadata?.deletionTimestamp || sts.spec?.serviceName === action.name) return 'unchanged';
        await this.cluster.apps.deleteNamespacedStatefulSet({
          name: action.name,
          namespace: ns,
          body: { propagationPolicy: 'Orphan', preconditions: { uid: sts.metadata!.uid } },
        });
        return 'done';
      }
      case 'wait-statefulset-replaced':
        return this.until(`StatefulSet ${action.name} to be created again with serviceName ${action.name}`, async () => {
          const parent = await this.cluster.get('nameservices', action.name);
          const sts = await this.statefulSet(action.name);
          if (!sts || sts.metadata?.deletionTimestamp) return 'it does not exist yet';
          if (sts.spec?.serviceName !== action.name) return `it still has serviceName ${JSON.stringify(sts.spec?.serviceName ?? '')}`;
          return ownedBy(sts.metadata, parent.metadata.uid) || 'it is not owned by the NameService';
        });
      case 'pause':
        await new Promise((r) => setTimeout(r, action.seconds * 1000));
        return 'done';
      case 'move-pod':
        return this.movePod(action.nameService, action.pod);
    }
  }

  /** Deletes a name-server pod without a DNS name only while every other one is Ready, and waits for it back. */
  private async movePod(nameService: string, name: string): Promise<Outcome> {
    const moved = (pod: V1Pod | undefined) => pod?.spec?.subdomain === nameService && isPodReady(pod);
    if (moved(await this.pod(name))) return 'unchanged';
    const size = ((await this.cluster.get('nameservices', nameService)).spec?.size as number | undefined) ?? 1;
    const others = Array.from({ length: size }, (_, i) => `${nameService}-${i}`).filter((n) => n !== name);
    let deleted: string | undefined;
    await this.until(`every name server but ${name} to be Ready`, async () => {
      for (const other of others) if (!isPodReady(await this.pod(other))) return `${other} is not Ready`;
      const pod = await this.pod(name);
      if (moved(pod)) return true;
      if (!pod || pod.metadata?.deletionTimestamp) return `${name} is being replaced`;
      await this.cluster.core.deleteNamespacedPod({
        name,
        namespace: this.cluster.namespace,
        body: { preconditions: { uid: pod.metadata!.uid } },
      });
      deleted = pod.metadata!.uid;
      return true;
    });
    await this.until(`${name} to come back Ready with a DNS name under Service ${nameService}`, async () => {
      const pod = await this.pod(name);
      if (pod && pod.metadata?.uid === deleted) return 'the old pod is still terminating';
      return moved(pod) || `${name} is not Ready yet`;
    });
    return 'done';
  }
}
