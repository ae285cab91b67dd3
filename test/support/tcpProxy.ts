// A TCP forwarder that can freeze the connections open through it: nothing passes any more, but
// nothing is closed either (a half-open link, as after a network partition). New connections made
// after the freeze pass normally. Used to show the change stream notices a stalled binlog stream.
import * as net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  freeze(): void;
  close(): Promise<void>;
}

export async function startProxy(host: string, port: number): Promise<TcpProxy> {
  const pairs: { client: net.Socket; upstream: net.Socket }[] = [];
  const frozen: { client: net.Socket; upstream: net.Socket }[] = [];
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(port, host);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    pairs.push({ client, upstream });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    freeze() {
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      frozen.push(...pairs.splice(0));
    },
    async close() {
      for (const { client, upstream } of [...pairs.splice(0), ...frozen.splice(0)]) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
