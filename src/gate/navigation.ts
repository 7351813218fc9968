/**
 * Whether a request is a person opening a page (pure): they get pages (sign-in, status), scripts get a status and a
 * line of text. Browsers mark navigations with Sec-Fetch-Mode; an older one is told by a GET asking for HTML.
 */
type Headers = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `method`: the visitor's own (behind nginx's auth_request, X-Original-Method says it). */
export function isNavigation(headers: Headers, method: string): boolean {
  const mode = first(headers['sec-fetch-mode']);
  if (mode) return mode === 'navigate';
  return method === 'GET' && /text\/html/.test(first(headers.accept) ?? '');
}
