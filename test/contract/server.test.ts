import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { parseAllDocuments } from 'yaml';
import { buildServer, BODY_LIMIT } from '../../hooks/http/server.js';
import { customResource, FIXED_NOW, syncRequest } from '../support/hook-requests.js';

const nameService = customResource('NameService', 'ns', { size: 1 }, 'mq');

describe('the hook service', () => {
  const app = buildServer({ clock: () => FIXED_NOW });
  afterAll(() => app.close());
  /** POST /render of a YAML stream. */
  const renderYaml = (payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/render', headers: { 'content-type': 'application/yaml', ...headers }, payload });

  it('answers health and readiness probes', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });

  it('counts hook requests and latency per kind, hook and outcome, and render errors', async () => {
    await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(nameService) });
    await app.inject({
      method: 'POST',
      url: '/sync/nameservice',
      payload: syncRequest(customResource('NameService', 'ns', { size: 0 }, 'mq')),
    });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/rocketmq_operator_hook_requests_total\{kind="nameservice",hook="sync",outcome="ok"\} 1/);
    expect(metrics).toMatch(/rocketmq_operator_hook_requests_total\{kind="nameservice",hook="sync",outcome="rejected"\} 1/);
    expect(metrics).toMatch(/rocketmq_operator_hook_duration_seconds_count\{kind="nameservice",hook="sync",outcome="ok"\} 1/);
    expect(metrics).toMatch(/rocketmq_operator_render_errors_total\{kind="nameservice",reason="InvalidSpec"\} 1/);
    expect(metrics).toMatch(/rocketmq_operator_reconcile_total\{kind="nameservice"\} 2/);
    expect(metrics).toMatch(/rocketmq_operator_reconcile_errors_total\{kind="nameservice",reason="InvalidSpec"\} 1/);
  });

  it('counts a reconcile that holds the children for a missing dependency as a reconcile error', async () => {
    const lonelyBroker = customResource('Broker', 'broker', { size: 1 }, 'alone');
    const reply = await app.inject({ method: 'POST', url: '/sync/broker', payload: syncRequest(lonelyBroker) });
    expect(reply.statusCode).toBe(200);
    await app.inject({ method: 'POST', url: '/customize/broker', payload: { parent: lonelyBroker } });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/rocketmq_operator_reconcile_total\{kind="broker"\} 1\n/);
    expect(metrics).toMatch(/rocketmq_operator_reconcile_errors_total\{kind="broker",reason="MissingDependency"\} 1/);
  });

  it('accepts requests far above the default 1 MiB body limit', async () => {
    const filler = 'x'.repeat(8 * 1024 * 1024);
    const parent = { ...nameService, metadata: { ...nameService.metadata, annotations: { filler } } };
    const reply = await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(parent) });
    expect(reply.statusCode).toBe(200);
    expect(BODY_LIMIT).toBe(16 * 1024 * 1024);
  });

  it('refuses a request over the 16 MiB limit with 413 and changes nothing', async () => {
    const filler = 'x'.repeat(BODY_LIMIT);
    const parent = { ...nameService, metadata: { ...nameService.metadata, annotations: { filler } } };
    const reply = await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(parent) });
    expect(reply.statusCode).toBe(413);
  });

  it('never strips or coerces fields of the objects it is sent', async () => {
    const observed = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'ns', namespace: 'mq' },
      spec: {
        podManagementPolicy: 'OrderedReady',
        selector: { matchLabels: { app: 'name_service', name_service_cr: 'ns' } },
        template: {},
        unknownField: 1,
      },
    };
    const reply = await app.inject({
      method: 'POST',
      url: '/sync/nameservice',
      payload: syncRequest(nameService, { children: [observed] }),
    });
    const sts = reply.json().children.find((c: { kind: string }) => c.kind === 'StatefulSet');
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
  });

  it('renders a YAML stream to a JSON List, and to YAML when asked', async () => {
    const manifest = 'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ns}\nspec: {size: 2}\n';
    const json = await renderYaml(manifest);
    expect(json.statusCode).toBe(200);
    expect(json.json().items.map((i: { kind: string }) => i.kind)).toEqual(['Service', 'StatefulSet', 'PodDisruptionBudget']);
    const yaml = await renderYaml(manifest, { accept: 'application/yaml' });
    expect(yaml.headers['content-type']).toMatch(/yaml/);
    expect(parseAllDocuments(yaml.body).map((d: any) => d.toJS().metadata.namespace)).toEqual(['default', 'default', 'default']);
  });

  it('names unknown fields in Warning headers and reports every failing resource', async () => {
    const manifests = [
      'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ok}\nspec: {size: 1, sise: 2}\n',
      'apiVersion: rocketmq.apache.org/v1alpha1\nkind: Broker\nmetadata: {name: b}\nspec: {nameServers: "1.2.3.4"}\n',
    ].join('---\n');
    const reply = await renderYaml(manifests);
    expect(reply.statusCode).toBe(422);
    expect(reply.headers.warning).toEqual([
      '299 - "NameService default/ok: spec.sise is not a field of NameService; the API server would drop it"',
    ]);
    const body = reply.json();
    expect(body.details).toEqual([expect.stringMatching(/^spec.nameServers: must be a list "host:port;host:port"/)]);
  });

  it('writes unknown field names outside printable ASCII into Warning headers as \\u escapes', async () => {
    const reply = await renderYaml(
      'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ok}\nspec: {"grö\\u00dfe\\u4e2d\\x01": 2}\n',
    );
    expect(reply.statusCode).toBe(200);
    expect(reply.headers.warning).toEqual([
      '299 - "NameService default/ok: spec.gr\\u00f6\\u00dfe\\u4e2d\\u0001 is not a field of NameService; the API server would drop it"',
    ]);
  });

  it('renders a JSON custom resource too', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/render',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(nameService),
    });
    expect(reply.json().items).toHaveLength(3);
  });

  it('answers a render of an invalid resource with 422 and unparseable text with 400', async () => {
    const invalid = await renderYaml(
      'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ns}\nspec: {size: 0}\n',
    );
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().details).toEqual(['spec.size: must be >= 1']);
    const broken = await renderYaml('kind: [');
    expect(broken.statusCode).toBe(400);
    const twice = await renderYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1", a: "2"}\n');
    expect(twice.statusCode).toBe(400);
    expect(twice.json().message).toMatch(/the key "a" is given twice/);
  });

  it('refuses a stream of more lines and list items than a few clusters have, before parsing it', async () => {
    const many = await renderYaml(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nx: [${'1,'.repeat(20000)}1]\n`);
    expect(many.statusCode).toBe(400);
    expect(many.json().message).toMatch(/^the manifests have more than 8192 lines and list items/);
    const blockLines = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${Array.from({ length: 9000 }, (_, i) => `  k${i}: v`).join('\n')}\n`;
    expect((await renderYaml(blockLines)).statusCode).toBe(400);
    const fewer = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${Array.from({ length: 500 }, (_, i) => `  k${i}: v`).join('\n')}\n`;
    expect((await renderYaml(fewer)).statusCode).toBe(200);
  });

  it('refuses brackets nested thousands deep before parsing, even after an apostrophe or a comment', async () => {
    const deep = '{a: '.repeat(10000) + '1' + '}'.repeat(10000);
    const quotedBrackets = `a: "${'['.repeat(100)}"\nb: '${'{'.repeat(100)}'\n`;
    for (const before of ["note: it's plain text", "# it's a comment", 'note: plain']) {
      const reply = await renderYaml(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n${before}\ndata: ${deep}\n`);
      expect(reply.statusCode).toBe(400);
      expect(reply.json().message).toBe('the manifests nest more than 64 levels deep');
    }
    const quoted = await renderYaml(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  ${quotedBrackets.replace('\nb', '\n  b')}`,
    );
    expect(quoted.statusCode).toBe(200);
  });
});

describe('the running service', () => {
  it("keeps idle connections longer than Metacontroller's client (90 s) and logs JSON lines", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(...String(chunk).trim().split('\n'));
        done();
      },
    });
    const app = buildServer({ clock: () => FIXED_NOW, logger: { level: 'info', stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    expect(app.server.keepAliveTimeout).toBeGreaterThan(90_000);
    await app.inject({
      method: 'POST',
      url: '/sync/nameservice',
      payload: syncRequest(customResource('NameService', 'ns', { size: 0 }, 'mq')),
    });
    await app.close();
    const records = lines.map((line) => JSON.parse(line));
    expect(records.find((r) => r.msg === 'request completed')).toMatchObject({ level: 30, res: { statusCode: 422 } });
    expect(records.find((r) => r.level === 40)?.msg).toMatch(/NameService ns is invalid: spec.size: must be >= 1/);
  });
});

describe('graceful shutdown', () => {
  it('finishes a request that is in flight when the server closes, and reports not ready meanwhile', async () => {
    const app = buildServer({ clock: () => FIXED_NOW });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const body = JSON.stringify(syncRequest(nameService));
    const reply = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/sync/nameservice',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      // Half the body now, the rest only after close() has begun.
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 200);
    });
    await new Promise((r) => setTimeout(r, 50));
    app.beginShutdown();
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    const closed = app.close();
    expect(await reply).toBe(200);
    await closed;
  });
});
