// The account of a cluster with spec.acl reaches pods only by reference: whatever the Secret's name
// and values, and even with the Secret itself among the objects a hook is sent, no rendered object
// of any kind holds a value, and every reference names the Secret the Broker's spec gives.
import fc from 'fast-check';
import { brokerHooks } from '../../hooks/broker/hooks.js';
import { consoleHooks } from '../../hooks/console/hooks.js';
import type { KubeObject } from '../../hooks/core/metacontroller.js';
import { proxyHooks } from '../../hooks/proxy/hooks.js';
import { topicTransferHooks } from '../../hooks/topictransfer/hooks.js';
import { ACCESS_KEY, SECRET_KEY } from '../../hooks/rocketmq-pods/acl.js';
import { applyAndSettle } from '../unit/broker/support.js';
import { customResource, FIXED_NOW, syncRequest } from '../support/hook-requests.js';

const settings = { runnerImage: 'registry.example/rocketmq-operator:1.0.0' };
const secretName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/);
/**
 * Printable ASCII, as the start steps accept, after a random tag: a plain run such as seven spaces
 * could occur in any rendered text, a tagged value only if it leaked.
 */
const printable = fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)));
const secretValue = fc
  .tuple(fc.stringMatching(/^[0-9a-f]{8}$/), fc.string({ maxLength: 40, unit: printable }))
  .map(([tag, rest]) => `${tag}${rest}`);

/** Every string in an object, keys included. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

/** Every secretKeyRef in an object. */
function secretRefs(value: unknown, out: { name: string; key: string }[] = []): { name: string; key: string }[] {
  if (Array.isArray(value)) value.forEach((v) => secretRefs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'secretKeyRef') out.push(v as { name: string; key: string });
      else secretRefs(v, out);
    }
  }
  return out;
}

describe('acl credentials in rendered objects', () => {
  it('never holds a Secret value, and references only the Secret the spec names, with its two keys', () => {
    fc.assert(
      fc.property(
        secretName,
        secretValue,
        secretValue,
        fc.constantFrom('apache/rocketmq:5.3.3', 'apache/rocketmq:4.9.7'),
        fc.integer({ min: 1, max: 3 }),
        (name, accessKey, secretKey, image, size) => {
          const secret: KubeObject = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name, namespace: 'default' },
            data: { [ACCESS_KEY]: Buffer.from(accessKey).toString('base64'), [SECRET_KEY]: Buffer.from(secretKey).toString('base64') },
            stringData: { [ACCESS_KEY]: accessKey, [SECRET_KEY]: secretKey },
          };
          const replicaPerGroup = image.endsWith(':4.9.7') ? 0 : 1;
          const spec = { size, replicaPerGroup, brokerImage: image, acl: { enabled: true, adminSecret: name } };
          const broker = customResource('Broker', 'broker', spec);
          const related = [customResource('NameService', 'name-service', { size: 1 }), secret];
          // A running cluster grown by one group, so the metadata-copy Job is rendered too.
          let request = syncRequest(broker, { related });
          request = applyAndSettle(request, brokerHooks.sync(request, FIXED_NOW, settings));
          request = { ...request, parent: { ...request.parent, spec: { ...spec, size: size + 1 } } };
          request = applyAndSettle(request, brokerHooks.sync(request, FIXED_NOW, settings));
          const brokerReply = brokerHooks.sync(request, FIXED_NOW, settings);
          const withBroker = [...related, broker];
          const proxyReply = proxyHooks.sync(
            syncRequest(customResource('Proxy', 'proxy', { size: 1 }), { related: withBroker }),
            FIXED_NOW,
          );
          const consoleSpec = {
            consoleDeployment: { spec: { template: { spec: { containers: [{ name: 'c', image: 'dashboard:2' }] } } } },
          };
          const consoleReply = consoleHooks.sync(
            syncRequest(customResource('Console', 'console', consoleSpec), { related: withBroker }),
            FIXED_NOW,
          );

          const transfer = customResource('TopicTransfer', 'move', { topic: 'T', sourceCluster: 'broker', targetCluster: 'elsewhere' });
          const transferReply = topicTransferHooks.sync(syncRequest(transfer, { related: withBroker }), FIXED_NOW, settings);

          const replies = [brokerReply, proxyReply, consoleReply, transferReply];
          expect(brokerReply.children.some((c) => c.kind === 'Job')).toBe(true);
          for (const text of strings(replies)) {
            expect(text).not.toContain(accessKey);
            expect(text).not.toContain(secretKey);
          }
          const refs = secretRefs(replies);
          // Each broker, the copy Job, the proxy, the dashboard and the transfer Job: two each.
          expect(refs.length).toBeGreaterThanOrEqual(2 * (size + 1 + 1 + 1 + 1 + 1));
          for (const ref of refs) {
            expect(ref.name).toBe(name);
            expect([ACCESS_KEY, SECRET_KEY]).toContain(ref.key);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
