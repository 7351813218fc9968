/**
 * The bucket, its region and the Cache-Control values of the asset sync. Bucket names follow AWS's rules for
 * general purpose buckets (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), the strictest
 * of the S3-compatible stores, so a configuration keeps working when the store changes.
 */
import { CONTROL, InputError, show, type Read } from './errors.js';

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function bucketProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return `is ${bucket.length} characters; a bucket name has 3 to 63`;
  if (!/^[a-z0-9.-]+$/.test(bucket)) return "has characters other than lowercase letters, digits, '.' and '-'";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) return 'must start and end with a letter or digit';
  if (bucket.includes('..')) return 'has two adjacent periods';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'is formatted as an IP address';
  const prefix = RESERVED_PREFIXES.find((p) => bucket.startsWith(p));
  if (prefix) return `starts with '${prefix}', which S3 reserves`;
  const suffix = RESERVED_SUFFIXES.find((s) => bucket.endsWith(s));
  if (suffix) return `ends with '${suffix}', which S3 reserves`;
  return undefined;
}

export function bucket(read: Read): string {
  const value = read('bucket');
  const problem = value ? bucketProblem(value) : undefined;
  if (problem)
    throw new InputError(
      'bucket',
      `${show(value)} ${problem}; S3 bucket names are 3 to 63 lowercase letters, digits, '.' and '-', like 'previews'`,
    );
  return value;
}

/** AWS region names: area, place, number (us-east-1, us-gov-west-1, eusc-de-east-1). */
const AWS_REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** S3-compatible stores name regions freely ('auto' on R2, a zonegroup on Ceph); the SDK signs with it and may put it in a host name. */
const OTHER_REGION = /^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

export function region(read: Read, customEndpoint: boolean): string {
  const value = read('s3-region') || 'us-east-1';
  if (customEndpoint && !OTHER_REGION.test(value)) {
    throw new InputError(
      's3-region',
      `${show(value)} is not a region name: up to 63 letters, digits, '-' and '_', like 'us-east-1' or 'auto'`,
    );
  }
  if (!customEndpoint && !AWS_REGION.test(value)) {
    throw new InputError(
      's3-region',
      `${show(value)} is not an AWS region like 'us-east-1' or 'eu-central-1'; for another S3-compatible store set 's3-endpoint' too`,
    );
  }
  return value;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const DIRECTIVE = `${TOKEN}(?:=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))?`;
/** RFC 9111 section 5.2: `1#cache-directive`, each `token [ "=" ( token / quoted-string ) ]`. */
const CACHE_CONTROL = new RegExp(`^${DIRECTIVE}(?:[ \\t]*,[ \\t]*${DIRECTIVE})*$`);

/** A Cache-Control header value. A line break here would let the value write headers of its own. */
export function cacheControl(read: Read, name: string, fallback: string): string {
  const value = read(name) || fallback;
  const hint = "use comma-separated directives, like 'no-cache' or 'public, max-age=31536000, immutable'";
  if (CONTROL.test(value))
    throw new InputError(
      name,
      `${show(value)} has a line break or other control character; a header value is one line, ${hint}`,
    );
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new InputError(name, `${show(value)} has characters outside printable ASCII; ${hint}`);
  if (value.length > 1024) throw new InputError(name, `is ${value.length} characters; at most 1024`);
  if (!CACHE_CONTROL.test(value))
    throw new InputError(name, `${show(value)} is not a list of Cache-Control directives; ${hint}`);
  return value;
}
