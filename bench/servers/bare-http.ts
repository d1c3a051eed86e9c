// Bench baseline: node:http doing the same work as the trivial function (JSON answer).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import './memory-probe.js';

const server = createServer((req, res) => {
  if (req.url === '/api/trivial') {
    const body = JSON.stringify({ ok: true });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  } else {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
