/**
 * A tiny round-robin TCP balancer on a free 127.0.0.1 port, for running several replicas of a service behind one
 * URL (deploy/edge/nginx.conf takes a single WAKER_URL). Each incoming connection goes to the next target in turn,
 * bytes forwarded untouched both ways; when a target refuses the connection (a replica that is down), the next one is
 * tried, as a load balancer with health checks or nginx's `proxy_next_upstream error` would. nginx opens one
 * connection per request to the service (no upstream keep-alive), so requests alternate between the targets.
 *
 * `served` records which target took each connection. `close()` stops listening and ends every open connection.
 */
import * as net from 'node:net';

export interface Balancer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The target (as given) of every connection forwarded so far, in the order they were accepted. */
  served: string[];
  /** Replaces target `index` (a restarted replica listening elsewhere). */
  setTarget(index: number, url: string): void;
  close(): Promise<void>;
}

/** `targets`: base URLs (`http://host:port`) or `host:port`. */
export async function startBalancer(targets: string[]): Promise<Balancer> {
  if (targets.length === 0) throw new Error('startBalancer: no targets');
  const current = [...targets];
  const served: string[] = [];
  const sockets = new Set<net.Socket>();
  let turn = 0;

  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };

  const endpoint = (target: string) => {
    const u = new URL(target.includes('://') ? target : `tcp://${target}`);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
  };

  const server = net.createServer((client) => {
    track(client);
    client.pause();
    let closed = false;
    client.on('error', () => undefined);
    client.on('close', () => (closed = true));
    const first = turn++ % current.length;
    const attempt = (k: number) => {
      if (closed) return;
      if (k >= current.length) return void client.destroy();
      const target = current[(first + k) % current.length];
      const upstream = net.connect(endpoint(target));
      track(upstream);
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        if (closed) return void upstream.destroy();
        served.push(target);
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.resume();
      });
      upstream.on('error', () => {
        if (!connected) attempt(k + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served,
    setTarget(index, url) {
      if (index < 0 || index >= current.length) throw new Error(`setTarget: no target ${index}`);
      current[index] = url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
