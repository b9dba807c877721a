// A scriptable TCP server speaking the remoting framing, for faults a real broker will not produce
// on demand (never answering, closing mid-request, replies out of order, oversized frames).
import net from 'node:net';
import { decodeFrame, encodeCommand, FrameReader, type RemotingCommand } from '../../hooks/rocketmq/codec.js';

export interface FakeRequest extends RemotingCommand {
  /** Which accepted connection (0, 1, ...) the request came in on. */
  connection: number;
  socket: net.Socket;
}

export interface FakeServer {
  address: string;
  requests: FakeRequest[];
  connections: number;
  close(): Promise<void>;
}

export function responseFrame(
  request: RemotingCommand,
  reply: { code?: number; remark?: string; body?: Buffer | string; extFields?: Record<string, string>; version?: number } = {},
): Buffer {
  return encodeCommand({
    code: reply.code ?? 0,
    version: reply.version,
    opaque: request.opaque,
    flag: 1,
    remark: reply.remark,
    extFields: reply.extFields,
    body: typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body,
  });
}

export function respond(request: FakeRequest, reply: Parameters<typeof responseFrame>[1] = {}): void {
  request.socket.write(responseFrame(request, reply));
}

export async function startFakeServer(onRequest: (request: FakeRequest, server: FakeServer) => void): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const state: FakeServer = { address: '', requests: [], connections: 0, close: async () => undefined };
  const server = net.createServer((socket) => {
    const connection = state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        const request: FakeRequest = { ...decodeFrame(frame), connection, socket };
        state.requests.push(request);
        onRequest(request, state);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** An address nothing listens on. */
export async function closedAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
