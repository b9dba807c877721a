// A pod network like a node's: a bridge on the host, one network namespace per pod joined to it by a
// veth pair, each pod with its own address, so every pod listens on the ports its spec names.
import { execFileSync } from 'node:child_process';

/** Bridges made by this process: a torn-down pod's interfaces may outlive it briefly, so names are never reused. */
let bridges = 0;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

export interface PodNetwork {
  namespace: string;
  address: string;
}

export class Bridge {
  readonly name: string;
  private readonly prefix: string;
  private readonly tag: string;
  private next = 2;
  private readonly namespaces: string[] = [];

  constructor() {
    if (process.getuid?.() !== 0) throw new Error('the pod harness needs root (network namespaces, mounts, chroot)');
    this.tag = ((process.pid % 0xffff) * 16 + (bridges++ % 16)).toString(36);
    this.name = `psbr${this.tag}`;
    this.prefix = freeSubnet();
    ip('link', 'add', this.name, 'type', 'bridge');
    ip('addr', 'add', `${this.prefix}.1/24`, 'dev', this.name);
    ip('link', 'set', this.name, 'up');
  }

  /** A namespace with an address on the bridge; the host reaches it directly. */
  addPod(): PodNetwork {
    const n = this.next++;
    const namespace = `ps${this.tag}-${n}`;
    const hostSide = `ps${this.tag}v${n}`;
    const address = `${this.prefix}.${n}`;
    ip('netns', 'add', namespace);
    this.namespaces.push(namespace);
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
    ip('link', 'set', hostSide, 'master', this.name, 'up');
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    ip('-n', namespace, 'route', 'add', 'default', 'via', `${this.prefix}.1`);
    return { namespace, address };
  }

  /** Deleting a namespace deletes its veth pair. */
  remove(): void {
    for (const ns of this.namespaces.splice(0)) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'del', this.name], { stdio: 'ignore' });
  }
}

/** A 10.251.x.0/24 no host interface uses. */
function freeSubnet(): string {
  const used = ip('-4', '-o', 'addr', 'show');
  for (let attempt = 0; attempt < 256; attempt++) {
    const prefix = `10.251.${(process.pid + attempt) % 256}`;
    if (!used.includes(` ${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.251.x.0/24 subnet for the pod bridge');
}
