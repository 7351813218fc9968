export const id = 645;
export const ids = [645,370];
export const modules = {

/***/ 3370:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deletePrefix: () => (/* binding */ deletePrefix),
  Vh: () => (/* binding */ readJson),
  syncAssets: () => (/* binding */ syncAssets),
  GF: () => (/* binding */ writeJson)
});

// UNUSED EXPORTS: hashFile, listRemote

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(3711);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/settings.ts
var settings = __webpack_require__(8750);
// EXTERNAL MODULE: ./node_modules/mime/dist/src/index.js + 3 modules
var src = __webpack_require__(5086);
;// CONCATENATED MODULE: ./src/assets/headers.ts
/**
 * Object headers for static assets (pure): Content-Type from the extension, Cache-Control by rule.
 *
 * - HTML is never cached without revalidation: it is the entry point that names the fingerprinted assets.
 * - Fingerprinted assets (`app.3f9a1c2b.js`, `main.3f9a1c2b.chunk.js`, Vite/Rollup `index-BxY12_ab.css`) are
 *   immutable: a new build gives them a new name.
 * - Everything else (favicon.ico, robots.txt, images without a hash) revalidates.
 */

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
function basename(key) {
    const i = key.lastIndexOf('/');
    return i === -1 ? key : key.slice(i + 1);
}
function contentType(key) {
    const type = src/* default */.A.getType(basename(key)) ?? 'application/octet-stream';
    return type.startsWith('text/') || TEXTUAL.has(type) ? `${type}; charset=utf-8` : type;
}
function isHtml(key) {
    return /\.html?$/i.test(key);
}
const HASH_CHARS = /^[A-Za-z0-9_-]+$/;
/**
 * Does `s` look like a content hash rather than a word? At least 8 hex or base64url characters, and not a
 * plain word: it must contain a digit or an upper-case letter after its first character (`BxY12_ab`,
 * `DiwrgTda`, `3f9a1c2b` qualify; `analytics`, `component`, `Analytics` do not). All digits qualifies only
 * after a dot (`app.12345678.js`), not after a dash (`report-20240101.pdf` is a date, not a hash).
 */
