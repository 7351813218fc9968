/**
 * Where a visitor may be sent back to after signing in: only a preview host directly under the preview domain, on
 * the edge's own scheme and port. Anything else (another domain, a look-alike suffix, credentials in the URL, a
 * scheme-relative or javascript: URL, the sign-in host itself) is refused, so the sign-in host is no open redirect.
 */
import { previewFromHost } from '../naming.js';

export interface PublicOrigin {
  /** 'https:' in production; 'http:' only for a local edge. */
  protocol: 'https:' | 'http:';
  domain: string;
  /** '' for the scheme's default port. */
  port: string;
}

/** The sign-in host: one fixed host, so one callback URL serves every preview. */
export function loginHost(o: PublicOrigin): string {
  return `login.${o.domain}${o.port ? `:${o.port}` : ''}`;
}

/** The preview name of a host `<name>.<domain>` (the edge's rule), never the sign-in host. */
export function previewOfHost(host: string | undefined, domain: string): string | undefined {
  const name = previewFromHost(host, domain);
  return name === 'login' ? undefined : name;
}

/** `next` as an absolute URL when it is a preview page of this domain; undefined otherwise. */
export function safeNext(next: string | undefined, o: PublicOrigin): string | undefined {
  if (!next) return undefined;
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    return undefined;
  }
  if (url.protocol !== o.protocol || url.username || url.password || url.port !== o.port) return undefined;
  return previewOfHost(url.hostname, o.domain) ? url.href : undefined;
}
