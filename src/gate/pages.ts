/**
 * The few pages the gate shows a person: small, self-contained (no external assets, no scripts), readable without
 * styles, and never indexed. Every value from outside goes through htmlText; a share link appears only on the page
 * made for the person who asked for it.
 */
import { htmlText } from '../text/untrusted.js';

export interface Page {
  status: number;
  html: string;
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}' +
  'h1{font-size:1.4rem}a,button{color:#0969da}code,input{font:inherit}input[type=text]{width:100%}' +
  'button{padding:.4rem .9rem;border:1px solid #0969da;background:#fff;border-radius:6px;cursor:pointer}';

/** A whole page; `body` is already HTML (its values escaped by the caller). `refreshS`: the page reloads itself. */
export function page(status: number, title: string, body: string, refreshS?: number): Page {
  const refresh = refreshS === undefined ? '' : `<meta http-equiv="refresh" content="${Math.round(refreshS)}">`;
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">` +
    `<title>${htmlText(title)}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${htmlText(title)}</h1>${body}</main></body></html>\n`;
  return { status, html };
}

export function forbiddenPage(login: string, repository: string, switchUrl: string): Page {
  return page(
    403,
    'No access to this preview',
    `<p>You are signed in to GitHub as <strong>${htmlText(login)}</strong>, who cannot read ` +
      `<code>${htmlText(repository)}</code>. Previews of a repository are open to the people who can read it.</p>` +
      `<p><a href="${htmlText(switchUrl)}">Sign in as someone else</a></p>`,
  );
}

export function unknownRepositoryPage(): Page {
  return page(
    403,
    'This preview cannot be checked',
    '<p>The edge does not know which repository this preview belongs to, so it lets nobody in. ' +
      'Deploying the pull request again records it.</p>',
  );
}

export function signInFailedPage(why: string): Page {
  return page(400, 'Sign-in did not complete', `<p>${htmlText(why)}</p><p>Open the preview link again to retry.</p>`);
}

export function badShareLinkPage(): Page {
  return page(
    403,
    'This share link does not open the preview',
    '<p>It has expired, was changed, or belongs to another preview. Ask whoever shared it for a new one.</p>',
  );
}

export function shareFormPage(preview: string, defaultDays: number, maxDays: number): Page {
  const options = [1, 7, 30, 90]
    .filter((d) => d <= maxDays)
    .concat(maxDays)
    .filter((d, i, all) => all.indexOf(d) === i)
    .map((d) => `<option value="${d}"${d === defaultDays ? ' selected' : ''}>${d} day${d === 1 ? '' : 's'}</option>`)
    .join('');
  return page(
    200,
    `Share ${preview}`,
    '<p>A share link opens this preview, and only this one, for anyone who has it: no GitHub account needed.</p>' +
      `<form method="post"><p><label for="days">Valid for</label> <select id="days" name="days">${options}</select></p>` +
      '<p><button type="submit">Create link</button></p></form>',
  );
}

export function shareLinkPage(link: string, days: number): Page {
  return page(
    200,
    'Share link created',
    `<p>Anyone with this link can open the preview for ${days} day${days === 1 ? '' : 's'}:</p>` +
      `<p><input type="text" readonly aria-label="Share link" value="${htmlText(link, 4096)}"></p>` +
      '<p>It is shown only here; keep it out of public places (PR comments, issues, chats with outsiders).</p>',
  );
}

export function signedOutPage(): Page {
  return page(200, 'Signed out', '<p>You are signed out of the previews on this domain.</p>');
}
