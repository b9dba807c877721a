// Runs one rendered pod's container the way a kubelet and container runtime would: its own network,
// mount, UTS and PID namespaces, the image's root filesystem with the pod's volumes mounted at their
// mountPaths, the pod's user, the resolved env, the rendered command; probes, preStop and SIGTERM as
// the kubelet sends them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { quantityToBytes } from '../../../hooks/k8s/quantity.js';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import type { V1ConfigMap, V1Container, V1PodSpec, V1Probe } from '@kubernetes/client-node';
import { HOST_DIRECTORIES, HOST_ETC, type ImageLayout } from './image.js';
import type { PodNetwork } from './network.js';
import { expand, resolveEnv } from './env.js';

export interface PodDefinition {
  name: string;
  namespace: string;
  spec: V1PodSpec;
  /** Names of the StatefulSet's volumeClaimTemplates: volumes that outlive the pod. */
  claims: string[];
}

export interface Termination {
  preStopMs: number;
  /** From the start of preStop to the container's exit. */
  totalMs: number;
  /** Whether the grace period ran out and the container was killed. */
  killed: boolean;
  exitCode: number | null;
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** Single-quoted for sh. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class Pod {
  readonly container: V1Container;
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private starts = 0;
  private env: Record<string, string> = {};
  startedAt = 0;

  constructor(
    readonly definition: PodDefinition,
    readonly image: ImageLayout,
    readonly network: PodNetwork,
    readonly dir: string,
    private readonly configMaps: Map<string, V1ConfigMap>,
  ) {
    this.container = definition.spec.containers[0];
  }

  get name(): string {
    return this.definition.name;
  }

  get address(): string {
    return this.network.address;
  }

  get logFile(): string {
    return join(this.dir, `container-${this.starts}.log`);
  }

  /** Starts a new container (a fresh root filesystem; claims and their data kept). */
  start(hosts: string): void {
    if (this.child) throw new Error(`pod ${this.name} is running`);
    this.starts++;
    const run = join(this.dir, `run-${this.starts}`);
    const root = join(run, 'rootfs');
    mkdirSync(run, { recursive: true });
    execFileSync('cp', ['-a', this.image.template, root]);
    writeFileSync(join(root, 'etc/hosts'), hosts);
    writeFileSync(join(root, 'etc/hostname'), `${this.name}\n`);
    const mounts = [...this.systemMounts(), this.cgroupMount(run), ...this.volumeMounts(run)];
    for (const m of mounts) {
      const target = join(root, m.target);
      if (statSync(m.source).isDirectory()) mkdirSync(target, { recursive: true });
      else if (!existsSync(target)) {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, '');
      }
    }
    const { user, group, groups } = this.identity();
    this.env = resolveEnv(this.container, this.definition, this.address, this.configMaps, this.image.flavor.env);
    const readOnlyRoot = this.container.securityContext?.readOnlyRootFilesystem === true;
    const setup = [
      'set -e',
      `mount --bind ${q(root)} ${q(root)}`,
      ...mounts.flatMap((m) => [
        `mount --bind ${q(m.source)} ${q(join(root, m.target))}`,
        ...(m.readOnly ? [`mount -o remount,bind,ro ${q(join(root, m.target))}`] : []),
      ]),
      `mount --rbind /dev ${q(join(root, 'dev'))}`,
      // The runtime gives each container its own /dev/shm.
      `mount -t tmpfs -o mode=1777,size=64m shm ${q(join(root, 'dev/shm'))}`,
      `mount -t proc proc ${q(join(root, 'proc'))}`,
      ...(readOnlyRoot ? [`mount -o remount,bind,ro ${q(root)}`] : []),
      `hostname ${q(this.name)}`,
      `exec chroot ${q(root)} ${this.userCommand(user, group, groups).map(q).join(' ')} ${this.argv().map(q).join(' ')}`,
    ].join('\n');
    const log = openSync(this.logFile, 'a');
    const child = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'SIGKILL',
        '--',
        'ip',
        'netns',
        'exec',
        this.network.namespace,
        'unshare',
        '--mount',
        '--uts',
        '--pid',
        '--fork',
        '--kill-child',
        '--propagation',
        'private',
        'sh',
        '-c',
        setup,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.child = child;
    this.startedAt = Date.now();
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => (this.child = undefined));
    process.once('exit', () => this.killNow());
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Host pid of the container's main process (PID 1 in the pod's PID namespace). */
  async mainPid(): Promise<number> {
    const parent = this.child?.pid;
    if (!parent) throw new Error(`pod ${this.name} is not running`);
    for (let i = 0; i < 100; i++) {
      const children = readChildren(parent);
      if (children.length > 0) return children[0];
      await sleep(50);
    }
    throw new Error(`pod ${this.name}: no main process (log: ${this.log()})`);
  }

  /** Host pid of the JVM, once the start scripts have started it. */
  async javaPid(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) break;
      const found = descendants(await this.mainPid()).find((pid) => comm(pid) === 'java');
      if (found) return found;
      await sleep(100);
    }
    throw new Error(`pod ${this.name}: no java process (log: ${this.log()})`);
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-4000) : '';
  }

  /** One run of a probe, as the kubelet runs it. */
  async probe(probe: V1Probe | undefined): Promise<boolean> {
    if (!probe) throw new Error(`pod ${this.name}: no such probe rendered`);
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    if (probe.tcpSocket) return tcpOpen(this.address, this.port(probe.tcpSocket.port), timeoutMs);
    if (probe.exec?.command) return (await this.exec(probe.exec.command, timeoutMs)) === 0;
    throw new Error(`pod ${this.name}: probe kind not supported by the harness: ${JSON.stringify(probe)}`);
  }

  /** Milliseconds from the start to the first passing readiness probe. */
  async waitReady(timeoutMs: number): Promise<number> {
    const deadline = this.startedAt + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`pod ${this.name} exited before it was ready (log: ${this.log()})`);
      if (await this.probe(this.container.readinessProbe)) return Date.now() - this.startedAt;
      await sleep(250);
    }
    throw new Error(`pod ${this.name} not ready after ${timeoutMs} ms (log: ${this.log()})`);
  }

  /** Runs a command in the container (its namespaces, root, user, env and working directory); its exit code. */
  async exec(command: string[], timeoutMs: number): Promise<number | null> {
    const pid = await this.mainPid();
    const { user, group, groups } = this.identity();
    const child = spawn(
      'nsenter',
      ['-t', String(pid), '-m', '-u', '-n', '-p', '-r', '-w', ...this.userCommand(user, group, groups), ...command],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    writeFileSync(join(this.dir, 'exec.log'), `$ ${command.join(' ')}\n${output}exit ${code}\n`, { flag: 'a' });
    return code;
  }

  /** As the kubelet deletes a pod: preStop, then SIGTERM to the main process, SIGKILL when the grace period ends. */
  async terminate(): Promise<Termination> {
    const exited = this.exited;
    if (!this.child || !exited) throw new Error(`pod ${this.name} is not running`);
    const graceMs = (this.definition.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const pid = await this.mainPid();
    const t0 = Date.now();
    const preStop = this.container.lifecycle?.preStop;
    if (preStop && !preStop.exec) throw new Error(`pod ${this.name}: preStop kind not supported by the harness`);
    if (preStop?.exec?.command) await this.exec(preStop.exec.command, graceMs);
    const preStopMs = Date.now() - t0;
    signal(pid, 'SIGTERM');
    // After a preStop that took the whole grace period the kubelet still allows 2 s.
    let timer: NodeJS.Timeout | undefined;
    const graceEnd = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(graceMs - preStopMs, 2000))));
    const timedOut = await Promise.race([exited.then(() => false), graceEnd]);
    clearTimeout(timer);
    if (timedOut) signal(pid, 'SIGKILL');
    const exitCode = await exited;
    return { preStopMs, totalMs: Date.now() - t0, killed: timedOut, exitCode };
  }

  /** Kills the container at once (test clean-up). */
  async kill(): Promise<void> {
    const exited = this.exited;
    if (!this.child || !exited) return;
    this.killNow();
    await exited;
  }

  /**
   * SIGKILL to the container's PID 1 ends every process of its PID namespace. Killing unshare is not
   * enough: the pod's process dropped its parent-death signal when it changed user.
   */
  private killNow(): void {
    if (!this.child?.pid) return;
    for (const pid of readChildren(this.child.pid)) signal(pid, 'SIGKILL');
    this.child.kill('SIGKILL');
  }

  /** A volume's host directory, e.g. to look at what the broker left in its store. */
  volumePath(volume: string): string {
    return this.definition.claims.includes(volume)
      ? join(this.dir, 'claims', volume)
      : join(this.dir, `run-${this.starts}`, 'volumes', volume);
  }

  private port(port: number | string): number {
    if (typeof port === 'number') return port;
    const named = this.container.ports?.find((p) => p.name === port);
    if (!named) throw new Error(`pod ${this.name}: no port named ${port}`);
    return named.containerPort;
  }

  private identity(): { user: number; group: number; groups: number[] } {
    const pod = this.definition.spec.securityContext;
    const own = this.container.securityContext;
    const user = own?.runAsUser ?? pod?.runAsUser ?? this.image.flavor.user;
    const group = own?.runAsGroup ?? pod?.runAsGroup ?? user;
    const groups = [group, ...(pod?.fsGroup !== undefined && pod.fsGroup !== group ? [pod.fsGroup] : [])];
    return { user, group, groups };
  }

  private userCommand(user: number, group: number, groups: number[]): string[] {
    const env = Object.entries({ HOSTNAME: this.name, HOME: user === 0 ? '/root' : '/home/rocketmq', ...this.env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    return [
      'setpriv',
      `--reuid=${user}`,
      `--regid=${group}`,
      `--groups=${groups.join(',')}`,
      ...(this.container.securityContext?.allowPrivilegeEscalation === false ? ['--no-new-privs'] : []),
      'env',
      '-i',
      '-C',
      this.container.workingDir ?? this.image.flavor.workingDir,
      ...env,
    ];
  }

  /** Kubernetes' rule: command replaces the ENTRYPOINT, args the CMD; a command alone drops the CMD. */
  private argv(): string[] {
    const { command, args } = this.container;
    const argv = [...(command ?? this.image.flavor.entrypoint), ...(args ?? (command ? [] : this.image.flavor.cmd))];
    return argv.map((arg) => expand(arg, this.env));
  }

  /** The image's lib/: the release's jars, or for a proxy container the proxy's. */
  private lib(): string {
    if (this.container.name !== 'proxy') return this.image.lib;
    if (!this.image.proxyLib) throw new Error(`pod ${this.name}: ${this.image.flavor.name} has no proxy`);
    return this.image.proxyLib;
  }

  private systemMounts(): Mount[] {
    return [
      ...HOST_DIRECTORIES.map((d) => ({ source: d, target: d, readOnly: true })),
      { source: '/etc', target: HOST_ETC, readOnly: true },
      { source: this.lib(), target: `${this.image.flavor.rocketmqHome}/lib`, readOnly: true },
    ];
  }

  /**
   * What the container sees of its own cgroup (v2), as the runtime mounts it: the memory limit the
   * images' scripts size the JVM from (the original's refuse to start without it), no CPU quota.
   */
  private cgroupMount(run: string): Mount {
    const dir = join(run, 'cgroup');
    mkdirSync(dir, { recursive: true });
    const limit = this.container.resources?.limits?.memory;
    writeFileSync(join(dir, 'memory.max'), `${limit === undefined ? 'max' : quantityToBytes(limit)}\n`);
    writeFileSync(join(dir, 'cpu.max'), 'max 100000\n');
    return { source: dir, target: '/sys/fs/cgroup', readOnly: true };
  }

  /** Every volumeMount, from a host directory per volume: claims kept across starts, the rest made afresh. */
  private volumeMounts(run: string): Mount[] {
    const fsGroup = this.definition.spec.securityContext?.fsGroup;
    const prepared = new Map<string, string>();
    const volumeDir = (name: string): string => {
      const known = prepared.get(name);
      if (known) return known;
      const volume = this.definition.spec.volumes?.find((v) => v.name === name);
      let dir: string;
      if (this.definition.claims.includes(name) || volume?.persistentVolumeClaim) {
        dir = join(this.dir, 'claims', name);
        writableDir(dir, fsGroup);
      } else if (volume?.emptyDir) {
        dir = join(run, 'volumes', name);
        writableDir(dir, fsGroup);
      } else if (volume?.configMap) {
        dir = join(run, 'volumes', name);
        mkdirSync(dir, { recursive: true });
        const configMap = this.configMaps.get(volume.configMap.name!);
        if (!configMap) throw new Error(`pod ${this.name}: ConfigMap ${volume.configMap.name} not rendered or given`);
        const data = configMap.data ?? {};
        const items = volume.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
        for (const { key, path } of items) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), data[key] ?? '', { mode: 0o644 });
        }
      } else throw new Error(`pod ${this.name}: volume ${name} of a kind the harness does not support`);
      prepared.set(name, dir);
      return dir;
    };
    return (this.container.volumeMounts ?? []).map((m) => {
      const base = volumeDir(m.name);
      const source = m.subPath ? join(base, m.subPath) : base;
      // The kubelet creates a missing subPath directory, with the volume's ownership.
      if (!existsSync(source)) writableDir(source, fsGroup);
      const configMap = this.definition.spec.volumes?.find((v) => v.name === m.name)?.configMap !== undefined;
      return { source, target: m.mountPath, readOnly: m.readOnly === true || configMap };
    });
  }
}

/** A directory the pod's group may write, as the kubelet prepares a volume for fsGroup. */
function writableDir(dir: string, fsGroup: number | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o2775 });
  if (fsGroup !== undefined) chownSync(dir, 0, fsGroup);
  execFileSync('chmod', ['2775', dir]);
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const child of readChildren(pid)) out.push(child, ...descendants(child));
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The JVM's arguments, read from /proc. */
export function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** A signal to a process that may have exited meanwhile. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The real uid of a process. */
export function processUid(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
