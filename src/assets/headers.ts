/**
 * Object headers for static assets (pure): Content-Type from the extension, Cache-Control by rule.
 *
 * - HTML is never cached without revalidation: it is the entry point that names the fingerprinted assets.
 * - Fingerprinted assets (`app.3f9a1c2b.js`, `main.3f9a1c2b.chunk.js`, Vite/Rollup `index-BxY12_ab.css`) are
 *   immutable: a new build gives them a new name.
 * - Everything else (favicon.ico, robots.txt, images without a hash) revalidates.
 */
import mime from 'mime';

export interface CacheRules {
  /** For HTML and non-fingerprinted files (default `no-cache`). */
  cacheControl: string;
  /** For fingerprinted assets (default `public, max-age=31536000, immutable`). */
  cacheControlFingerprinted: string;
}

/** Types that are text although their top-level type is not `text/`. */
const TEXTUAL = new Set([
  'application/javascript',
  'application/json',
  'application/ld+json',
  'application/manifest+json',
  'application/xml',
  'application/xhtml+xml',
  'application/rss+xml',
  'application/atom+xml',
  'application/geo+json',
  'image/svg+xml',
]);

function basename(key: string): string {
  const i = key.lastIndexOf('/');
  return i === -1 ? key : key.slice(i + 1);
}

export function contentType(key: string): string {
  const type = mime.getType(basename(key)) ?? 'application/octet-stream';
  return type.startsWith('text/') || TEXTUAL.has(type) ? `${type}; charset=utf-8` : type;
}

export function isHtml(key: string): boolean {
  return /\.html?$/i.test(key);
}

const HASH_CHARS = /^[A-Za-z0-9_-]+$/;

/**
 * Does `s` look like a content hash rather than a word? At least 8 hex or base64url characters, and not a
 * plain word: it must contain a digit or an upper-case letter after its first character (`BxY12_ab`,
 * `DiwrgTda`, `3f9a1c2b` qualify; `analytics`, `component`, `Analytics` do not). All digits qualifies only
 * after a dot (`app.12345678.js`), not after a dash (`report-20240101.pdf` is a date, not a hash).
 */
function hashLike(s: string, allowAllDigits: boolean): boolean {
  if (s.length < 8 || !HASH_CHARS.test(s) || s.startsWith('-') || s.endsWith('-')) return false;
  if (!/[A-Za-z]/.test(s)) return allowAllDigits && /^\d+$/.test(s);
  return /\d/.test(s) || /[A-Z]/.test(s.slice(1));
}

export function isFingerprinted(key: string): boolean {
  const base = basename(key);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return false; // no extension, or a dotfile
  const segments = base.slice(0, dot).split('.');
  // webpack/CRA style: name.<hash>.ext, name.<hash>.chunk.ext (never the leading name segment itself)
  if (segments.slice(1).some((s) => hashLike(s, true))) return true;
  // Vite/Rollup style: name-<hash>.ext, where the base64url hash may itself contain '-'
  const last = segments[segments.length - 1];
  const dash = last.lastIndexOf('-');
  if (dash > 0 && hashLike(last.slice(dash + 1), false)) return true;
  if (last.length > 9 && last[last.length - 9] === '-') {
    const tail = last.slice(-8);
    if (tail.includes('-') && hashLike(tail, false)) return true;
  }
  return false;
}

export function cacheControl(key: string, rules: CacheRules): string {
  if (isHtml(key)) return rules.cacheControl;
  return isFingerprinted(key) ? rules.cacheControlFingerprinted : rules.cacheControl;
}
