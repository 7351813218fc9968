/**
 * The README's pictures (docs/images/): a PR comment as GitHub shows it and a preview's page, taken by the browser
 * suite from a real run of the bundle, so they show what the action writes today.
 *
 * A run's comment differs from the next only by what the run cannot fix (times, durations, ports, digests, the local
 * registry); `pictureMarkdown` puts fixed values there, and an example domain and registry in place of the test's
 * local ones. The suite compares that text with docs/images/pr-comment.md and fails when the comment changed, until
 * the pictures are taken again (FAAS_PREVIEW_PICTURES=write).
 */
import { marked } from 'marked';
import type { Browser } from 'playwright-core';

export const PICTURES_ENV = 'FAAS_PREVIEW_PICTURES';

const HEADER =
  '<!-- The comment the browser suite (__tests__/e2e/browser.test.ts) got from the bundle, with fixed times, ' +
  'ports and digests and an example domain and registry; docs/images/pr-comment.png shows it. -->\n';

/** The comment with what changes from run to run fixed, the local preview host and registry made examples. */
export function pictureMarkdown(body: string, previewOrigin: string): string {
  const text = body
    .replaceAll(previewOrigin, 'https://hello-world-pr-11.preview.example.com')
    .replace(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC/g, '7 Dec 2026, 09:30 UTC')
    .replace(/(took|after) \d+ s\b/g, '$1 38 s')
    .replace(/build digest `[0-9a-f]{12}`/g, 'build digest `3f9c2a1b7d40`')
    .replaceAll('<registry>/examples/', 'ghcr.io/acme/');
  return HEADER + text;
}

const STYLE = `
body { margin: 0; padding: 24px; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans",
  Helvetica, Arial, sans-serif; color: #1f2328; }
.comment { width: 820px; border: 1px solid #d1d9e0; border-radius: 6px; background: #fff; }
.head { padding: 8px 16px; border-bottom: 1px solid #d1d9e0; background: #f6f8fa; border-radius: 6px 6px 0 0;
  color: #59636e; }
.head strong { color: #1f2328; }
.bot { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 6px; font-size: 12px; margin-left: 4px; }
.body { padding: 4px 16px 12px; }
h3 { font-size: 1.25em; margin: 12px 0 8px; }
table { border-collapse: collapse; margin: 8px 0 12px; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; }
tr:nth-child(2n) td { background: #f6f8fa; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eff1f3; padding: .2em .4em;
  border-radius: 6px; }
a { color: #0969da; text-decoration: none; }
summary { cursor: pointer; margin: 8px 0; }
sub { color: #59636e; }
`;

/** The comment rendered as GitHub renders Markdown (GFM, its HTML kept), in a comment's frame, as a PNG file. */
export async function commentPicture(browser: Browser, markdown: string, file: string): Promise<void> {
  const body = await marked.parse(markdown.slice(HEADER.length), { gfm: true });
  const page = await browser.newPage({ viewport: { width: 880, height: 400 }, deviceScaleFactor: 2 });
  try {
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style></head><body>` +
        '<div class="comment"><div class="head"><strong>github-actions</strong><span class="bot">bot</span> ' +
        `commented</div><div class="body">${body}</div></div></body></html>`,
    );
    await page.locator('.comment').screenshot({ path: file });
  } finally {
    await page.close();
  }
}
