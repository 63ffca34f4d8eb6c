// The server the http-client workload's systems all talk to: a bare node:http server on a
// free loopback port, in a process of its own so that it does not share the client's thread.
// Prints `PORT <n>` once listening; exits when its stdin closes (its parent is gone).
import http from 'node:http';

const body = Buffer.from('ok');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
