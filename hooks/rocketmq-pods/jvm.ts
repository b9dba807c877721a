import type { V1EnvVar } from '@kubernetes/client-node';
import { quantityToBytes } from '../k8s/quantity.js';

const MIB = 1024 * 1024;
const MAX_HEAP = 8 * 1024 * MIB;

export interface JvmMemory {
  heapMiB: number;
  youngMiB: number;
  directMiB: number;
}

/**
 * JVM sizes for a container memory limit, so the broker never sizes itself from the node's RAM
 * (which older images' scripts read on cgroup v2 nodes, getting the pod OOM-killed):
 * - heap = min(limit / 2, 8 GiB): the broker keeps messages in the page cache, not on the heap, and
 *   gains nothing from a larger one;
 * - young generation = heap / 2, as the original operator's documented BROKER_MEM;
 * - direct memory = min(limit / 4, 8 GiB), which with the heap leaves a quarter of the limit for
 *   metaspace, threads and code.
 */
export function jvmMemoryForLimit(limit: string | number): JvmMemory {
  const bytes = quantityToBytes(limit);
  const heapMiB = Math.floor(Math.min(bytes / 2, MAX_HEAP) / MIB);
  return { heapMiB, youngMiB: Math.floor(heapMiB / 2), directMiB: Math.floor(Math.min(bytes / 4, MAX_HEAP) / MIB) };
}

/** The heap flags for a memory limit: what the images' start scripts would otherwise size from their defaults. */
export function heapFlags(limit: string | number): string {
  const { heapMiB, youngMiB } = jvmMemoryForLimit(limit);
  return `-Xms${heapMiB}m -Xmx${heapMiB}m -Xmn${youngMiB}m`;
}

/**
 * Heap and direct memory flags for a memory limit, as an official image's start scripts take them in
 * JAVA_OPT_EXT (appended after their own heap flags, so these win).
 */
export function jvmOptionsForLimit(limit: string | number): string {
  return `${heapFlags(limit)} -XX:MaxDirectMemorySize=${jvmMemoryForLimit(limit).directMiB}m`;
}

/**
 * The user's env with the operator's JVM flags in `variable` (which the image's start script puts on
 * the JVM's command line): an entry of their own before the user's, or, when the user sets the
 * variable too, put before the user's value, so a flag the user repeats wins (the JVM takes the last)
 * and the others still hold. An entry the user takes from valueFrom cannot be joined and is used as
 * it is.
 */
export function withJvmFlags(userEnv: V1EnvVar[], variable: string, flags: string | undefined): V1EnvVar[] {
  if (flags === undefined) return userEnv;
  const own = userEnv.find((e) => e.name === variable);
  if (!own) return [{ name: variable, value: flags }, ...userEnv];
  if (own.valueFrom) return userEnv;
  return userEnv.map((e) => (e === own ? { name: variable, value: own.value ? `${flags} ${own.value}` : flags } : e));
}

/**
 * The user's env with heap flags for the memory limit in JAVA_OPT_EXT, which both image families'
 * name-server and controller scripts append to their own heap flags (1 GiB and more, more than a
 * small limit holds).
 */
export function withHeapForLimit(userEnv: V1EnvVar[], memoryLimit: string | undefined): V1EnvVar[] {
  return withJvmFlags(userEnv, 'JAVA_OPT_EXT', memoryLimit === undefined ? undefined : heapFlags(memoryLimit));
}