function hashLike(s, allowAllDigits) {
    if (s.length < 8 || !HASH_CHARS.test(s) || s.startsWith('-') || s.endsWith('-'))
        return false;
    if (!/[A-Za-z]/.test(s))
        return allowAllDigits && /^\d+$/.test(s);
    return /\d/.test(s) || /[A-Z]/.test(s.slice(1));
}
function isFingerprinted(key) {
    const base = basename(key);
    const dot = base.lastIndexOf('.');
    if (dot <= 0)
        return false; // no extension, or a dotfile
    const segments = base.slice(0, dot).split('.');
    // webpack/CRA style: name.<hash>.ext, name.<hash>.chunk.ext (never the leading name segment itself)
    if (segments.slice(1).some((s) => hashLike(s, true)))
        return true;
    // Vite/Rollup style: name-<hash>.ext, where the base64url hash may itself contain '-'
    const last = segments[segments.length - 1];
    const dash = last.lastIndexOf('-');
    if (dash > 0 && hashLike(last.slice(dash + 1), false))
        return true;
    if (last.length > 9 && last[last.length - 9] === '-') {
        const tail = last.slice(-8);
        if (tail.includes('-') && hashLike(tail, false))
            return true;
    }
    return false;
}
function cacheControl(key, rules) {
    if (isHtml(key))
        return rules.cacheControl;
    return isFingerprinted(key) ? rules.cacheControlFingerprinted : rules.cacheControl;
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/assets/local.ts
/**
 * Walk `static-dir` safely. Nothing outside the directory is ever read:
 * - symlinks are resolved and skipped (with a warning) when their real path leaves the directory;
 * - symlinked directories inside it are followed (a link back to an ancestor is skipped: no cycles);
 * - keys are POSIX relative paths, checked for `..`, empty and absolute segments even though a walk
 *   cannot produce them;
 * - dotfiles and dot-directories are skipped unless `includeDotfiles`.
 * Only metadata (lstat/stat/realpath) is read here; contents are read by the sync, from `path`, which is
 * always the real path inside the directory.
 */


function inside(root, real) {
    const rel = external_node_path_.relative(root, real);
    return rel === '' || (!rel.startsWith('..') && !external_node_path_.isAbsolute(rel));
}
/** A safe object key suffix: relative, no empty, `.` or `..` segments, no backslashes or control chars. */
function isSafeKey(key) {
    if (key === '' || key.startsWith('/') || key.includes('\\') || /[\x00-\x1f]/.test(key))
        return false;
    return key.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}
async function walkLocal(dir, opts) {
    const root = await external_node_fs_.promises.realpath(dir);
    const st = await external_node_fs_.promises.stat(root);
    if (!st.isDirectory())
        throw new Error(`static-dir ${dir} is not a directory`);
    const warn = (line) => opts.log?.(`warning: ${line}`);
    const files = [];
    /** `ancestors`: real paths of the directories on the way down, to cut symlink cycles. */
    async function walk(realDir, keyPrefix, ancestors) {
        let entries;
        try {
            entries = await external_node_fs_.promises.readdir(realDir, { withFileTypes: true });
        }
        catch (err) {
            warn(`cannot read directory ${keyPrefix || '.'}: ${err.message}`);
            return;
        }
        await Promise.all(entries.map(async (entry) => {
            if (entry.name.startsWith('.') && !opts.includeDotfiles)
                return;
            const key = keyPrefix + entry.name;
            if (!isSafeKey(key)) {
                warn(`skipping ${JSON.stringify(key)}: not a safe object key`);
                return;
            }
            let full = external_node_path_.join(realDir, entry.name);
            let isDir = entry.isDirectory();
            let isFile = entry.isFile();
            if (entry.isSymbolicLink()) {
                let real;
                try {
                    real = await external_node_fs_.promises.realpath(full);
                }
                catch {
                    warn(`skipping ${key}: broken symlink`);
                    return;
                }
                if (!inside(root, real)) {
                    warn(`skipping ${key}: symlink points outside static-dir`);
                    return;
                }
                const target = await external_node_fs_.promises.stat(real);
                full = real;
                isDir = target.isDirectory();
                isFile = target.isFile();
            }
            if (isDir) {
                if (ancestors.has(full)) {
                    warn(`skipping ${key}: symlink cycle`);
                    return;
                }
                await walk(full, key + '/', new Set([...ancestors, full]));
            }
            else if (isFile) {
                const { size } = await external_node_fs_.promises.stat(full);
                files.push({ key, path: full, size });
            }
            // sockets, FIFOs, devices: never uploaded
        }));
    }
    await walk(root, '', new Set([root]));
    return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/endpoints/index.js
var endpoints = __webpack_require__(2085);
// EXTERNAL MODULE: ./node_modules/@smithy/signature-v4/dist-cjs/index.js
var signature_v4_dist_cjs = __webpack_require__(5118);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
;// CONCATENATED MODULE: ./src/assets/put.ts
/**
 * A lean single-part PutObject for the sync's many small objects: the SDK's SigV4 signer and endpoint
 * rules, without the SDK's per-request middleware stack (~0.6 ms of CPU a request, the largest client cost
 * of a cold upload of a few thousand files).
 *
 * - URL: the client's own endpoint resolution, run once per sync for the bucket (path-style with a custom
 *   endpoint, virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com` otherwise, path-style for dotted
 *   buckets; FIPS, dual-stack, China partitions as the client resolves them). The key is appended with each
 *   segment RFC 3986-encoded, `/` kept, encoded once (the canonical URI S3 expects, `uriEscapePath: false`).
 * - Signing: `SignatureV4` (the SDK's signer) with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (no body hash),
 *   the client's sha256 implementation, credentials from the client's own provider chain (env, OIDC web
 *   identity, session tokens), re-resolved before they expire, and the client's clock-skew offset.
 * - Transport: node:http/https with a keep-alive agent of `maxSockets` sockets.
 * - A non-2xx answer rejects with an S3ResponseError that carries the status and S3's XML Code/Message in
 *   the SDK's error shape (`name`, `$metadata.httpStatusCode`), so the caller's retry rules apply unchanged;
 *   network errors reject with node's error (no `$metadata`). One attempt per call: the caller retries.
 *
 * Not for multipart uploads, listings or deletes: those stay on the SDK.
 */





/** An S3 error answer, in the shape of the SDK's service exceptions (name = S3's Code). */
class S3ResponseError extends Error {
    Code;
    $metadata;
    $fault;
    /** Set for a clock-skew rejection after the offset was corrected: worth another attempt. */
    $retryable;
    constructor(status, code, message, what, requestId) {
        super(`${message || code || 'Error answer'} (HTTP ${status}${code ? ` ${code}` : ''}; ${what})`);
        this.name = code || `Http${status}`;
        this.Code = code;
        this.$metadata = { httpStatusCode: status, requestId };
        this.$fault = status >= 500 ? 'server' : 'client';
    }
}
const UNRESERVED_EXTRA = /[!'()*]/g;
/** An object key as a URL path: each segment RFC 3986-encoded (unreserved characters kept), `/` kept. */
function encodeKeyPath(key) {
    let out = '';
    let start = 0;
    for (;;) {
        const slash = key.indexOf('/', start);
        const seg = key.slice(start, slash === -1 ? undefined : slash);
        out += encodeURIComponent(seg).replace(UNRESERVED_EXTRA, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
        if (slash === -1)
            return out;
        out += '/';
        start = slash + 1;
    }
}
/** `<Code>` and `<Message>` of an S3 XML error body (empty strings when absent, e.g. HEAD or no body). */
function parseS3Error(xml) {
    const tag = (name) => {
        const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
        return m ? unescapeXml(m[1].trim()) : '';
    };
    return { code: tag('Code'), message: tag('Message') };
}
function unescapeXml(s) {
    return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e) => {
        if (e === 'lt')
            return '<';
        if (e === 'gt')
            return '>';
        if (e === 'quot')
            return '"';
        if (e === 'apos')
            return "'";
        if (e === 'amp')
            return '&';
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    });
}
const MAX_ERROR_BODY = 64 * 1024;
/** As the SDK's handler in s3.ts: connecting, then silence on the socket. */
const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;
/**
 * `bucket`'s PutObject endpoint as `client` resolves it, or undefined when it needs what only the SDK does:
 * another auth scheme than plain SigV4 (S3 Express, multi-region access points), an endpoint that is
 * neither http nor https, or an endpoint the rules reject (the SDK path then reports it in its own words).
 */
async function resolveTarget(client, bucket) {
    let endpoint;
    try {
        endpoint = await (0,endpoints.getEndpointFromInstructions)({ Bucket: bucket, Key: 'k' }, dist_cjs/* PutObjectCommand */.wKZ, client.config);
    }
    catch {
        return undefined;
    }
    const schemes = (endpoint.properties?.authSchemes ?? []);
    const scheme = schemes[0];
    if (!scheme || scheme.name !== 'sigv4' || !scheme.signingRegion)
        return undefined;
    const url = endpoint.url;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search)
        return undefined;
    return { url, signingRegion: scheme.signingRegion, signingName: scheme.signingName ?? 's3' };
}
/** A DirectPut for `bucket` through `client`'s endpoint, credentials and clock; undefined: use the SDK. */
async function createDirectPut(client, bucket, opts) {
    const config = client.config;
    if (typeof config.credentials !== 'function' || !config.sha256)
        return undefined;
    const resolved = await resolveTarget(client, bucket);
    if (!resolved)
        return undefined;
    const { url } = resolved;
    const provider = config.credentials;
    let creds;
    const credentials = async () => {
        // the provider memoises and refreshes by itself; asking it again only when ours is about to expire
        if (!creds || (creds.expiration && creds.expiration.getTime() - Date.now() < 5 * 60_000))
            creds = await provider();
        return creds;
    };
    await credentials(); // fail early (no credentials at all) rather than once per file
    const signer = new signature_v4_dist_cjs.SignatureV4({
        credentials,
        region: resolved.signingRegion,
        service: resolved.signingName,
        sha256: config.sha256,
        uriEscapePath: false, // the path is already encoded once, as S3's canonical URI wants it
        applyChecksum: false,
    });
    const secure = url.protocol === 'https:';
    const mod = secure ? external_node_https_ : external_node_http_;
    const agent = new mod.Agent({ keepAlive: true, maxSockets: Math.max(1, Math.floor(opts.maxSockets) || 1) });
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literal without brackets for node
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const host = url.host;
    const base = url.pathname.endsWith('/') ? url.pathname : url.pathname + '/';
    let attempts = 0;
    const send = (path, headers, body, size) => new Promise((resolve, reject) => {
        let settled = false;
        const done = (err) => {
            if (settled)
                return;
            settled = true;
            if (err)
                reject(err);
            else
                resolve();
        };
        const req = mod.request({ hostname, port, method: 'PUT', path, headers, agent });
        const what = () => `PUT ${url.protocol}//${host}${path}`;
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${what()}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
        req.on('socket', (socket) => {
            if (!socket.connecting)
                return; // a kept-alive socket
            const timer = setTimeout(() => req.destroy(new Error(`${what()}: could not connect within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
            socket.once('connect', () => clearTimeout(timer));
            req.once('close', () => clearTimeout(timer));
        });
        req.on('error', (err) => done(err));
        req.on('response', (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
                res.on('end', () => done());
                res.on('error', (err) => done(err));
                res.resume();
                return;
            }
            const chunks = [];
            let n = 0;
            res.on('data', (c) => {
                if (n < MAX_ERROR_BODY)
                    chunks.push(c), (n += c.length);
            });
            res.on('error', (err) => done(err));
            res.on('end', () => {
                const { code, message } = parseS3Error(Buffer.concat(chunks).toString('utf8'));
                const reqId = res.headers['x-amz-request-id'];
                const err = new S3ResponseError(status, code, message, what(), typeof reqId === 'string' ? reqId : undefined);
                if (code === 'RequestTimeTooSkewed' || code === 'RequestExpired') {
                    const serverTime = Date.parse(String(res.headers.date ?? ''));
                    if (!Number.isNaN(serverTime)) {
                        config.systemClockOffset = serverTime - Date.now(); // the SDK's own skew correction, shared with it
                        err.$retryable = { throttling: false };
                    }
                }
                done(err);
            });
        });
        if (Buffer.isBuffer(body)) {
            req.end(body);
        }
        else {
            // Exactly `size` bytes, or the request is abandoned: a file that changed size since the walk would
            // otherwise leave S3 waiting for the missing bytes (or store a truncated object).
            const stream = body();
            let sent = 0;
            const fail = (err) => {
                req.destroy(err);
                done(err);
            };
            stream.on('data', (chunk) => {
                sent += chunk.length;
                if (sent > size)
                    fail(new Error(`${what()}: the file grew during the sync (more than ${size} bytes)`));
            });
            stream.on('end', () => {
                if (sent !== size)
                    fail(new Error(`${what()}: the file shrank during the sync (${sent} of ${size} bytes)`));
            });
            stream.on('error', fail);
            req.on('close', () => stream.destroy());
            stream.pipe(req);
        }
    });
    return {
        async put(key, body, size, h) {
            const path = base + encodeKeyPath(key);
            const signed = await signer.sign({
                method: 'PUT',
                protocol: url.protocol,
                hostname,
                port,
                path,
                query: {},
                headers: {
                    host,
                    'content-type': h.contentType,
                    'content-length': String(size),
                    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
                },
            }, { signingDate: new Date(Date.now() + (config.systemClockOffset ?? 0)) });
            const headers = signed.headers;
            headers['cache-control'] = h.cacheControl; // never signed (SigV4 leaves it out), sent as is
            attempts++;
            return send(path, headers, body, size);
        },
        requests: () => attempts,
        close: () => agent.destroy(),
    };
}

;// CONCATENATED MODULE: ./src/assets/plan.ts
/**
 * The asset diff (pure, no I/O). Two steps, so that content hashes are computed once and only where needed:
 *
 * 1. `hashRequests(local, remote)`: which local files need a hash, and which kind. Only a file whose key
 *    exists remotely with the same size can be unchanged; its remote ETag says how to hash it: a plain
 *    MD5 (single-part upload) or a multipart ETag `md5(concat(part md5s))-N`, which we can reproduce when
 *    N matches our fixed part size. Anything else (unknown ETag form, other part count) cannot match and
 *    is uploaded without reading the file.
 * 2. `planSync(local, remote, hashes)`: uploads (non-HTML first, then HTML), skips, deletions.
 *
 * Keys here are relative to the preview prefix (`assets/app.js`, not `<name>/assets/app.js`).
 */

/** Fixed part size of our multipart uploads (also what the local multipart ETag is computed with). */
const PART_SIZE = 8 * 1024 * 1024;
/** Files strictly larger than this go up in parts. */
const MULTIPART_THRESHOLD = PART_SIZE;
function normalizeEtag(etag) {
    return (etag ?? '').replace(/"/g, '').trim().toLowerCase();
}
function usesMultipart(size, threshold = MULTIPART_THRESHOLD) {
    return size > threshold;
}
function partCount(size, partSize = PART_SIZE) {
    return Math.max(1, Math.ceil(size / partSize));
}
/** The ETag of a multipart upload from its parts' MD5 digests (raw bytes, in order). */
function multipartEtag(partDigests, md5) {
    const all = new Uint8Array(partDigests.reduce((n, d) => n + d.length, 0));
    let at = 0;
    for (const d of partDigests) {
        all.set(d, at);
        at += d.length;
    }
    return `${md5(all)}-${partDigests.length}`;
}
/** How a remote ETag can be reproduced locally, or undefined when it cannot be. */
function hashKindFor(etag, size, partSize = PART_SIZE) {
    if (/^[0-9a-f]{32}$/.test(etag))
        return 'md5';
    const m = /^[0-9a-f]{32}-(\d+)$/.exec(etag);
    if (m && Number(m[1]) === partCount(size, partSize))
        return 'multipart';
    return undefined;
}
function hashRequests(local, remote, partSize = PART_SIZE) {
    const out = [];
    for (const file of local) {
        const r = remote.get(file.key);
        if (!r || r.size !== file.size)
            continue;
        const kind = hashKindFor(r.etag, file.size, partSize);
        if (kind)
            out.push({ file, kind });
    }
    return out;
}
/** `hashes`: key → hash in the ETag form asked for by hashRequests (`<md5>` or `<md5>-<N>`). */
function planSync(local, remote, hashes) {
    const byKey = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    const plan = { assets: [], html: [], skipped: [], deletes: [] };
    const localKeys = new Set();
    for (const file of [...local].sort(byKey)) {
        localKeys.add(file.key);
        const r = remote.get(file.key);
        const h = hashes.get(file.key);
        if (r && r.size === file.size && h !== undefined && h === r.etag)
            plan.skipped.push(file);
        else if (isHtml(file.key))
            plan.html.push(file);
        else
            plan.assets.push(file);
    }
    plan.deletes = [...remote.keys()].filter((k) => !localKeys.has(k)).sort();
    return plan;
}
/** Split keys into DeleteObjects batches (S3 accepts at most 1,000 keys a request). */
function batches(items, size = 1000) {
    const out = [];
    for (let i = 0; i < items.length; i += size)
        out.push(items.slice(i, i + size));
    return out;
}

;// CONCATENATED MODULE: ./src/assets/sync.ts
/**
 * Static-asset sync (I/O): `static-dir` → `s3://<bucket>/<name>/`.
 *
 * 1. Walk the directory (local.ts) and list the remote prefix ONCE (ListObjectsV2 pages).
 * 2. Hash only the files that could be unchanged (same key, same size), in the ETag form the remote has.
 * 3. Upload changed files with bounded concurrency: everything but HTML first, HTML last, so a page
 *    never references an asset that is not there yet. Streaming bodies; multipart above 8 MiB.
 * 4. Delete stale keys last (DeleteObjects, 1,000 keys a request).
 *
 * Single-part uploads go through put.ts (SigV4-signed PUTs on node:http, without the SDK's per-request
 * middleware: most of the client's CPU on a cold upload of many small files), unless the client carries
 * middleware of its own (tracing, fault injection in tests), which then sees every request on the SDK path.
 * Multipart uploads, listings and deletes always use the SDK.
 *
 * Uploads are retried here (the SDK does not retry streaming bodies; put.ts makes one attempt a call),
 * with a fresh stream each time.
 */








const UPLOAD_ATTEMPTS = 3;
const HASH_CONCURRENCY = 8;
const READ_CHUNK = 256 * 1024;
/**
 * Files up to this size are read whole (one open/read/close, no stream machinery: most of a site's files,
 * and most of the client's CPU time with streams) and sent as a Buffer; larger ones are streamed. At most
 * `concurrency` such buffers exist at a time.
 */
const SMALL_FILE = 256 * 1024;
/**
 * Read a small file whole into `buf` (reused between requests: fewer allocations, a flatter RSS). A
 * synchronous open/read/close of a small file costs microseconds, less than the thread-pool round trips of
 * the async calls. Throws when the file's size no longer matches the walk's.
 */
function readSmall(path, size, buf) {
    const fd = (0,external_node_fs_.openSync)(path, 'r');
    try {
        let n = 0;
        for (;;) {
            const r = (0,external_node_fs_.readSync)(fd, buf, n, buf.length - n, null);
            if (r === 0)
                break;
            n += r;
            if (n === buf.length)
                break;
        }
        if (n !== size)
            throw new Error(`${path} changed during the sync (${n} bytes, expected ${size})`);
        return buf.subarray(0, n);
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
/** Reusable read buffers, one per request slot at most. */
class BufferPool {
    size;
    free = [];
    constructor(size) {
        this.size = size;
    }
    take() {
        return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
    }
    give(b) {
        this.free.push(b);
    }
    clear() {
        this.free = [];
    }
}
const smallBuffers = new BufferPool(SMALL_FILE + 1);
function checkPrefix(prefix) {
    if (!prefix || !prefix.endsWith('/') || prefix.startsWith('/') || prefix.split('/').includes('..')) {
        throw new Error(`invalid asset prefix ${JSON.stringify(prefix)}: expected "<name>/"`);
    }
}
let counterSeq = 0;
/** Counts every HTTP attempt made through `client` until `stop()` (the deserialize step runs per attempt). */
function countRequests(client) {
    const name = `faasPreviewRequestCounter${++counterSeq}`;
    let n = 0;
    client.middlewareStack.add((next) => async (args) => {
        n++;
        return next(args);
    }, { step: 'deserialize', name });
    return { count: () => n, stop: () => void client.middlewareStack.remove(name) };
}
/** At most `n` tasks at a time; after a failure no new task starts (in-flight ones finish). */
function limiter(n) {
    let active = 0;
    let failed = false;
    const queue = [];
    return {
        async run(fn) {
            while (active >= n)
                await new Promise((resolve) => queue.push(resolve));
            if (failed) {
                queue.shift()?.();
                throw new Error('cancelled after an earlier failure');
            }
            active++;
            try {
                return await fn();
            }
            catch (err) {
                failed = true;
                throw err;
            }
            finally {
                active--;
                queue.shift()?.();
            }
        },
        fail() {
            failed = true;
        },
    };
}
/**
 * Run `fn` over `items` with `workers` loops pulling the next item (no promise per pending item). After a
 * failure no new item starts; running ones finish, then the first error is thrown.
 */
async function forEachLimited(items, workers, fn) {
    let next = 0;
    let error;
    const loop = async () => {
        while (!error && next < items.length) {
            const item = items[next++];
            try {
                await fn(item);
            }
            catch (err) {
                error ??= { err };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(workers, items.length) }, loop));
    if (error)
        throw error.err;
}
/** Settle all, then throw the first real error (so nothing is left running behind a rejection). */
async function allOrThrow(tasks) {
    const settled = await Promise.allSettled(tasks);
    const errors = settled.filter((s) => s.status === 'rejected').map((s) => s.reason);
    if (errors.length) {
        const real = errors.find((e) => !(e instanceof Error && e.message === 'cancelled after an earlier failure'));
        throw real ?? errors[0];
    }
    return settled.map((s) => s.value);
}
function retryable(err) {
    const e = err;
    const status = e.$metadata?.httpStatusCode;
    if (status === undefined)
        return true; // network error, reset, timeout
    return status >= 500 || status === 429 || e.name === 'SlowDown' || e.name === 'RequestTimeout' || !!e.$retryable;
}
/** Run `attempt` up to UPLOAD_ATTEMPTS times (each with a fresh stream), backing off between tries. */
async function withRetry(attempt) {
    for (let i = 1;; i++) {
        try {
            return await attempt();
        }
        catch (err) {
            if (i >= UPLOAD_ATTEMPTS || !retryable(err))
                throw err;
            await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** i + Math.random() * 100));
        }
    }
}
/** Send a command whose body is a file stream; the stream is destroyed if the request fails. */
async function sendStreamed(open, send) {
    return withRetry(async () => {
        const body = open();
        try {
            return await send(body);
        }
        finally {
            body.destroy();
        }
    });
}
async function listRemote(client, bucket, prefix) {
    const remote = new Map();
    let token;
    do {
        const page = await client.send(new dist_cjs/* ListObjectsV2Command */.u6x({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
            if (!o.Key || !o.Key.startsWith(prefix))
                continue;
            remote.set(o.Key.slice(prefix.length), { size: o.Size ?? 0, etag: normalizeEtag(o.ETag) });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return remote;
}
/** The file's hash in ETag form: `<md5>` or, for `multipart`, `md5(part md5s)-<N>` with PART_SIZE parts. */
async function hashFile(path, kind, opts = {}) {
    const partSize = opts.partSize ?? PART_SIZE;
    if (kind === 'md5') {
        if (opts.size !== undefined && opts.size <= SMALL_FILE) {
            const buf = smallBuffers.take();
            try {
                return (0,external_node_crypto_.createHash)('md5').update(readSmall(path, opts.size, buf)).digest('hex');
            }
            finally {
                smallBuffers.give(buf);
            }
        }
    }
    const stream = (0,external_node_fs_.createReadStream)(path, { highWaterMark: READ_CHUNK });
    if (kind === 'md5') {
        const h = (0,external_node_crypto_.createHash)('md5');
        for await (const chunk of stream)
            h.update(chunk);
        return h.digest('hex');
    }
    const digests = [];
    let part = (0,external_node_crypto_.createHash)('md5');
    let inPart = 0;
    for await (const c of stream) {
        const chunk = c;
        let off = 0;
        while (off < chunk.length) {
            const take = Math.min(chunk.length - off, partSize - inPart);
            part.update(chunk.subarray(off, off + take));
            inPart += take;
            off += take;
            if (inPart === partSize) {
                digests.push(part.digest());
                part = (0,external_node_crypto_.createHash)('md5');
                inPart = 0;
            }
        }
    }
    if (inPart > 0 || digests.length === 0)
        digests.push(part.digest());
    return multipartEtag(digests, (d) => (0,external_node_crypto_.createHash)('md5').update(d).digest('hex'));
}
async function deleteKeys(client, bucket, keys) {
    let deleted = 0;
    for (const batch of batches(keys, 1000)) {
        const out = await client.send(new dist_cjs/* DeleteObjectsCommand */.xvx({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }));
        if (out.Errors && out.Errors.length) {
            const e = out.Errors[0];
            throw new Error(`DeleteObjects failed for ${out.Errors.length} key(s), e.g. ${e.Key}: ${e.Code} ${e.Message ?? ''}`.trim());
        }
        deleted += batch.length;
    }
    return deleted;
}
async function syncAssets(client, opts) {
    checkPrefix(opts.prefix);
    const log = opts.log ?? (() => undefined);
    const { bucket, prefix } = opts;
    const concurrency = Math.max(1, Math.floor(opts.concurrency) || settings/* DEFAULT_UPLOAD_CONCURRENCY */.w);
    const rules = { cacheControl: opts.cacheControl, cacheControlFingerprinted: opts.cacheControlFingerprinted };
    // Ready while the walk and the listing run (endpoint, credentials). Unused when nothing is to be uploaded.
    const directReady = createDirectPut(client, bucket, { maxSockets: concurrency });
    directReady.catch(() => undefined); // awaited below
    const counter = countRequests(client);
    let direct;
    try {
        const [local, remote] = await Promise.all([
            walkLocal(opts.dir, { includeDotfiles: opts.includeDotfiles, log }),
            listRemote(client, bucket, prefix),
        ]);
        const hashes = new Map();
        await forEachLimited(hashRequests(local, remote), HASH_CONCURRENCY, async (req) => {
            hashes.set(req.file.key, await hashFile(req.file.path, req.kind, { size: req.file.size }));
        });
        const plan = planSync(local, remote, hashes);
        // With the SDK's default checksums (real AWS), parts carry CRC32s that CompleteMultipartUpload must repeat.
        const checksumMode = await client.config.requestChecksumCalculation?.();
        const partChecksums = checksumMode === 'WHEN_SUPPORTED';
        const limit = limiter(concurrency);
        let bytesUploaded = 0;
        direct = await directReady;
        const headers = (file) => ({
            ContentType: contentType(file.key),
            CacheControl: cacheControl(file.key, rules),
        });
        const putDirect = (d, file) => limit.run(async () => {
            const h = { contentType: contentType(file.key), cacheControl: cacheControl(file.key, rules) };
            if (file.size <= SMALL_FILE) {
                // read once, sent from the same (reused) buffer by every attempt
                const buf = smallBuffers.take();
                try {
                    const body = readSmall(file.path, file.size, buf);
                    await withRetry(() => d.put(prefix + file.key, body, file.size, h));
                }
                finally {
                    smallBuffers.give(buf);
                }
                return;
            }
            const open = () => (0,external_node_fs_.createReadStream)(file.path, { highWaterMark: READ_CHUNK });
            await withRetry(() => d.put(prefix + file.key, open, file.size, h));
        });
        const putSingle = (file) => limit.run(async () => {
            if (file.size <= SMALL_FILE) {
                // A Buffer body (the SDK retries it by itself); the buffer is reused once the request is over.
                const buf = smallBuffers.take();
                try {
                    const Body = readSmall(file.path, file.size, buf);
                    return await client.send(new dist_cjs/* PutObjectCommand */.wKZ({ Bucket: bucket, Key: prefix + file.key, Body, ContentLength: file.size, ...headers(file) }));
                }
                finally {
                    smallBuffers.give(buf);
                }
            }
            return sendStreamed(() => (0,external_node_fs_.createReadStream)(file.path, { highWaterMark: READ_CHUNK }), (body) => client.send(new dist_cjs/* PutObjectCommand */.wKZ({
                Bucket: bucket,
                Key: prefix + file.key,
                Body: body,
                ContentLength: file.size,
                ...headers(file),
            })));
        });
        const putMultipart = async (file) => {
            const Key = prefix + file.key;
            const created = await limit.run(() => client.send(new dist_cjs/* CreateMultipartUploadCommand */.nG4({
                Bucket: bucket,
                Key,
                ContentType: contentType(file.key),
                CacheControl: cacheControl(file.key, rules),
                ...(partChecksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
            })));
            const UploadId = created.UploadId;
            if (!UploadId)
                throw new Error(`CreateMultipartUpload for ${Key} returned no UploadId`);
            try {
                const n = partCount(file.size);
                const parts = await allOrThrow(Array.from({ length: n }, (_, i) => limit.run(async () => {
                    const start = i * PART_SIZE;
                    const end = Math.min(file.size, start + PART_SIZE) - 1;
                    const out = await sendStreamed(() => (0,external_node_fs_.createReadStream)(file.path, { start, end, highWaterMark: READ_CHUNK }), (body) => client.send(new dist_cjs/* UploadPartCommand */.iVK({
                        Bucket: bucket,
                        Key,
                        UploadId,
                        PartNumber: i + 1,
                        Body: body,
                        ContentLength: end - start + 1,
                        ...(partChecksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
                    })));
                    return { PartNumber: i + 1, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) };
                })));
                await limit.run(() => client.send(new dist_cjs/* CompleteMultipartUploadCommand */.Gym({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: parts } })));
            }
            catch (err) {
                await client.send(new dist_cjs/* AbortMultipartUploadCommand */.tfP({ Bucket: bucket, Key, UploadId })).catch(() => undefined);
                throw err;
            }
        };
        const upload = async (file) => {
            await (usesMultipart(file.size) ? putMultipart(file) : direct ? putDirect(direct, file) : putSingle(file));
            bytesUploaded += file.size;
            log(`uploaded ${file.key} (${file.size} bytes)`);
        };
        try {
            // Largest first: big files overlap with the many small ones instead of trailing at the end.
            const largestFirst = (files) => [...files].sort((a, b) => b.size - a.size);
            await forEachLimited(largestFirst(plan.assets), concurrency, upload);
            await forEachLimited(largestFirst(plan.html), concurrency, upload);
        }
        catch (err) {
            limit.fail();
            throw err;
        }
        const deleted = await deleteKeys(client, bucket, plan.deletes.map((k) => prefix + k));
        for (const k of plan.deletes)
            log(`deleted ${k}`);
        const result = {
            uploaded: plan.assets.length + plan.html.length,
            skipped: plan.skipped.length,
            deleted,
            bytesUploaded,
            requests: counter.count() + (direct?.requests() ?? 0),
        };
        log(`assets: ${result.uploaded} uploaded (${bytesUploaded} bytes), ${result.skipped} unchanged, ${deleted} deleted, ${result.requests} S3 requests`);
        return result;
    }
    finally {
        counter.stop();
        (direct ?? (await directReady.catch(() => undefined)))?.close();
        smallBuffers.clear();
    }
}
/** Delete every object under `prefix` (teardown). Empty or missing prefix: 0 deleted. */
async function deletePrefix(client, bucket, prefix) {
    checkPrefix(prefix);
    const counter = countRequests(client);
    try {
        let deleted = 0;
        let token;
        do {
            const page = await client.send(new dist_cjs/* ListObjectsV2Command */.u6x({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
            const keys = (page.Contents ?? []).map((o) => o.Key).filter((k) => !!k && k.startsWith(prefix));
            deleted += await deleteKeys(client, bucket, keys);
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return { deleted, requests: counter.count() };
    }
    finally {
        counter.stop();
    }
}
function isNoSuchKey(err) {
    const e = err;
    return e.name === 'NoSuchKey' || e.Code === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
/** A small JSON state object, or undefined when the key does not exist. */
async function readJson(client, bucket, key) {
    try {
        const out = await client.send(new dist_cjs/* GetObjectCommand */.jLs({ Bucket: bucket, Key: key }));
        const text = await out.Body?.transformToString('utf-8');
        return text === undefined || text === '' ? undefined : JSON.parse(text);
    }
    catch (err) {
        if (isNoSuchKey(err))
            return undefined;
        throw err;
    }
}
async function writeJson(client, bucket, key, value) {
    await client.send(new dist_cjs/* PutObjectCommand */.wKZ({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json; charset=utf-8',
        CacheControl: 'no-cache',
    }));
}


/***/ }),

/***/ 7026:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   idleSource: () => (/* binding */ idleSource),
/* harmony export */   listTopPrefixes: () => (/* binding */ listTopPrefixes),
/* harmony export */   loadState: () => (/* binding */ loadState),
/* harmony export */   saveState: () => (/* binding */ saveState),
/* harmony export */   stateKey: () => (/* binding */ stateKey)
/* harmony export */ });
/* unused harmony exports STATE_VERSION, parseState */
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3711);
/* harmony import */ var _assets_sync_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3370);
/**
 * The sweeper's bucket I/O: its state object (`<state-prefix>/sweeper.json`: last seen invocation count and when it
 * last changed, per function) and the list of top-level preview prefixes for garbage collection.
 */


const STATE_VERSION = 1;
function stateKey(statePrefix) {
    const prefix = statePrefix.replace(/^\/+|\/+$/g, '');
    return prefix ? `${prefix}/sweeper.json` : 'sweeper.json';
}
/** Where idleness comes from; throws when neither source is configured. */
function idleSource(settings) {
    if (settings.sweep.prometheusUrl)
        return 'prometheus';
    if (settings.assets?.bucket)
        return 'state';
    throw new Error("command 'sweep' needs to know when previews were last used: set input 'prometheus-url' (the OpenFaaS Prometheus), " +
        "or input 'bucket' (with 's3-endpoint' and credentials as for the assets) so the sweeper can remember invocation counts in " +
        `'${stateKey(settings.sweep.statePrefix)}'`);
}
function isMemory(v) {
    const m = v;
    return typeof m === 'object' && m !== null && typeof m.count === 'number' && Number.isFinite(m.count) && typeof m.changedAt === 'string';
}
/**
 * Parses a stored state object. Anything unreadable yields an empty memory and a warning: every function then counts
 * as first seen (active now), which delays sleeping by one `idle-after` but never sleeps a preview in use.
 */
function parseState(raw) {
    const file = raw;
    if (raw === undefined)
        return { memory: {} };
    if (typeof file !== 'object' || file === null || typeof file.functions !== 'object' || file.functions === null || Array.isArray(file.functions)) {
        return { memory: {}, warning: 'the sweeper state is not an object with "functions"; starting afresh' };
    }
    if (file.version !== STATE_VERSION)
        return { memory: {}, warning: `the sweeper state has version ${String(file.version)}, expected ${STATE_VERSION}; starting afresh` };
    const memory = {};
    let dropped = 0;
    for (const [name, entry] of Object.entries(file.functions)) {
        if (isMemory(entry))
            memory[name] = { count: entry.count, changedAt: entry.changedAt };
        else
            dropped++;
    }
    return { memory, warning: dropped ? `ignored ${dropped} malformed entries in the sweeper state` : undefined };
}
async function loadState(client, bucket, key) {
    let raw;
    try {
        raw = await (0,_assets_sync_js__WEBPACK_IMPORTED_MODULE_0__/* .readJson */ .Vh)(client, bucket, key);
    }
    catch (err) {
        // A corrupt object must not stop the sweep forever; an unreachable bucket must stop it.
        if (err instanceof SyntaxError)
            return { memory: {}, found: true, warning: `s3://${bucket}/${key} is not JSON (${err.message}); starting afresh` };
        throw err;
    }
    return { ...parseState(raw), found: raw !== undefined };
}
async function saveState(client, bucket, key, memory, now) {
    const file = { version: STATE_VERSION, updatedAt: now.toISOString(), functions: memory };
    await (0,_assets_sync_js__WEBPACK_IMPORTED_MODULE_0__/* .writeJson */ .GF)(client, bucket, key, file);
}
/** Top-level "directories" of the bucket (`<name>/`), every page of a delimited listing. */
async function listTopPrefixes(client, bucket) {
    const out = [];
    let token;
    do {
        const page = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_1__/* .ListObjectsV2Command */ .u6x({ Bucket: bucket, Delimiter: '/', ContinuationToken: token }));
        for (const p of page.CommonPrefixes ?? [])
            if (p.Prefix)
                out.push(p.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
}


/***/ })

};
