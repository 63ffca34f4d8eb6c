import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real node:http server on 127.0.0.1 that counts its sockets. */
export interface TestServer {
  url: string;
  port: number;
  /** Sockets open now, ever accepted, and the most open at once. */
  sockets: { open: number; total: number; max: number };
  close(): Promise<void>;
}

export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  const sockets = { open: 0, total: 0, max: 0 };
  server.on('connection', (socket) => {
    sockets.total++;
    sockets.open++;
    sockets.max = Math.max(sockets.max, sockets.open);
    socket.on('close', () => sockets.open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads a request body as text. */
export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Polls `check` every few ms until it is true (at most `ms`); for server-side counts that settle asynchronously. */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** An echo handler: answers JSON describing the request it got. */
export const echo: http.RequestListener = async (req, res) => {
  const body = await readBody(req);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
};
