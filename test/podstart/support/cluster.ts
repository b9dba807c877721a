// The pods of rendered StatefulSets, each ready to run with the harness, on one pod network whose
// /etc/hosts stands in for cluster DNS (<pod>.<service>.<namespace>.svc, as the hooks render it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1ConfigMap, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeObject } from '../../../hooks/core/metacontroller.js';
import { parseManifests, renderManifests } from '../../../hooks/dry-run.js';
import { layOutImage, type ImageFlavor } from './image.js';
import { Bridge } from './network.js';
import { Pod } from './pod.js';

export class PodCluster {
  readonly pods = new Map<string, Pod>();
  /** The StatefulSet's serviceName of each pod: the subdomain of its DNS name. */
  private readonly serviceOf = new Map<string, string>();

  private constructor(
    readonly dir: string,
    private readonly bridge: Bridge,
    readonly rendered: KubeObject[],
  ) {}

  /** Renders the manifests with the hooks and prepares every pod of every StatefulSet they render, on the image its container names. */
  static async create(manifests: string, flavors: ImageFlavor[]): Promise<PodCluster> {
    const objects = parseManifests(manifests);
    const results = renderManifests(objects, new Date());
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`rendering ${failed.parent.metadata.name} failed: ${failed.error?.message}`);
    const children = results.flatMap((r) => r.children);
    const dir = mkdtempSync(join(tmpdir(), 'podstart-'));
    const bridge = new Bridge();
    const cluster = new PodCluster(dir, bridge, children);
    try {
      const images = await Promise.all(flavors.map((flavor, i) => layOutImage(flavor, join(dir, `image-${i}`))));
      const imageOf = (name: string | undefined) => {
        const image = images.find((i) => i.flavor.name === name);
        if (!image) throw new Error(`no image laid out for ${name}; laid out: ${flavors.map((f) => f.name).join(', ')}`);
        return image;
      };
      const configMaps = new Map(
        [...objects, ...children].filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o as unknown as V1ConfigMap]),
      );
      // A StatefulSet's pods are <name>-<i> with a DNS name under its Service; a Deployment's are named
      // <name>-<i> here too, and have none.
      const workloads = children.filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment') as unknown as (
        V1StatefulSet | V1Deployment
      )[];
      for (const { metadata, spec } of workloads) {
        for (let i = 0; i < (spec!.replicas ?? 1); i++) {
          const name = `${metadata!.name}-${i}`;
          const claims = 'volumeClaimTemplates' in spec! ? (spec.volumeClaimTemplates ?? []) : [];
          const definition = {
            name,
            namespace: metadata!.namespace!,
            spec: spec!.template.spec!,
            claims: claims.map((c) => c.metadata!.name!),
          };
          const image = imageOf(spec!.template.spec!.containers[0].image);
          cluster.pods.set(name, new Pod(definition, image, bridge.addPod(), join(dir, 'pods', name), configMaps));
          if ('serviceName' in spec! && spec.serviceName) cluster.serviceOf.set(name, spec.serviceName);
        }
      }
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  pod(name: string): Pod {
    const pod = this.pods.get(name);
    if (!pod) throw new Error(`no pod ${name}; rendered: ${[...this.pods.keys()].join(', ')}`);
    return pod;
  }

  /** What cluster DNS would answer for the pods' stable names. */
  hosts(): string {
    const lines = ['127.0.0.1 localhost'];
    for (const pod of this.pods.values()) {
      const service = this.serviceOf.get(pod.name);
      const fqdn = service && `${pod.name}.${service}.${pod.definition.namespace}.svc`;
      lines.push(fqdn ? `${pod.address} ${fqdn}.cluster.local ${fqdn} ${pod.name}` : `${pod.address} ${pod.name}`);
    }
    return `${lines.join('\n')}\n`;
  }

  start(...names: string[]): Pod[] {
    return names.map((name) => {
      const pod = this.pod(name);
      pod.start(this.hosts());
      return pod;
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pods.values()].map((pod) => pod.kill()));
    this.bridge.remove();
    if (process.env.KEEP_PODSTART_DIR !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}
