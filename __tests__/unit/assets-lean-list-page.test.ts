/**
 * Parsing what S3 servers answer, without sockets: ListObjectsV2 pages (parseListPage) and DeleteObjects results
 * (parseDeleteResult), src/assets/lean.ts.
 */
import { parseDeleteResult, parseListPage } from '../../src/assets/lean.js';

describe('parseListPage', () => {
  const page = (contents: string, tail = '<IsTruncated>false</IsTruncated>'): string =>
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>${tail}${contents}</ListBucketResult>`;
  const entry = (key: string, size: number, etag: string): string =>
    `<Contents><Key>${key}</Key><LastModified>2026-11-24T08:18:40.744Z</LastModified><ETag>${etag}</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;

  it('reads keys (XML-unescaped), sizes, ETags and the time each was last written', () => {
    const xml = page(
      entry('p/a &amp; b &lt;1&gt;.js', 12, '&quot;0cc175b9c0f1b6a831c399e269772661&quot;') +
        entry('p/big.mp4', 20_000_000, '"d41d8cd98f00b204e9800998ecf8427e-3"'),
    );
    const lastModified = new Date('2026-11-24T08:18:40.744Z');
    expect(parseListPage(xml)).toEqual({
      objects: [
        { key: 'p/a & b <1>.js', size: 12, etag: '"0cc175b9c0f1b6a831c399e269772661"', lastModified },
        { key: 'p/big.mp4', size: 20_000_000, etag: '"d41d8cd98f00b204e9800998ecf8427e-3"', lastModified },
      ],
      prefixes: [],
      truncated: false,
      nextToken: undefined,
    });
  });

  it("reads the CommonPrefixes of a delimited listing, not the request's own Prefix; a bad date is no date", () => {
    const xml = page(
      '<Contents><Key>p/x.json</Key><LastModified>yesterday</LastModified><Size>2</Size></Contents>' +
        '<CommonPrefixes><Prefix>p/a &amp; b/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>p/c/</Prefix></CommonPrefixes>',
    );
    const parsed = parseListPage(xml);
    expect(parsed.prefixes).toEqual(['p/a & b/', 'p/c/']);
    expect(parsed.objects).toEqual([{ key: 'p/x.json', size: 2, etag: '', lastModified: undefined }]);
  });

  it('reads the continuation of a truncated page, wherever the elements are', () => {
    const xml = page(
      entry('p/a', 1, '"x"'),
      '<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>',
    );
    expect(parseListPage(xml)).toMatchObject({
      truncated: true,
      nextToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    });
    expect(parseListPage(page(''))).toEqual({ objects: [], prefixes: [], truncated: false, nextToken: undefined });
  });

  it('does not take a key named like an element for the element', () => {
    const xml = page(entry('p/<IsTruncated>true</IsTruncated>'.replace(/</g, '&lt;').replace(/>/g, '&gt;'), 1, '"x"'));
    expect(parseListPage(xml)).toMatchObject({
      truncated: false,
      objects: [{ key: 'p/<IsTruncated>true</IsTruncated>' }],
    });
  });

  it('refuses what is not a listing, and entries without a key or a size', () => {
    expect(() => parseListPage('<Error><Code>AccessDenied</Code></Error>')).toThrow(/not a ListBucketResult/);
    expect(() => parseListPage(page('<Contents><Key>p/a</Key></Contents>'))).toThrow(/without a Key or a Size/);
    expect(() => parseListPage(page('<Contents><Size>1</Size></Contents>'))).toThrow(/without a Key or a Size/);
  });
});

describe('parseDeleteResult', () => {
  const result = (inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</DeleteResult>`;

  it('reads the keys that failed, with their code and message (XML-unescaped); deleted ones are not failures', () => {
    const xml = result(
      '<Deleted><Key>p/ok.txt</Key></Deleted><Error><Key>p/a &amp; b.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    );
    expect(parseDeleteResult(xml)).toEqual([{ key: 'p/a & b.txt', code: 'AccessDenied', message: 'Access Denied' }]);
    expect(parseDeleteResult(result('<Deleted><Key>p/ok.txt</Key></Deleted>'))).toEqual([]);
  });

  it('refuses an answer that is not a DeleteResult', () => {
    expect(() => parseDeleteResult('<Error><Code>AccessDenied</Code></Error>')).toThrow('not a DeleteResult');
  });
});
