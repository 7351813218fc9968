/**
 * A DNS server for tests on a 127.0.0.1 UDP port: A records from a table (`*.domain` entries match any one label),
 * NXDOMAIN for any other name, an empty answer for other types of a known name. Only what a resolver's resolve4 and
 * resolve6 need: one question per query, no TCP, no recursion. `close()` stops it.
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface DnsServer {
  /** `127.0.0.1:<port>`, for dns.Resolver#setServers or --dns-server. */
  address: string;
  /** Replaces the table: name (or `*.domain`) → IPv4 addresses. */
  setRecords(records: Record<string, string[]>): void;
  close(): Promise<void>;
}

/** The question's name and where the question ends. */
function question(msg: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i] !== 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString('ascii'));
    i += 1 + msg[i];
  }
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

function lookup(records: Record<string, string[]>, name: string): string[] | undefined {
  return records[name] ?? records[`*.${name.split('.').slice(1).join('.')}`];
}

function answer(query: Buffer, records: Record<string, string[]>): Buffer {
  const q = question(query);
  const found = lookup(records, q.name);
  const addresses = found && q.type === 1 ? found : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(found ? 0x8180 : 0x8183, 2); // response, recursion available; rcode 3: NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records_ = addresses.map((a) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(1, 2); // A
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(4, 10);
    a.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
    return rr;
  });
  return Buffer.concat([header, query.subarray(12, q.end), ...records_]);
}

export async function startDns(initial: Record<string, string[]> = {}): Promise<DnsServer> {
  let records = initial;
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    try {
      socket.send(answer(msg, records), from.port, from.address);
    } catch {
      // a query this server cannot parse gets no answer, as from a server that dropped it
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.unref();
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setRecords: (r) => (records = r),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
