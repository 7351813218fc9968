export const id = 160;
export const ids = [160];
export const modules = {

/***/ 6160:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deletePrefix: () => (/* binding */ deletePrefix),
  Vh: () => (/* binding */ readJson),
  syncAssets: () => (/* binding */ syncAssets),
  GF: () => (/* binding */ writeJson)
});

// UNUSED EXPORTS: DEFAULT_CONCURRENCY, hashFile, listRemote

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(3711);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
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
 * The SDK does not retry requests with a streaming body, so uploads are retried here with a fresh stream.
 */






/** Default for the `concurrency` setting, tuned with bench/bench.ts. */
const DEFAULT_CONCURRENCY = 16;
const UPLOAD_ATTEMPTS = 3;
const HASH_CONCURRENCY = 8;
const READ_CHUNK = 256 * 1024;
/**
 * Files up to this size are read whole (one open/read/close, no stream machinery: most of a site's files,
 * and most of the client's CPU time with streams) and sent as a Buffer; larger ones are streamed. At most
 * `concurrency` such buffers exist at a time.
 */
const SMALL_FILE = 256 * 1024;
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
        const size = opts.size ?? (await external_node_fs_.promises.stat(path)).size;
        if (size <= SMALL_FILE)
            return (0,external_node_crypto_.createHash)('md5').update((0,external_node_fs_.readFileSync)(path)).digest('hex');
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
    const concurrency = Math.max(1, Math.floor(opts.concurrency) || DEFAULT_CONCURRENCY);
    const rules = { cacheControl: opts.cacheControl, cacheControlFingerprinted: opts.cacheControlFingerprinted };
    const counter = countRequests(client);
    try {
        const [local, remote] = await Promise.all([
            walkLocal(opts.dir, { includeDotfiles: opts.includeDotfiles, log }),
            listRemote(client, bucket, prefix),
        ]);
        const hashes = new Map();
        const hashLimit = limiter(HASH_CONCURRENCY);
        await allOrThrow(hashRequests(local, remote).map((req) => hashLimit.run(async () => hashes.set(req.file.key, await hashFile(req.file.path, req.kind, { size: req.file.size })))));
        const plan = planSync(local, remote, hashes);
        // With the SDK's default checksums (real AWS), parts carry CRC32s that CompleteMultipartUpload must repeat.
        const checksumMode = await client.config.requestChecksumCalculation?.();
        const partChecksums = checksumMode === 'WHEN_SUPPORTED';
        const limit = limiter(concurrency);
        let bytesUploaded = 0;
        const headers = (file) => ({
            ContentType: contentType(file.key),
            CacheControl: cacheControl(file.key, rules),
        });
        const putSingle = (file) => limit.run(async () => {
            if (file.size <= SMALL_FILE) {
                // A Buffer body: the SDK retries it by itself.
                const Body = (0,external_node_fs_.readFileSync)(file.path);
                if (Body.length !== file.size)
                    throw new Error(`${file.key} changed during the sync`);
                return client.send(new dist_cjs/* PutObjectCommand */.wKZ({ Bucket: bucket, Key: prefix + file.key, Body, ContentLength: file.size, ...headers(file) }));
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
            await (usesMultipart(file.size) ? putMultipart(file) : putSingle(file));
            bytesUploaded += file.size;
            log(`uploaded ${file.key} (${file.size} bytes)`);
        };
        try {
            await allOrThrow(plan.assets.map(upload));
            await allOrThrow(plan.html.map(upload));
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
            requests: counter.count(),
        };
        log(`assets: ${result.uploaded} uploaded (${bytesUploaded} bytes), ${result.skipped} unchanged, ${deleted} deleted, ${result.requests} S3 requests`);
        return result;
    }
    finally {
        counter.stop();
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


/***/ })

};
