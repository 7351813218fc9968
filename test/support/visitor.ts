/**
 * A browser reduced to what the sign-in gate looks at, for the demo and the tests that need no Chromium: a cookie
 * jar (RFC 6265's domain and path matching, Max-Age; no Expires, no Secure: every URL here is plain HTTP on
 * 127.0.0.1), `Sec-Fetch-Mode` telling a page navigation from a script's fetch, and `Origin` on a form post. Every
 * host is reached on 127.0.0.1 at the URL's port, as browsers resolve `*.localhost`. Redirects are not followed:
 * the caller follows them, so that each hop can be shown and checked; `history` keeps them all.
 */
import { request } from 'node:http';

export interface Reply {
  url: string;
  status: number;
  /** The absolute URL of a redirect. */
  location?: string;
  body: string;
}

export interface Hop extends Reply {
  method: string;
  /** A form post's fields given by the caller (not the form's hidden ones). */
  fields?: Record<string, string>;
  /** The names of the cookies this answer set (a Max-Age=0 clears one and is not listed). */
  set: string[];
}

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
}

interface Send {
  method: string;
  headers: Record<string, string>;
  fields?: Record<string, string>;
  body?: string;
}

const domainMatches = (host: string, c: StoredCookie) =>
  host === c.domain || (!c.hostOnly && host.endsWith(`.${c.domain}`));
const pathMatches = (path: string, c: StoredCookie) =>
  c.path === '/' || path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`);

/** The text of an HTML attribute value as the gate's and the emulator's pages escape it. */
function unescapeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#\d+|[a-z]+);/g, (all, e: string) =>
    e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : (named[e] ?? all),
  );
}

/** The attributes of every `<tag …>` in `html`, in order. */
export function tagsOf(html: string, tag: string): Record<string, string>[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))].map((m) => {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([a-z-]+)(?:="([^"]*)")?/gi)) attrs[a[1].toLowerCase()] = unescapeHtml(a[2] ?? '');
    return attrs;
  });
}

export class Visitor {
  readonly history: Hop[] = [];
  private jar: StoredCookie[] = [];

  /** A page navigation: what a browser sends for a typed URL, a link or a redirect. */
  navigate(url: string): Promise<Reply> {
    return this.send(url, {
      method: 'GET',
      headers: { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' },
    });
  }

  /** A script's fetch (`headers` added, e.g. a bypass header). */
  fetch(url: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send(url, { method: 'GET', headers: { accept: '*/*', 'sec-fetch-mode': 'cors', ...headers } });
  }

  /** Submits the page's first POST form with its hidden fields and `fields`, as the person's click does. */
  submit(page: Reply, fields: Record<string, string>): Promise<Reply> {
    const form = tagsOf(page.body, 'form').find((f) => f.method?.toLowerCase() === 'post');
    if (!form) throw new Error(`${page.url} has no form to submit`);
    const hidden = tagsOf(page.body, 'input').filter((i) => i.type === 'hidden' && i.name);
    const body = new URLSearchParams([
      ...hidden.map((i): [string, string] => [i.name, i.value]),
      ...Object.entries(fields),
    ]);
    return this.send(new URL(form.action || page.url, page.url).href, {
      method: 'POST',
      headers: {
        accept: 'text/html',
        'sec-fetch-mode': 'navigate',
        origin: new URL(page.url).origin,
        'content-type': 'application/x-www-form-urlencoded',
      },
      fields,
      body: body.toString(),
    });
  }

  private send(url: string, o: Send): Promise<Reply> {
    const u = new URL(url);
    const cookie = this.jar
      .filter((c) => domainMatches(u.hostname, c) && pathMatches(u.pathname, c))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers = { ...o.headers, host: u.host, ...(cookie ? { cookie } : {}) };
    return new Promise((resolve, reject) => {
      const path = `${u.pathname}${u.search}`;
      const req = request(
        { host: '127.0.0.1', port: u.port || 80, method: o.method, path, headers, agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('error', reject);
          res.on('end', () => {
            const set = this.store(u, res.headers['set-cookie'] ?? []);
            const location = res.headers.location ? new URL(res.headers.location, u).href : undefined;
            const status = res.statusCode ?? 0;
            this.history.push({ method: o.method, url, status, location, body, fields: o.fields, set });
            resolve({ url, status, location, body });
          });
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });
  }

  /** Keeps the cookies of an answer from `u`; returns the names set. */
  private store(u: URL, headers: string[]): string[] {
    const set: string[] = [];
    for (const header of headers) {
      const [pair, ...attributes] = header.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const attr = new Map(
        attributes.map((a) => [a.split('=')[0].toLowerCase(), a.slice(a.indexOf('=') + 1)] as [string, string]),
      );
      const domain = attr.get('domain')?.replace(/^\./, '').toLowerCase();
      if (domain && !(u.hostname === domain || u.hostname.endsWith(`.${domain}`))) continue; // another site's
      const c: StoredCookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        domain: domain ?? u.hostname,
        hostOnly: !domain,
        path: attr.get('path')?.startsWith('/') ? attr.get('path')! : '/',
      };
      this.jar = this.jar.filter((o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path));
      if (Number(attr.get('max-age') ?? 1) > 0) {
        this.jar.push(c);
        set.push(c.name);
      }
    }
    return set;
  }
}

/** Throws, naming the hop, unless `reply` has `status` (and, for a redirect, goes to a URL `to` matches). */
export function expectReply(reply: Reply, status: number, to?: RegExp): Reply {
  if (reply.status !== status || (to && !to.test(reply.location ?? '')))
    throw new Error(
      `${reply.url} answered ${reply.status}${reply.location ? ` (to ${reply.location})` : ''}, not ${status}${to ? ` to ${String(to)}` : ''}: ${reply.body.slice(0, 200)}`,
    );
  return reply;
}

/**
 * Signs `v` in at a gated preview as `login` through GitHub's web flow, as a person does: the preview sends the
 * browser to the sign-in host, which sends it to GitHub's authorize page; the person types the login and presses
 * Authorize; GitHub sends the browser back to the callback, which sets the session and returns to the preview.
 * Returns the preview's page.
 */
export async function signInWithGitHub(v: Visitor, previewUrl: string, login: string): Promise<Reply> {
  const toLogin = expectReply(await v.navigate(previewUrl), 302, /\/\.faas-preview\/login\?/);
  const toGitHub = expectReply(await v.navigate(toLogin.location!), 302, /\/login\/oauth\/authorize\?/);
  const form = expectReply(await v.navigate(toGitHub.location!), 200);
  const back = expectReply(await v.submit(form, { login, authorize: '1' }), 302, /\/\.faas-preview\/callback\?/);
  const home = expectReply(await v.navigate(back.location!), 302);
  return expectReply(await v.navigate(home.location!), 200);
}
