// Preloaded into runner processes (NODE_OPTIONS=--import) by the job kubelet; test code only.
// The hooks render name servers as stable in-cluster names, `<pod>.<service>.<namespace>.svc:9876`
// (or `<service>.<namespace>.svc:9876` through a per-pod Service).
// Here they are served by one real name server per namespace on a loopback port, given in
// SYSTEM_TEST_NAMESERVERS as {"<namespace>": "127.0.0.1:<port>"}; a connection to such a name is
// sent there. Broker pods are reached the same way on port 10911 (the name-server update), sent to
// the stand-in broker of their namespace given in SYSTEM_TEST_BROKERS, if there is one; a broker pod
// reached by its IP (one without a Service name, adopted from the original operator) goes to the
// stand-in of the Job's own namespace (SYSTEM_TEST_JOB_NAMESPACE). Every other connection is left
// alone (brokers register loopback addresses).
import net from 'node:net';

const byNamespace = JSON.parse(process.env.SYSTEM_TEST_NAMESERVERS ?? '{}') as Record<string, string>;
const brokersByNamespace = JSON.parse(process.env.SYSTEM_TEST_BROKERS ?? '{}') as Record<string, string>;
const TARGETS: Record<number, Record<string, string>> = { 9876: byNamespace, 10911: brokersByNamespace };
const SVC = /^(?:[a-z0-9-]+\.)?[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?\.?$/;
const POD_IP = /^(?!127\.)\d+\.\d+\.\d+\.\d+$/;
const jobNamespace = process.env.SYSTEM_TEST_JOB_NAMESPACE;

/** The namespace whose stand-in serves this host: a Service name's, or for a pod IP the Job's. */
function namespaceOf(host: string, port: number): string | undefined {
  const namespace = SVC.exec(host)?.[1];
  if (namespace) return namespace;
  return port === 10911 && POD_IP.test(host) ? jobNamespace : undefined;
}

function redirect(options: unknown): void {
  if (!options || typeof options !== 'object') return;
  const opts = options as { host?: unknown; port?: unknown };
  if (typeof opts.host !== 'string') return;
  const namespace = namespaceOf(opts.host, Number(opts.port));
  const target = namespace ? TARGETS[Number(opts.port)]?.[namespace] : undefined;
  if (!target) return;
  const [host, port] = target.split(':');
  opts.host = host;
  opts.port = Number(port);
}

// net.connect() hands Socket#connect its normalized arguments as an array; a direct call passes options.
const connect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  redirect(Array.isArray(args[0]) ? args[0][0] : args[0]);
  return connect.apply(this, args);
};
