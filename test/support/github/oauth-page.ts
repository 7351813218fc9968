/**
 * The pages a browser gets from the emulated github.com: the sign-in form of the authorize step and the 404 page.
 * Plain HTML forms without scripts, so that a real browser, or a plain HTTP client posting the form, can sign in
 * as any configured user. The form posts back to `/login/oauth/authorize`, where oauth.ts answers it.
 */
import type { Reply } from './wire.js';

/** A page of the web site, not of the API: no API headers, no rate-limit count (see `send` in wire.ts). */
function webPage(status: number, text: string, headers: Record<string, string> = {}): Reply {
  return { status, text, web: true, headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers } };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function document(title: string, body: string): string {
  const head = `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`;
  return ['<!DOCTYPE html>', '<html lang="en">', head, '<body>', body, '</body>', '</html>', ''].join('\n');
}

/** github.com answers an unknown `client_id` (or page) with its 404 page. */
export function notFoundPage(): Reply {
  return webPage(
    404,
    document(
      'Page not found · GitHub',
      '<main><h1>404</h1><p>This is not the web page you are looking for.</p></main>',
    ),
  );
}

export interface SignInForm {
  clientId: string;
  redirectUri: string | null; // as the app sent it: null when it sent none
  state: string | null;
  login: string; // the text field's value
  error?: string;
  signedInAs?: string; // the browser's current user, when `prompt=select_account` brought it back here
}

function hiddenFields(f: SignInForm): string {
  const fields: [string, string | null][] = [
    ['client_id', f.clientId],
    ['redirect_uri', f.redirectUri],
    ['state', f.state],
  ];
  return fields
    .filter((field): field is [string, string] => field[1] !== null)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n');
}

/** The sign-in form: a login field and the Authorize / Cancel buttons (`authorize` = 1 or 0). */
export function signInPage(f: SignInForm): Reply {
  const lines = [
    '<main>',
    '<h1>Sign in to GitHub</h1>',
    `<p>to continue to <strong>${escapeHtml(f.clientId)}</strong></p>`,
    f.signedInAs ? `<p id="signed-in-as">Signed in as ${escapeHtml(f.signedInAs)}</p>` : '',
    f.error ? `<p role="alert" id="error">${escapeHtml(f.error)}</p>` : '',
    '<form method="post" action="/login/oauth/authorize">',
    hiddenFields(f),
    '<label for="login_field">Username</label>',
    `<input type="text" id="login_field" name="login" value="${escapeHtml(f.login)}" autocomplete="username">`,
    '<button type="submit" name="authorize" value="1">Authorize</button>',
    '<button type="submit" name="authorize" value="0">Cancel</button>',
    '</form>',
    '</main>',
  ];
  return webPage(200, document('Sign in to GitHub · GitHub', lines.filter(Boolean).join('\n')));
}
