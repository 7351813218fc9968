import { cacheControl, contentType, isFingerprinted, isHtml } from '../../src/assets/headers.js';

const rules = { cacheControl: 'no-cache', cacheControlFingerprinted: 'public, max-age=31536000, immutable' };

describe('contentType', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['docs/page.HTM', 'text/html; charset=utf-8'],
    ['assets/app.3f9a1c2b.js', 'text/javascript; charset=utf-8'],
    ['assets/mod.mjs', 'text/javascript; charset=utf-8'],
    ['assets/index-BxY12_ab.css', 'text/css; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['app.js.map', 'application/json; charset=utf-8'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['robots.txt', 'text/plain; charset=utf-8'],
    ['img/photo.png', 'image/png'],
    ['img/photo.webp', 'image/webp'],
    ['fonts/a.woff2', 'font/woff2'],
    ['app.wasm', 'application/wasm'],
    ['LICENSE', 'application/octet-stream'],
    ['weird.unknownext', 'application/octet-stream'],
  ])('%s → %s', (key, type) => {
    expect(contentType(key)).toBe(type);
  });

  it('looks at the file name only, not at dots in directories', () => {
    expect(contentType('v1.2.html/LICENSE')).toBe('application/octet-stream');
  });
});

describe('isHtml', () => {
  it.each([
    ['index.html', true],
    ['a/b/page.htm', true],
    ['UPPER.HTML', true],
    ['app.js', false],
    ['html/app.css', false],
    ['index.html.gz', false],
  ])('%s → %s', (key, expected) => expect(isHtml(key)).toBe(expected));
});

describe('isFingerprinted', () => {
  it.each([
    // webpack / CRA / hand-rolled: name.<hash>.ext
    'app.3f9a1c2b.js',
    'assets/main.3f9a1c2b.chunk.js',
    'static/js/2.8e3a4b1f.chunk.js',
    'styles.0123456789abcdef0123.css',
    'bundle.12345678.js',
    // Vite / Rollup: name-<hash>.ext (base64url, may contain - and _)
    'assets/index-BxY12_ab.css',
    'assets/index-DiwrgTda.js',
    'assets/vendor-B-x12_ab.js',
    'assets/About-a1b2c3d4.js',
    'assets/logo-3f9a1c2b.svg',
  ])('%s is fingerprinted', (key) => expect(isFingerprinted(key)).toBe(true));

  it.each([
    'index.html',
    'favicon.ico',
    'robots.txt',
    'app.js',
    'jquery.min.js',
    'jquery-3.7.1.min.js',
    'vendor-analytics.js',
    'my-long-component-name.js',
    'Button-Component.js',
    'font-awesome.css',
    'report-20240101.pdf',
    'img/photo.png',
    '.env',
    'a.b',
    'README',
  ])('%s is not fingerprinted', (key) => expect(isFingerprinted(key)).toBe(false));
});

describe('cacheControl', () => {
  it('HTML gets the plain rule, even when it looks fingerprinted', () => {
    expect(cacheControl('index.html', rules)).toBe('no-cache');
    expect(cacheControl('page.3f9a1c2b.html', rules)).toBe('no-cache');
  });
  it('fingerprinted assets are immutable, others revalidate', () => {
    expect(cacheControl('assets/app.3f9a1c2b.js', rules)).toBe(rules.cacheControlFingerprinted);
    expect(cacheControl('assets/index-BxY12_ab.css', rules)).toBe(rules.cacheControlFingerprinted);
    expect(cacheControl('favicon.ico', rules)).toBe('no-cache');
  });
  it('uses the user-supplied values', () => {
    const custom = { cacheControl: 'max-age=60', cacheControlFingerprinted: 'max-age=600' };
    expect(cacheControl('a.html', custom)).toBe('max-age=60');
    expect(cacheControl('a.3f9a1c2b.js', custom)).toBe('max-age=600');
  });
});
