#!/usr/bin/env node
// The lab's stand-in for docker-proxy, which publishes a kind node's API server port on
// the host's loopback: listens on 127.0.0.1 (port from argv, 0 = any), prints
// `listening PORT`, and pipes each connection to TARGET_HOST:TARGET_PORT. It exits when
// its parent (the test) goes away, so a killed test leaves no proxy behind.
import { connect, createServer } from 'node:net';

const [listenPort = '0', target = ''] = process.argv.slice(2);
const i = target.lastIndexOf(':');
const host = target.slice(0, i);
const port = Number(target.slice(i + 1));
if (!host || !port) {
  process.stderr.write('usage: docker-proxy.mjs LISTEN_PORT TARGET_HOST:TARGET_PORT\n');
  process.exit(2);
}
const server = createServer((client) => {
  const upstream = connect({ host, port });
  upstream.setTimeout(10_000, () => upstream.destroy());
  upstream.once('connect', () => upstream.setTimeout(0));
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.once('error', close);
  upstream.once('error', close);
  client.once('close', close);
  upstream.once('close', close);
});
server.listen(Number(listenPort), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
process.stdin.once('error', () => process.exit(0));
