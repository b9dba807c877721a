import { RemotingClient } from '../../hooks/rocketmq/client.js';
import { encodeCommand } from '../../hooks/rocketmq/codec.js';
import { RemotingConnection } from '../../hooks/rocketmq/connection.js';
import { RemotingConnectionError, RemotingFrameError, RemotingResponseError, RemotingTimeoutError } from '../../hooks/rocketmq/errors.js';
import { closedAddress, respond, responseFrame, startFakeServer, type FakeRequest, type FakeServer } from './fake-server.js';

let server: FakeServer | undefined;
let connection: RemotingConnection | undefined;

afterEach(async () => {
  connection?.close();
  connection = undefined;
  await server?.close();
  server = undefined;
});

const echo = (request: FakeRequest): void => respond(request, { body: `reply to ${request.extFields?.n ?? request.opaque}` });

describe('a remoting connection', () => {
  it('matches replies to requests by opaque when they come back in reverse order', async () => {
    const held: FakeRequest[] = [];
    server = await startFakeServer((request) => {
      held.push(request);
      if (held.length === 3) for (const r of held.reverse()) echo(r);
    });
    connection = new RemotingConnection(server.address);
    const replies = await Promise.all(['a', 'b', 'c'].map((n) => connection!.invoke({ code: 106, extFields: { n } }, 2000)));
    expect(replies.map((r) => r.body?.toString())).toEqual(['reply to a', 'reply to b', 'reply to c']);
    expect(new Set(server.requests.map((r) => r.opaque)).size).toBe(3);
    expect(server.connections).toBe(1);
  });

  it('reads replies merged into one write and replies split into single bytes', async () => {
    const held: FakeRequest[] = [];
    server = await startFakeServer((request) => {
      held.push(request);
      if (held.length < 3) return;
      const [first, second, third] = held;
      first.socket.write(Buffer.concat([responseFrame(first, { body: 'one' }), responseFrame(second, { body: 'two' })]));
      const bytes = responseFrame(third, { body: 'three' });
      let i = 0;
      const drip = setInterval(() => {
        third.socket.write(bytes.subarray(i, i + 1));
        if (++i >= bytes.length) clearInterval(drip);
      }, 0);
    });
    connection = new RemotingConnection(server.address);
    const replies = await Promise.all([1, 2, 3].map(() => connection!.invoke({ code: 26 }, 5000)));
    expect(replies.map((r) => r.body?.toString())).toEqual(['one', 'two', 'three']);
  });

  it('times out a request the server never answers, and ignores the late reply', async () => {
    let first: FakeRequest | undefined;
    server = await startFakeServer((request) => {
      if (!first) first = request;
      else echo(request);
    });
    connection = new RemotingConnection(server.address);
    const started = Date.now();
    const error = await connection.invoke({ code: 208 }, 150).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemotingTimeoutError);
    expect(error).toMatchObject({ requestCode: 208, timeoutMs: 150, address: server.address });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    respond(first!, { body: 'too late' });
    const next = await connection.invoke({ code: 106, extFields: { n: 'next' } }, 2000);
    expect(next.body?.toString()).toBe('reply to next');
  });

  it('fails the requests of a connection the server closes, and reconnects for the next one', async () => {
    server = await startFakeServer((request) => {
      if (request.connection === 0) request.socket.destroy();
      else echo(request);
    });
    connection = new RemotingConnection(server.address);
    const error = await connection.invoke({ code: 17 }, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemotingConnectionError);
    expect((error as Error).message).toContain('closed before the reply to request 17');
    const reply = await connection.invoke({ code: 17, extFields: { n: 'again' } }, 2000);
    expect(reply.body?.toString()).toBe('reply to again');
    expect(server.connections).toBe(2);
  });

  it('reconnects transparently after the server dropped an idle connection', async () => {
    server = await startFakeServer((request) => {
      echo(request);
      // Like the server's idle timeout: the connection goes away after the exchange.
      if (request.connection === 0) setTimeout(() => request.socket.destroy(), 10);
    });
    connection = new RemotingConnection(server.address);
    expect((await connection.invoke({ code: 106, extFields: { n: '1' } }, 2000)).body?.toString()).toBe('reply to 1');
    await new Promise((r) => setTimeout(r, 100));
    expect((await connection.invoke({ code: 106, extFields: { n: '2' } }, 2000)).body?.toString()).toBe('reply to 2');
    expect(server.connections).toBe(2);
  });

  it('repeats once, on a new connection, a request whose reused connection closed without a reply', async () => {
    server = await startFakeServer((request) => {
      // The idle close races with the second request: it arrives, then the socket goes.
      if (request.connection === 0 && server!.requests.length === 2) request.socket.destroy();
      else echo(request);
    });
    connection = new RemotingConnection(server.address);
    await connection.invoke({ code: 106, extFields: { n: '1' } }, 2000);
    const reply = await connection.invoke({ code: 106, extFields: { n: '2' } }, 2000);
    expect(reply.body?.toString()).toBe('reply to 2');
    expect(server.requests.map((r) => [r.connection, r.extFields?.n])).toEqual([
      [0, '1'],
      [0, '2'],
      [1, '2'],
    ]);
  });

  it('drops the connection on an oversized frame and reports it', async () => {
    server = await startFakeServer((request) => {
      const length = Buffer.alloc(8);
      length.writeUInt32BE(64 * 1024 * 1024 + 1, 0);
      request.socket.write(length);
    });
    connection = new RemotingConnection(server.address, { maxFrameBytes: 16 * 1024 * 1024 });
    const error = await connection.invoke({ code: 21 }, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemotingFrameError);
    expect((error as Error).message).toMatch(/exceeds the limit of 16777216 bytes/);
  });

  it('refuses to send a request larger than the frame limit', async () => {
    server = await startFakeServer(echo);
    connection = new RemotingConnection(server.address, { maxFrameBytes: 1024 });
    await expect(connection.invoke({ code: 18, body: Buffer.alloc(2000) }, 1000)).rejects.toThrow(
      /request 18 of 2\d{3} bytes exceeds the frame limit of 1024 bytes/,
    );
    expect(server.connections).toBe(0);
  });

  it('ignores requests sent by the server and replies nobody waits for', async () => {
    server = await startFakeServer((request) => {
      // A server-initiated request (flag 0) carrying the same opaque, then a stray reply.
      request.socket.write(encodeCommand({ code: 40, opaque: request.opaque, flag: 0, body: Buffer.from('not for you') }));
      request.socket.write(responseFrame({ ...request, opaque: 999 }, { body: 'stray' }));
      echo(request);
    });
    connection = new RemotingConnection(server.address);
    const reply = await connection.invoke({ code: 106, extFields: { n: 'real' } }, 2000);
    expect(reply.code).toBe(0);
    expect(reply.body?.toString()).toBe('reply to real');
  });

  it('reports a refused connection with the address', async () => {
    const address = await closedAddress();
    connection = new RemotingConnection(address);
    const error = await connection.invoke({ code: 106 }, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemotingConnectionError);
    expect(error).toMatchObject({ address });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('rejects an address without a port', async () => {
    await expect(new RemotingConnection('localhost').invoke({ code: 1 }, 100)).rejects.toThrow(/invalid address "localhost"/);
  });
});

describe('the remoting client', () => {
  it('turns a non-zero code into an error with code, remark, request code and address', async () => {
    server = await startFakeServer((request) => respond(request, { code: 16, remark: 'Can not update config in black list.' }));
    const client = new RemotingClient();
    try {
      const error = await client.call(server.address, 25, { body: 'brokerConfigPath=/x\n' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemotingResponseError);
      expect(error).toMatchObject({ code: 16, remark: 'Can not update config in black list.', requestCode: 25, address: server.address });
      expect((error as Error).message).toBe(`request 25 to ${server.address} failed with code 16: Can not update config in black list.`);
      const accepted = await client.call(server.address, 25, { accept: [16] });
      expect(accepted.code).toBe(16);
    } finally {
      client.close();
    }
  });

  it('keeps one connection per address', async () => {
    server = await startFakeServer(echo);
    const client = new RemotingClient();
    try {
      await Promise.all(Array.from({ length: 20 }, (_, n) => client.call(server!.address, 106, { extFields: { n } })));
      expect(server.connections).toBe(1);
    } finally {
      client.close();
    }
  });
});
