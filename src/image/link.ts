/**
 * The `Link: <…>; rel="next"` header that pages a registry's tag list (distribution spec; RFC 8288). Registries send
 * a path (`</v2/app/tags/list?last=b&n=100>`), some a whole URL: both are references resolved against the URL of the
 * page that carried them. The next page must be on the registry's own origin, because the request carries the
 * registry credentials: a link elsewhere is an error, never followed.
 */
import { sanitize } from '../text/untrusted.js';

/** The target of the first link whose `rel` includes `next`, as written; undefined when there is none. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
  for (const m of text.matchAll(/<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*(?:=\s*(?:"[^"]*"|[^;,\s]*))?)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(m[2]);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1];
  }
  return undefined;
}

/** The next page's URL, resolved against the current page; throws when it leaves the registry's origin. */
export function nextPageUrl(link: string, current: URL, registry: URL, what: string): URL {
  let next: URL;
  try {
    next = new URL(link, current);
  } catch {
    throw new Error(`${what}: the Link header's next page '${sanitize(link, { max: 200 })}' is not a URL`);
  }
  if (next.origin !== registry.origin) {
    throw new Error(
      `${what}: the Link header sends the next page to ${next.origin}, not to the registry ${registry.origin}; refusing to send the registry credentials there`,
    );
  }
  // Credentials come from the inputs, never from a link.
  next.username = '';
  next.password = '';
  return next;
}
