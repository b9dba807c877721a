// The proxy's rmq-proxy.json: what the operator decides (cluster, name servers, mode, ports), then
// the user's spec.config, whose values are written with the JSON types the proxy's fields have.
import { PROXY_AUTH_SETTINGS } from '../rocketmq-pods/acl.js';
import { PROXY_PORTS } from './names.js';

export interface ProxyConfigInput {
  clusterName: string;
  nameServers: string;
  userConfig?: Record<string, string>;
  /** Authenticate clients, and sign requests to the brokers with the account the start command adds. */
  acl?: boolean;
}

/** Integers a JSON reader takes exactly; longer digit strings stay strings (the proxy's reader converts them). */
const INTEGER = /^-?(0|[1-9][0-9]{0,14})$/;

/** "true", "false" and integers become JSON booleans and numbers; everything else stays a string. */
function jsonValue(value: string): string | number | boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  return INTEGER.test(value) ? Number(value) : value;
}

/**
 * The settings of rmq-proxy.json. The CRD refuses user keys the operator sets, so the operator's
 * entries come first and none is overwritten; the authentication settings come last and win.
 */
export function proxyConfig({ clusterName, nameServers, userConfig = {}, acl }: ProxyConfigInput): Record<string, unknown> {
  const user = Object.keys(userConfig)
    .sort()
    .map((key) => [key, jsonValue(userConfig[key])]);
  return {
    rocketMQClusterName: clusterName,
    namesrvAddr: nameServers,
    proxyMode: 'cluster',
    remotingListenPort: PROXY_PORTS.remoting,
    grpcServerPort: PROXY_PORTS.grpc,
    ...Object.fromEntries(user),
    ...(acl ? PROXY_AUTH_SETTINGS : {}),
  };
}

/** The file's text: indented, with a final newline. */
export function proxyConfigText(input: ProxyConfigInput): string {
  return `${JSON.stringify(proxyConfig(input), null, 2)}\n`;
}
