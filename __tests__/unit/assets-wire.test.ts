/**
 * Parsing what S3 servers answer, without sockets: HTTP/1.1 answers (ResponseParser, src/assets/http1.ts) fed in
 * every split a network can produce, and ListObjectsV2 pages (parseListPage, src/assets/lean.ts).
 */
import { ProtocolError, ResponseParser } from '../../src/assets/http1.js';
import { parseListPage } from '../../src/assets/lean.js';

/** Feeds `wire` in pieces of `size` bytes; returns the parser once it says the answer is complete (or at the end). */
function feed(wire: string | Buffer, size: number, method = 'PUT', maxBody?: number): ResponseParser {
  const bytes = Buffer.isBuffer(wire) ? wire : Buffer.from(wire, 'latin1');
  const p = new ResponseParser(method, maxBody);
  for (let at = 0; at < bytes.length && !p.done; at += size) p.feed(bytes.subarray(at, at + size));
  return p;
}

const SPLITS = [1, 2, 3, 7, 64, 100_000];

describe('ResponseParser', () => {
  const lengthAnswer = 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nX-Amz-Request-Id: tx1\r\nContent-Length: 11\r\n\r\n<Error/>abc';
  for (const size of SPLITS) {
    it(`reads a Content-Length answer split every ${size} byte(s)`, () => {
      const p = feed(lengthAnswer, size);
      expect(p.done).toBe(true);
      expect(p.response()).toEqual({ status: 403, headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'tx1', 'content-length': '11' }, body: Buffer.from('<Error/>abc') });
      expect(p.keepAlive).toBe(true);
    });

    it(`reads a chunked answer with extensions and trailers, split every ${size} byte(s)`, () => {
      const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
      const p = feed(wire, size);
      expect(p.done).toBe(true);
      expect(p.response().body.toString()).toBe('hello world');
      expect(p.keepAlive).toBe(true);
      expect(p.extra).toBe(0);
    });
  }

  it('skips interim answers (100 Continue) and reads the final one', () => {
    const p = feed('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nETag: "x"\r\nContent-Length: 0\r\n\r\n', 5);
    expect(p.done).toBe(true);
    expect(p.response()).toMatchObject({ status: 200, headers: { etag: '"x"' } });
  });

  it('joins repeated headers and lower-cases names', () => {
    const p = feed('HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a:  2 \r\nContent-Length: 0\r\n\r\n', 100);
    expect(p.response().headers).toEqual({ 'x-a': '1, 2', 'content-length': '0' });
  });

  it('an answer without length runs to the end of the connection and ends keep-alive', () => {
    const p = feed('HTTP/1.1 200 OK\r\n\r\npartial', 3);
    expect(p.done).toBe(false);
    p.end();
    expect(p.done).toBe(true);
    expect(p.response().body.toString()).toBe('partial');
    expect(p.keepAlive).toBe(false);
  });

  it('Connection: close and HTTP/1.0 end keep-alive; bytes after the answer are counted', () => {
    expect(feed('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', 9).keepAlive).toBe(false);
    expect(feed('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', 9).keepAlive).toBe(false);
    const extra = new ResponseParser('PUT');
    extra.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200'));
    expect(extra.done).toBe(true);
    expect(extra.extra).toBe('HTTP/1.1 200'.length);
  });

  it('204 and HEAD answers have no body whatever their headers say', () => {
    expect(feed('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', 4).done).toBe(true);
    expect(feed('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 4, 'HEAD').done).toBe(true);
  });

  it('a connection closed before the answer is complete is a reset', () => {
    const p = feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 100);
    expect(() => p.end()).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
    expect(() => feed('HTTP/1.1 200', 100).end()).toThrow(/closed the connection before its answer was complete/);
  });

  const malformed: [string, string | Buffer, RegExp][] = [
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', /not an HTTP\/1\.x answer/],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n', /malformed header line/],
    ['a header name with spaces', 'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n', /malformed header line/],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /invalid Content-Length/],
    ['an invalid chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size/],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', /longer than its size/],
    ['an unasked protocol switch', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /switched protocols/],
    ['a head over 64 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`, /head is over 65536 bytes/],
  ];
  for (const [what, wire, error] of malformed) {
    it(`refuses ${what}`, () => {
      expect(() => feed(wire, 1000)).toThrow(error);
      expect(() => feed(wire, 1000)).toThrow(ProtocolError);
    });
  }

  it('refuses a body over maxBody, however it is framed', () => {
    expect(() => feed('HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n' + 'x'.repeat(20), 7, 'GET', 10)).toThrow(/body is over 10 bytes/);
    expect(() => feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n' + 'x'.repeat(20) + '\r\n0\r\n\r\n', 7, 'GET', 10)).toThrow(/body is over 10 bytes/);
  });
});

describe('parseListPage', () => {
  const page = (contents: string, tail = '<IsTruncated>false</IsTruncated>'): string =>
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>${tail}${contents}</ListBucketResult>`;
  const entry = (key: string, size: number, etag: string): string =>
    `<Contents><Key>${key}</Key><LastModified>2026-11-24T08:18:40.744Z</LastModified><ETag>${etag}</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;

  it('reads keys (XML-unescaped), sizes and ETags', () => {
    const xml = page(entry('p/a &amp; b &lt;1&gt;.js', 12, '&quot;0cc175b9c0f1b6a831c399e269772661&quot;') + entry('p/big.mp4', 20_000_000, '"d41d8cd98f00b204e9800998ecf8427e-3"'));
    expect(parseListPage(xml)).toEqual({
      objects: [
        { key: 'p/a & b <1>.js', size: 12, etag: '"0cc175b9c0f1b6a831c399e269772661"' },
        { key: 'p/big.mp4', size: 20_000_000, etag: '"d41d8cd98f00b204e9800998ecf8427e-3"' },
      ],
      truncated: false,
      nextToken: undefined,
    });
  });

  it('reads the continuation of a truncated page, wherever the elements are', () => {
    const xml = page(entry('p/a', 1, '"x"'), '<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>');
    expect(parseListPage(xml)).toMatchObject({ truncated: true, nextToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=' });
    expect(parseListPage(page(''))).toEqual({ objects: [], truncated: false, nextToken: undefined });
  });

  it('does not take a key named like an element for the element', () => {
    const xml = page(entry('p/<IsTruncated>true</IsTruncated>'.replace(/</g, '&lt;').replace(/>/g, '&gt;'), 1, '"x"'));
    expect(parseListPage(xml)).toMatchObject({ truncated: false, objects: [{ key: 'p/<IsTruncated>true</IsTruncated>' }] });
  });

  it('refuses what is not a listing, and entries without a key or a size', () => {
    expect(() => parseListPage('<Error><Code>AccessDenied</Code></Error>')).toThrow(/not a ListBucketResult/);
    expect(() => parseListPage(page('<Contents><Key>p/a</Key></Contents>'))).toThrow(/without a Key or a Size/);
    expect(() => parseListPage(page('<Contents><Size>1</Size></Contents>'))).toThrow(/without a Key or a Size/);
  });
});
