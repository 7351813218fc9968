export const id = 564;
export const ids = [564];
export const modules = {

/***/ 9564:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCommand: () => (/* binding */ runCommand)
});

// EXTERNAL MODULE: ./src/decide/event.ts
var decide_event = __webpack_require__(1384);
// EXTERNAL MODULE: ./src/naming.ts
var naming = __webpack_require__(8499);
;// CONCATENATED MODULE: ./src/decide/quota.ts

/** Community Edition's hard cap on functions per gateway. */
const CE_FUNCTION_LIMIT = 15;
function effectiveLimit(maxPreviews, edition) {
    return maxPreviews ?? (edition === 'community' ? CE_FUNCTION_LIMIT : 0);
}
function quotaDecision(q) {
    // Updating an existing preview's functions never needs a new slot.
    if (q.needed === 0)
        return { kind: 'allow' };
    const holders = q.previews
        .map((p) => ({ name: p.name, pr: (0,naming/* prFromName */.OS)(q.app, p.name) ?? 0, functions: p.functions }))
        .sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));
    const foreign = q.total - holders.reduce((n, h) => n + h.functions, 0);
    const counts = { holders, foreign };
    if (q.edition === 'community' && q.total + q.needed > CE_FUNCTION_LIMIT)
        return {
            kind: 'refuse',
            why: 'community-edition',
            limit: CE_FUNCTION_LIMIT,
            used: q.total,
            needed: q.needed,
            ...counts,
        };
    if (q.previews.some((p) => p.name === q.name))
        return { kind: 'allow' };
    const limit = effectiveLimit(q.maxPreviews, q.edition);
    if (limit > 0 && q.previews.length >= limit)
        return { kind: 'refuse', why: 'max-previews', limit, used: q.previews.length, needed: 1, ...counts };
    return { kind: 'allow' };
}
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** The refusal in one line for the log and the job summary: used / limit, what this preview needs, who holds what. */
function refusalText(r) {
    if (r.why === 'max-previews')
        return `this repository has ${r.used} of the ${plural(r.limit, 'preview')} input 'max-previews' allows, and this preview needs 1 more`;
    const ours = r.used - r.foreign;
    return (`the gateway runs ${r.used} of the ${r.limit} functions Community Edition allows (it counts every function), ` +
        `and this preview needs ${plural(r.needed, 'free slot')}; ${ours} of the ${r.used} are previews of this repository` +
        ` (${plural(r.holders.length, 'preview')}), ${r.foreign} are not`);
}

;// CONCATENATED MODULE: ./src/github/pulls.ts
async function getPull(octokit, repo, pr) {
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pr });
    return {
        number: data.number,
        state: data.state === 'open' ? 'open' : 'closed',
        headSha: data.head.sha,
        labels: data.labels.map((l) => l.name ?? '').filter(Boolean),
    };
}
/** Numbers of every open PR, in one paginated listing (the sweeper's view of which previews may live). */
async function listOpenPulls(octokit, repo) {
    const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'open', per_page: 100 });
    return new Set(pulls.map((p) => p.number));
}

// EXTERNAL MODULE: ./src/http/call.ts
var call = __webpack_require__(2006);
// EXTERNAL MODULE: ./src/text/run-secrets.ts + 1 modules
var run_secrets = __webpack_require__(3725);
;// CONCATENATED MODULE: ./src/image/distribution-client.ts
/**
 * The Docker Registry HTTP API v2 calls of a tag cleanup, with the two kinds of auth registries use: Basic with the
 * registry credentials, and the Bearer token flow (401 `WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET
 * realm?service&scope with the credentials → a token for that scope). A token is scoped: one a token service issued
 * for reading (pull) does not allow a DELETE, which the registry answers with a second challenge naming the scope it
 * wants (`repository:<name>:delete`). Each need (pull; push for a PUT, as a retag's; delete) gets its own token,
 * fetched once.
 *
 * Every call is bounded (request-timeout) and retried on network errors and transient statuses (http/call.ts).
 */


/** The Bearer challenge of a 401, or undefined for Basic or no challenge. */
function bearerChallenge(header) {
    const text = (Array.isArray(header) ? header : [header ?? '']).find((h) => /^bearer\s/i.test(h));
    if (!text)
        return undefined;
    const params = {};
    for (const m of text.matchAll(/(\w+)\s*=\s*"([^"]*)"/g))
        params[m[1].toLowerCase()] = m[2];
    return params.realm ? { realm: params.realm, service: params.service, scope: params.scope } : undefined;
}
const NEED_ACTIONS = { pull: 'pull', push: 'pull,push', delete: 'pull,delete' };
const REDIRECT = new Set([301, 302, 303, 307, 308]);
class RegistryClient {
    o;
    tokens = new Map();
    basic;
    constructor(o) {
        this.o = o;
        if (o.username && o.password)
            this.basic = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64');
    }
    get origin() {
        return this.o.origin;
    }
    /** `<origin>/v2/<name>/<rest>`. */
    url(rest) {
        return new URL(`/v2/${this.o.name}/${rest}`, this.o.origin);
    }
    /** One call; `accept` lists the statuses the caller handles. A Bearer challenge is answered once per need. */
    async request(method, url, accept, headers = {}, body) {
        const need = method === 'DELETE' ? 'delete' : ['PUT', 'POST', 'PATCH'].includes(method) ? 'push' : 'pull';
        const first = await this.send(method, url, need, accept, headers, body);
        if (first.status !== 401)
            return first;
        const challenge = bearerChallenge(first.headers['www-authenticate']);
        if (!challenge)
            throw new call/* StatusError */.Xs(first.call, 401, first.text, first.headers, this.refused());
        const scope = challenge.scope || `repository:${this.o.name}:${NEED_ACTIONS[need]}`;
        this.tokens.set(need, await this.fetchToken(challenge, scope));
        const again = await this.send(method, url, need, accept, headers, body);
        if (again.status !== 401)
            return again;
        const hint = ` (the token service granted a token for ${scope}, and the registry still refused it: the registry credentials need ${need} access to ${this.o.name})`;
        throw new call/* StatusError */.Xs(again.call, 401, again.text, again.headers, hint);
    }
    /**
     * A blob's bytes. Registries that keep blobs elsewhere (S3-backed distribution, GHCR, Docker Hub) answer with a
     * redirect to a pre-signed URL, which is followed without the registry's credentials.
     */
    async blob(digest) {
        const url = this.url(`blobs/${digest}`);
        const res = await this.request('GET', url, (s) => s === 200 || REDIRECT.has(s));
        if (res.status === 200)
            return res;
        const location = res.headers.location;
        if (!location)
            throw new Error(`${res.call} answered ${res.status} without a Location to follow`);
        return (0,call/* callWithRetry */.ZG)({
            method: 'GET',
            url: new URL(location, url),
            accept: (s) => s === 200,
            timeoutMs: this.o.timeoutMs,
            log: this.o.log,
        });
    }
    send(method, url, need, accept, headers, body) {
        const token = this.tokens.get(need);
        const auth = token ? `Bearer ${token}` : this.basic;
        return (0,call/* callWithRetry */.ZG)({
            method,
            url,
            headers: auth ? { ...headers, authorization: auth } : headers,
            body,
            accept: (s) => s === 401 || accept(s),
            timeoutMs: this.o.timeoutMs,
            log: this.o.log,
        });
    }
    async fetchToken(challenge, scope) {
        const url = this.realmUrl(challenge.realm);
        if (challenge.service)
            url.searchParams.set('service', challenge.service);
        url.searchParams.set('scope', scope);
        const res = await (0,call/* callWithRetry */.ZG)({
            method: 'GET',
            url,
            headers: this.basic ? { authorization: this.basic } : {},
            accept: (s) => s === 200,
            timeoutMs: this.o.timeoutMs,
            log: this.o.log,
            hint: (s) => (s === 401 || s === 403 ? this.refused() : ''),
        });
        let body;
        try {
            body = JSON.parse(res.text);
        }
        catch {
            throw new Error(`${res.call} answered 200 with a body that is not JSON; expected {"token": "…"}`);
        }
        const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
        if (!token)
            throw new Error(`${res.call} answered 200 without a token; expected {"token": "…"}`);
        run_secrets/* secrets */.O.add(token);
        return token;
    }
    /** The challenge's realm, which may be another host (a token service) but never downgrades https to http. */
    realmUrl(realm) {
        let url;
        try {
            url = new URL(realm);
        }
        catch {
            throw new Error(`registry ${this.o.origin.origin} challenged with a token realm that is not a URL`);
        }
        const downgrade = this.o.origin.protocol === 'https:' && url.protocol !== 'https:';
        if (downgrade || !['http:', 'https:'].includes(url.protocol)) {
            throw new Error(`registry ${this.o.origin.origin} sends the credentials to token realm ${url.origin}, which is not https; refusing`);
        }
        return url;
    }
    refused() {
        return this.basic
            ? ` (registry-username / registry-password were refused for ${this.o.name})`
            : ` (the registry wants credentials for ${this.o.name}: set registry-username and registry-password)`;
    }
}

;// CONCATENATED MODULE: ./src/concurrency.ts
/**
 * The action's one way to run many asynchronous tasks with bounded concurrency: `limit` workers pull the next item
 * from a shared cursor, so nothing is allocated per pending item (the asset sync passes thousands).
 *
 * Chosen over p-limit / p-map: p-map with `stopOnError` rejects while mappers it started are still running (its
 * documented caveat), and the sync must know that nothing is in flight before it aborts a multipart upload or reports
 * a failure; p-limit queues a promise and a closure per item: 2.1 µs of CPU per item against 0.23 µs here (100,000
 * no-op tasks, limit 64, median of 7, p-limit 3.1.0, Node 20). Both are negligible next to an S3 request; the
 * semantics decided, and no dependency was needed for it.
 */
/**
 * Runs `fn` over `items`, at most `limit` calls at a time, in order of the items. After a failure no new call
 * starts; once the running ones have settled, the first failure is thrown (nothing is left running behind it).
 * An `fn` that handles its own errors never stops the others.
 */
async function forEachLimited(items, limit, fn) {
    let next = 0;
    let failure;
    const worker = async () => {
        while (!failure && next < items.length) {
            const index = next++;
            try {
                await fn(items[index], index);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
    await Promise.all(Array.from({ length: workers }, worker));
    if (failure)
        throw failure.error;
}

// EXTERNAL MODULE: ./src/text/untrusted.ts
var untrusted = __webpack_require__(9209);
;// CONCATENATED MODULE: ./src/image/tag-cleanup-plan.ts
/**
 * Which image tags a teardown may remove, decided without I/O. A PR owns exactly the tags deploy pushes,
 * `pr-<n>-<sha7>` (naming.ts `imageTag`); anything else (`latest`, `main`, a user's `pr-5-final`) belongs to someone
 * else. Registries delete whole manifests (distribution: by digest) or whole package versions (GHCR), never a single
 * tag, so a manifest that a foreign tag also points at is kept, and the result says which tag keeps it.
 */
function isPrTag(tag, pr) {
    return new RegExp(`^pr-${pr}-[0-9a-f]{7,40}$`).test(tag);
}
/** `a`, `a and b`, `a, b, c and 2 more`: foreign tags in a reason, quoted, never an unbounded list. */
function quoteTags(tags, max = 3) {
    const quoted = tags.slice(0, max).map((t) => `'${t}'`);
    if (tags.length > max)
        return `${quoted.join(', ')} and ${tags.length - max} more`;
    return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}` : (quoted[0] ?? '');
}
/** Distribution: delete each of the PR's digests unless a tag outside the PR's set points at it too. */
function planDigestDeletes(mine, others) {
    const foreign = new Map();
    for (const o of others)
        foreign.set(o.digest, [...(foreign.get(o.digest) ?? []), o.tag]);
    const byDigest = new Map();
    for (const m of mine)
        byDigest.set(m.digest, [...(byDigest.get(m.digest) ?? []), m.tag]);
    const plan = { deletes: [], kept: [] };
    for (const [digest, tags] of byDigest) {
        const keepers = foreign.get(digest);
        if (!keepers) {
            plan.deletes.push({ digest, tags });
            continue;
        }
        const reason = `its manifest ${digest} is also tagged ${quoteTags(keepers.sort())}; deleting the manifest would delete those tags too`;
        for (const tag of tags)
            plan.kept.push({ tag, reason });
    }
    return plan;
}
/** GHCR: delete each version that carries the PR's tags and nothing else; the Packages API cannot untag. */
function planVersionDeletes(versions, pr) {
    const plan = { deletes: [], kept: [] };
    for (const v of versions) {
        const mine = v.tags.filter((t) => isPrTag(t, pr));
        if (mine.length === 0)
            continue;
        const foreign = v.tags.filter((t) => !isPrTag(t, pr));
        if (foreign.length === 0) {
            plan.deletes.push(v);
            continue;
        }
        const reason = `package version ${v.id} (${v.name}) is also tagged ${quoteTags(foreign.sort())}; the Packages API deletes whole versions and cannot remove one tag`;
        for (const tag of mine)
            plan.kept.push({ tag, reason });
    }
    return plan;
}

;// CONCATENATED MODULE: ./src/image/link.ts
/**
 * The `Link: <…>; rel="next"` header that pages a registry's tag list (distribution spec; RFC 8288). Registries send
 * a path (`</v2/app/tags/list?last=b&n=100>`), some a whole URL: both are references resolved against the URL of the
 * page that carried them. The next page must be on the registry's own origin, because the request carries the
 * registry credentials: a link elsewhere is an error, never followed.
 */

/** The target of the first link whose `rel` includes `next`, as written; undefined when there is none. */
function nextLink(header) {
    const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
    for (const m of text.matchAll(/<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*(?:=\s*(?:"[^"]*"|[^;,\s]*))?)*)/g)) {
        const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(m[2]);
        const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
        if (rels.includes('next'))
            return m[1];
    }
    return undefined;
}
/** The next page's URL, resolved against the current page; throws when it leaves the registry's origin. */
function nextPageUrl(link, current, registry, what) {
    let next;
    try {
        next = new URL(link, current);
    }
    catch {
        throw new Error(`${what}: the Link header's next page '${(0,untrusted/* sanitize */.aj)(link, { max: 200 })}' is not a URL`);
    }
    if (next.origin !== registry.origin) {
        throw new Error(`${what}: the Link header sends the next page to ${next.origin}, not to the registry ${registry.origin}; refusing to send the registry credentials there`);
    }
    // Credentials come from the inputs, never from a link.
    next.username = '';
    next.password = '';
    return next;
}

;// CONCATENATED MODULE: ./src/image/distribution.ts
/**
 * A PR's tags on a registry that deletes through the distribution API (the CNCF distribution server and the like):
 * list the tags (following `Link` pages), resolve every tag to its manifest digest, and DELETE each of the PR's
 * digests that no other tag points at. DELETE works on digests and takes every tag of that manifest with it, which is
 * why the other tags are resolved too. A registry that refuses deletes (400/405: distribution with
 * `storage.delete.enabled: false` answers 405 UNSUPPORTED) is reported once, not an error.
 */




/** HEAD must accept every manifest type, or a registry may convert the manifest and answer another digest. */
const MANIFEST_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Tags per page asked for; distribution 2.x ignores it and answers all tags at once. */
const PAGE_SIZE = 100;
const RESOLVE_CONCURRENCY = 8;
async function deleteDistributionPrTags(client, pr) {
    const tags = await listAllTags(client);
    if (!tags.some((t) => isPrTag(t, pr)))
        return { deleted: [], kept: [] };
    const resolved = await resolveDigests(client, tags);
    const mine = resolved.filter((r) => isPrTag(r.tag, pr));
    const vanished = tags.filter((t) => isPrTag(t, pr) && !mine.some((m) => m.tag === t));
    const plan = planDigestDeletes(mine, resolved.filter((r) => !isPrTag(r.tag, pr)));
    return deleteDigests(client, plan, vanished);
}
async function listAllTags(client) {
    const tags = [];
    const seen = new Set();
    let url = client.url(`tags/list?n=${PAGE_SIZE}`);
    while (url) {
        const res = await client.request('GET', url, (s) => s === 200 || s === 404);
        // NAME_UNKNOWN: nothing was ever pushed to this repository.
        if (res.status === 404)
            return tags;
        tags.push(...tagsOf(res));
        seen.add(url.href);
        const link = nextLink(res.headers.link);
        url = link ? nextPageUrl(link, url, client.origin, res.call) : undefined;
        if (url && seen.has(url.href))
            throw new Error(`${res.call}: the Link header points back at a page already read (${url.pathname}${url.search})`);
    }
    return tags;
}
function tagsOf(res) {
    let body;
    try {
        body = JSON.parse(res.text);
    }
    catch {
        throw new Error(`${res.call} answered 200 with a body that is not JSON; expected {"name": …, "tags": […]}`);
    }
    return Array.isArray(body.tags) ? body.tags.filter((t) => typeof t === 'string') : [];
}
/** Every tag's digest in tag order, a few HEADs at a time; a tag deleted since the listing is left out. */
async function resolveDigests(client, tags) {
    const digests = [];
    await forEachLimited(tags, RESOLVE_CONCURRENCY, async (tag, i) => {
        digests[i] = await headDigest(client, tag);
    });
    return tags.flatMap((tag, i) => (digests[i] ? [{ tag, digest: digests[i] }] : []));
}
async function headDigest(client, tag) {
    const res = await client.request('HEAD', client.url(`manifests/${encodeURIComponent(tag)}`), (s) => s === 200 || s === 404, { accept: MANIFEST_TYPES });
    if (res.status === 404)
        return undefined;
    const digest = res.headers['docker-content-digest'];
    if (typeof digest !== 'string' || !DIGEST.test(digest)) {
        throw new Error(`${res.call} answered 200 without a valid Docker-Content-Digest header, so the tag's manifest cannot be named for deletion`);
    }
    return digest;
}
async function deleteDigests(client, plan, vanished) {
    const result = { deleted: [...vanished], kept: [...plan.kept] };
    for (const [i, d] of plan.deletes.entries()) {
        const res = await client.request('DELETE', client.url(`manifests/${d.digest}`), (s) => [200, 202, 404, 400, 405].includes(s));
        if (res.status === 400 || res.status === 405) {
            const left = plan.deletes.slice(i).flatMap((x) => x.tags);
            result.unsupported =
                `${res.call} answered ${res.status}${registryError(res.text)}: this registry does not delete manifests ` +
                    `(a distribution registry needs storage.delete.enabled: true); this PR's ${quoteTags(left)} stay`;
            result.kept.push(...left.map((tag) => ({ tag, reason: `the registry refuses deletes (${res.status})` })));
            break;
        }
        result.deleted.push(...d.tags);
    }
    return result;
}
/** ` (UNSUPPORTED: The operation is unsupported.)` from a distribution error body; empty for anything else. */
function registryError(text) {
    try {
        const first = JSON.parse(text).errors?.[0];
        const parts = [first?.code, first?.message].filter((p) => typeof p === 'string' && p !== '');
        return parts.length ? ` (${(0,untrusted/* sanitize */.aj)(parts.join(': '), { max: 200 })})` : '';
    }
    catch {
        return '';
    }
}

// EXTERNAL MODULE: ./src/image/reference.ts
var image_reference = __webpack_require__(3564);
;// CONCATENATED MODULE: ./src/image/public.ts
/**
 * Whether anyone can pull an image, asked the way a kubelet without pull secrets would: no credentials, the
 * registry's anonymous Bearer token if it challenges, then HEAD on the manifest. OpenFaaS Community Edition on
 * Kubernetes only runs such images, and tells nobody when it cannot (faas-netes logs the error and answers 202),
 * so the deploy asks first and explains the fix.
 *
 * Only the registry's own answer is a verdict: a runner that cannot reach the registry (name not found, connection
 * refused, timeout) or gets an answer that says nothing about credentials (5xx) has not learnt that the cluster
 * cannot pull (issue 23): the image may sit on a registry only the cluster reaches.
 */




/** `repo:tag`, `repo@digest`, or `repo` (→ `latest`): the repository and the manifest reference. */
function splitImage(image) {
    const at = image.indexOf('@');
    if (at >= 0)
        return { repository: image.slice(0, at).replace(/:[^/:]+$/, ''), reference: image.slice(at + 1) };
    const m = /^(.*[^/]):([\w][\w.-]{0,127})$/.exec(image);
    return m ? { repository: m[1], reference: m[2] } : { repository: image, reference: 'latest' };
}
/** Docker's rule, which the kubelet's container runtimes share: a registry on a loopback address is plain HTTP. */
function loopback(host) {
    const name = host.replace(/:\d+$/, '');
    return name === 'localhost' || /^127\./.test(name) || name === '[::1]';
}
/** Docker Hub's API lives on registry-1.docker.io; every other registry on its own host. */
function apiOrigin(host, insecure) {
    const scheme = insecure || loopback(host) ? 'http' : 'https';
    return new URL(`${scheme}://${host === 'docker.io' ? 'registry-1.docker.io' : host}`);
}
/** Statuses that are the registry's own "no" to an anonymous pull. */
const DENIALS = new Set([401, 403, 404]);
async function anonymousPull(image, o) {
    const { repository, reference } = splitImage(image);
    const repo = (0,image_reference/* parseRepository */.SU)(repository);
    const client = new RegistryClient({
        origin: apiOrigin(repo.host, o.insecure),
        name: repo.path,
        timeoutMs: o.timeoutMs,
        log: o.log,
    });
    try {
        const res = await client.request('HEAD', client.url(`manifests/${reference}`), (s) => s === 200 || DENIALS.has(s), {
            accept: MANIFEST_TYPES,
        });
        if (res.status === 200)
            return { kind: 'public' };
        return { kind: 'denied', why: `${res.call} answered ${res.status} without credentials` };
    }
    catch (err) {
        // The client's hints are about the action's own credentials, which do not matter to an anonymous pull.
        if (err instanceof call/* StatusError */.Xs && DENIALS.has(err.status))
            return { kind: 'denied', why: `${err.call} answered ${err.status}` };
        return { kind: 'unverified', why: err.message };
    }
}

// EXTERNAL MODULE: ./src/log.ts
var log = __webpack_require__(5625);
;// CONCATENATED MODULE: ./src/openfaas/readiness.ts
/**
 * What "ready" means (docs/architecture.md, "What a preview promises"): seen, not assumed.
 * 1. The gateway holds the spec that was sent: image and `faas-preview/sha` label read back. faas-netes answers 202
 *    to an update it did not apply (errors are logged and swallowed), so a mismatch that outlasts the provider's
 *    cache lag is a failure; on faasd an update is delete + recreate, so a function missing after it is gone.
 * 2. An available replica, and a GET through the gateway to `/function/<name><ready-path>` answering below 500:
 *    faasd counts a replica as available before the process listens (it answers 500 meanwhile).
 * 3. That the answer comes from this commit. A function that sends `X-Faas-Preview-Sha` (its FAAS_PREVIEW_SHA)
 *    proves it; on faasd and for a new function there is no older version that could answer. A faas-netes update
 *    rolls (the old pod serves until the new one is ready), so without the header the honest outcome is
 *    "rolling out", never "ready".
 * Everything runs within `ready-timeout`, each request cut to what is left of it.
 */



const VERSION_HEADER = 'x-faas-preview-sha';
/** How long a read-back may still show the previous spec (faas-netes answers from an informer cache). */
const SPEC_LAG_MS = 5_000;
class NotReady extends Error {
    gone;
    fn;
    constructor(message, 
    /** The provider removed the function (faasd update whose new version could not start). */
    gone, 
    /** The function that did not become ready. */
    fn) {
        super(message);
        this.gone = gone;
        this.fn = fn;
        this.name = 'NotReady';
    }
}
const readiness_short = (sha) => sha.slice(0, 7);
function specSeen(s) {
    return `image ${s.image}, ${naming/* LABELS */.kg.sha}=${s.labels?.[naming/* LABELS */.kg.sha] ?? '(none)'}`;
}
/** One wait: the rules of the header comment, one poll at a time, within one deadline. */
class Wait {
    gateway;
    provider;
    t;
    o;
    start;
    deadline;
    probe;
    known = false;
    constructor(gateway, provider, t, o) {
        this.gateway = gateway;
        this.provider = provider;
        this.t = t;
        this.o = o;
        this.start = o.now();
        this.deadline = this.start + o.timeoutMs;
        this.probe = `GET ${gateway.url}/function/${t.name}${t.readyPath}`;
    }
    get over() {
        return this.o.now() >= this.deadline;
    }
    get remaining() {
        return Math.max(0, this.deadline - this.o.now());
    }
    async poll() {
        const status = await this.gateway.get(this.t.name, this.deadline).catch((err) => err);
        // A status request that hung or failed (after its retries) counts against ready-timeout like any other wait.
        if (status instanceof Error)
            return { seen: status.message };
        if (!status)
            return this.missing();
        this.known = true;
        if ((0,image_reference/* normalReference */.xT)(status.image) !== (0,image_reference/* normalReference */.xT)(this.t.image) || status.labels?.[naming/* LABELS */.kg.sha] !== this.t.sha)
            return this.stale(status);
        if ((status.availableReplicas ?? 0) < 1)
            return { seen: `replicas=${status.replicas ?? 0}, availableReplicas=${status.availableReplicas ?? 0}` };
        const budget = Math.max(1, Math.min(this.o.requestTimeoutMs, this.remaining));
        const res = await this.gateway.invoke(this.t.name, this.t.readyPath, budget).catch((err) => err);
        if (res instanceof Error)
            return { seen: `available replica, but ${res.message}` };
        if (res.status >= 500)
            return {
                seen: `available replica, but ${this.probe} answered ${res.status}: ${(0,untrusted/* sanitize */.aj)(res.text, { max: 200 })}`,
            };
        return this.answered(res.status, String(res.headers[VERSION_HEADER] ?? ''));
    }
    missing() {
        const { t, provider } = this;
        if (!provider.rolling && !t.created)
            throw new NotReady(`function '${t.name}' is gone after the update: faasd replaces a function on update, and the new one (${t.image}) could not be created; the previous version no longer runs`, true, t.name);
        // Seen, then gone: deleted while this run waited (a teardown, the sweeper), not slow.
        if (this.known)
            throw new NotReady(`function '${t.name}' was deleted while this run waited for it to become ready`, true, t.name);
        return { seen: 'the gateway does not know the function' };
    }
    stale(status) {
        if (this.o.now() - this.start < Math.min(SPEC_LAG_MS, this.o.timeoutMs))
            return { seen: `the gateway still has ${specSeen(status)}` };
        throw new NotReady(`the gateway accepted the deploy of ${this.t.image} but did not apply it (it has ${specSeen(status)}); faas-netes answers 202 and logs the error when an update fails (private image on Community Edition, bad quantity, a spec Kubernetes refuses): check the gateway and faas-netes logs`, false, this.t.name);
    }
    answered(status, version) {
        const { t } = this;
        const answered = `${this.probe} answered ${status}`;
        const check = (proof) => [{ name: t.name, path: t.readyPath, status, sha: t.sha, proof }];
        if (version === t.sha)
            return {
                state: 'ready',
                evidence: `${answered} from ${readiness_short(t.sha)} (${VERSION_HEADER})`,
                checks: check('header'),
            };
        if (version)
            return {
                seen: `${answered}, but from ${(0,untrusted/* sanitize */.aj)(readiness_short(version))} (${VERSION_HEADER}); waiting for ${readiness_short(t.sha)}`,
            };
        if (this.provider.rolling && !t.created) {
            return {
                state: 'rolling-out',
                evidence: `${answered}; the function does not send ${VERSION_HEADER}, so during the rolling update this may still be the previous version`,
                checks: check('unproven'),
            };
        }
        return {
            state: 'ready',
            evidence: `${answered}; no previous version can answer (${t.created ? 'new function' : 'faasd replaces a function on update'})`,
            checks: check(t.created ? 'new-function' : 'replaced'),
        };
    }
}
async function waitUntilReady(gateway, provider, t, o) {
    const sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    const wait = new Wait(gateway, provider, t, { ...o, now: o.now ?? Date.now });
    let seen = 'nothing yet';
    // Polls are two small requests: every 500 ms at most, so the end of a rollout is seen 250 ms after it on average
    // (with a 1 s cap, a rollout of 3 s was seen at 3.4 s).
    for (let interval = 200;; interval = Math.min(interval * 2, 500)) {
        const poll = await wait.poll();
        if ('state' in poll)
            return poll;
        // A request cut short by the deadline itself says less than what was seen before it.
        if (!wait.over || seen === 'nothing yet')
            seen = poll.seen;
        if (wait.over)
            throw new NotReady(`function '${t.name}' was not ready within ${Math.round(o.timeoutMs / 1000)}s (input 'ready-timeout'); last seen: ${seen}`, false, t.name);
        await sleep(Math.min(interval, wait.remaining));
    }
}

// EXTERNAL MODULE: ./src/report.ts
var src_report = __webpack_require__(665);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
;// CONCATENATED MODULE: ./src/assets/lean-http.ts
/**
 * The lean S3 calls' transport (lean.ts): node's own http/https agent, keep-alive HTTP/1.1 connections to the
 * bucket's origin. Node's built-in client costs nothing to load, where undici (used before) took about 75 ms of every
 * run's start-up on the bench machine, more than a whole incremental sync's requests.
 *
 * - At most `connections` of them (the sync's concurrency: it never has more requests in flight), one request at a
 *   time on each. Idle ones are closed after 4 s (or 1 s before the server's `Keep-Alive: timeout` when that is
 *   sooner), so one reused after a long pause between phases is not one the server is closing; idle, they never keep
 *   the process alive (the agent unrefs them).
 * - `timeoutMs` (the S3 client's request-timeout) for connecting (TLS handshake included) and for silence while
 *   waiting for the answer's head or between pieces of its body.
 * - Answers are untrusted: a body longer than the call's `maxBody` fails it and drops the connection (checked on the
 *   announced Content-Length and while reading, whatever the framing).
 * - A body is a Buffer, or a stream opened per attempt that must give exactly `size` bytes: more or fewer fails the
 *   request with the caller's `sizeMismatch` error and abandons it, before the server got a complete request.
 * - No proxies (the SDK's node:http agents use none either), no redirects, no compression.
 *
 * Failures reject with node's error codes for what went wrong on the way (ETIMEDOUT, ECONNRESET, EPROTO for a
 * malformed or oversized answer, ECONNABORTED once closed, or the socket's own ECONNREFUSED, EPIPE, TLS codes…):
 * s3-call.ts classifies any of them as a network failure worth another attempt.
 */


const IDLE_MS = 4000;
const coded = (code, text, cause) => Object.assign(new Error(`${text} (${code})`, { cause }), { code });
/** Node's parser and socket errors as one line that says what happened, with node's code. */
function networkError(err) {
    if (err.code === 'HPE_UNEXPECTED_CONTENT_LENGTH')
        return coded('EPROTO', "the answer's body does not match its Content-Length", err);
    if (err.code === 'HPE_HEADER_OVERFLOW')
        return coded('EPROTO', "the answer's head is too large", err);
    if (err.code?.startsWith('HPE_'))
        return coded('EPROTO', `a malformed answer: ${err.message} [${err.code}]`, err);
    if (err.code === 'ECONNRESET' && (err.message === 'aborted' || err.message === 'socket hang up'))
        return coded('ECONNRESET', `the connection closed before the answer was complete: ${err.message}`, err);
    return err;
}
/** An agent that keeps connections only until close(): afterwards each is closed once its answer was read. */
function closingAgent(secure, maxSockets) {
    const Base = secure ? external_node_https_.Agent : external_node_http_.Agent;
    class Closing extends Base {
        closed = false;
        keepSocketAlive(socket) {
            // node's returns whether it kept the socket (typed as void)
            return !this.closed && super.keepSocketAlive(socket);
        }
    }
    // noDelay: a request's last segment goes at once, not after the server's (possibly delayed) ACK of the one before
    return new Closing({ keepAlive: true, maxSockets, timeout: IDLE_MS, scheduling: 'lifo', noDelay: true });
}
/**
 * Writes the stream to `req`, failing with `r.sizeMismatch` when it is not exactly `r.size` bytes. Each chunk is
 * written only once the next one came or the stream ended at the right size: the server never gets a whole body of
 * the announced length from a file that grew.
 */
async function writeExactly(req, stream, r) {
    const mismatch = (n) => r.sizeMismatch?.(n) ?? new Error(`the body was ${n} bytes, not ${r.size}`);
    let read = 0;
    let held;
    const write = async (chunk) => {
        if (!req.write(chunk))
            await new Promise((resolve) => req.once('drain', resolve).once('close', resolve));
    };
    for await (const chunk of stream) {
        if (req.destroyed)
            return;
        read += chunk.length;
        if (read > r.size)
            throw mismatch(read);
        if (held)
            await write(held);
        held = chunk;
    }
    if (read !== r.size)
        throw mismatch(read);
    req.end(held);
}
/** The whole body, or an over-size error (the answer is destroyed, and with it the connection). */
async function readAtMost(res, max) {
    const tooLong = () => coded('EPROTO', `the answer's body is over ${max} bytes`);
    const announced = res.headers['content-length'];
    if (announced !== undefined && Number(announced) > max) {
        res.destroy();
        throw tooLong();
    }
    const chunks = [];
    let n = 0;
    for await (const chunk of res) {
        n += chunk.length;
        if (n > max)
            throw tooLong(); // leaving the loop destroys the answer
        chunks.push(chunk);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, n);
}
function createLeanHttp(o) {
    if (o.origin.protocol !== 'http:' && o.origin.protocol !== 'https:')
        throw new TypeError(`not an http(s) URL: ${o.origin.protocol}`);
    const secure = o.origin.protocol === 'https:';
    const agent = closingAgent(secure, Math.max(1, Math.floor(o.connections) || 1));
    const target = {
        agent,
        protocol: o.origin.protocol,
        hostname: o.origin.hostname.replace(/^\[|\]$/g, ''), // an IPv6 literal without its brackets
        port: o.origin.port || undefined,
        timeout: o.timeoutMs, // from the first byte of the connect on, then each silence
    };
    const request = (r) => new Promise((resolve, reject) => {
        const headers = r.body ? { ...r.headers, 'content-length': String(r.size) } : r.headers;
        const req = (secure ? external_node_https_ : external_node_http_).request({ ...target, method: r.method, path: r.path, headers });
        let connected = false;
        let failed;
        const fail = (err) => {
            failed ??= err;
            req.destroy(err);
            reject(err);
        };
        req.on('socket', (socket) => {
            if (req.reusedSocket)
                connected = true;
            else
                socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
        });
        req.on('timeout', () => fail(connected
            ? coded('ETIMEDOUT', `the server was silent for ${o.timeoutMs} ms`)
            : coded('ETIMEDOUT', `could not connect within ${o.timeoutMs} ms`)));
        req.on('error', (err) => fail(failed ?? networkError(err)));
        req.on('response', (res) => {
            res.on('error', () => undefined); // read below: its failure arrives as the iteration's
            readAtMost(res, r.maxBody).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }), (err) => fail(failed ?? (err.code === 'EPROTO' ? err : networkError(err))));
        });
        if (typeof r.body === 'function') {
            const stream = r.body();
            writeExactly(req, stream, r)
                .catch(fail)
                .finally(() => stream.destroy());
        }
        else
            req.end(r.body);
    });
    return {
        request: (r) => (agent.closed ? Promise.reject(coded('ECONNABORTED', 'the connections are closed')) : request(r)),
        close() {
            agent.closed = true;
            for (const sockets of Object.values(agent.freeSockets))
                for (const s of sockets ?? [])
                    s.destroy();
        },
    };
}

// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/rules/paths.ts
var paths = __webpack_require__(6619);
;// CONCATENATED MODULE: ./src/assets/local.ts
/**
 * Walk `static-dir` safely. Nothing outside the directory is ever read, and nothing but regular files is uploaded:
 * - symlinks are resolved and skipped (with a warning) when their real path leaves the directory;
 * - symlinked directories inside it are followed (a link back to an ancestor is skipped: no cycles);
 * - FIFOs, sockets and devices (directly or through a symlink) are skipped with a warning, and never opened: a
 *   FIFO's open would wait for a writer forever;
 * - names that are not valid UTF-8 are skipped with a warning: they have no faithful object key (decoding would
 *   turn them into U+FFFD, and two such names into the same key);
 * - keys are POSIX relative paths, checked for `..`, empty and absolute segments even though a walk
 *   cannot produce them;
 * - keys longer than S3's limit (1,024 bytes of UTF-8, the bucket prefix included) are skipped, all reported in
 *   one warning at the end of the walk, before anything is uploaded;
 * - dotfiles and dot-directories are skipped unless `includeDotfiles`; `.faas-preview/` at the top always is: the edge
 *   routes that path to the edge service, and the sync keeps its content manifest there (manifest.ts).
 * Only metadata (lstat/stat/realpath) is read here, with synchronous calls: a few microseconds each for a local
 * directory, a third of the time of their promise forms (thread-pool round trips) on a 2,000-file site. Contents are
 * read by the sync, from `path`, which is always the real path inside the directory.
 */



/** A file is no longer what the walk saw (size, type): the sync fails rather than send something else. */
class FileChanged extends Error {
    /** `subject`: the file's path, or the request that was sending it. */
    constructor(subject, what) {
        super(`${subject}: the file changed during the sync (${what})`);
        this.name = 'FileChanged';
    }
}
/** The top-level folder the edge reserves for the edge service (never served from the bucket): not synced. */
const RESERVED_DIR = '.faas-preview';
/** S3's limit on an object key, in bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;
/** Over-long keys named in the warning; the rest are counted. */
const LONG_KEYS_SHOWN = 5;
/** A safe object key suffix: relative, no empty, `.` or `..` segments, no backslashes or control chars. */
function isSafeKey(key) {
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    if (key === '' || key.startsWith('/') || key.includes('\\') || /[\x00-\x1f]/.test(key))
        return false;
    return key.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}
/** What a non-regular, non-directory entry is, for the warning; undefined for files and directories. */
function specialKind(e) {
    if (e.isFIFO())
        return 'a FIFO (named pipe)';
    if (e.isSocket())
        return 'a socket';
    if (e.isBlockDevice())
        return 'a block device';
    if (e.isCharacterDevice())
        return 'a character device';
    return undefined;
}
/** The name decoded, or undefined when it is not valid UTF-8 (decoding would not give the same bytes back). */
function utf8Name(raw) {
    return (0,external_node_buffer_.isUtf8)(raw) ? raw.toString('utf8') : undefined;
}
/** A name that is not UTF-8, printable: ASCII as it is, every other byte as `\xNN`. */
function escapeBytes(raw) {
    let out = '';
    for (const b of raw)
        out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return out;
}
/** One warning for every key over the limit, with the first few (each shortened in its middle). */
function longKeysWarning(keys, keyPrefix) {
    const shorten = (k) => (k.length > 100 ? `${k.slice(0, 60)}…${k.slice(-39)}` : k);
    const shown = keys
        .slice(0, LONG_KEYS_SHOWN)
        .map((k) => `${JSON.stringify(shorten(k))} (${Buffer.byteLength(keyPrefix + k)} bytes)`);
    const more = keys.length > LONG_KEYS_SHOWN ? `, and ${keys.length - LONG_KEYS_SHOWN} more` : '';
    return (`skipping ${keys.length} file(s) whose object key would be longer than S3's limit of ${MAX_KEY_BYTES} bytes ` +
        `(UTF-8, with the prefix ${JSON.stringify(keyPrefix)}): ${shown.join(', ')}${more}; shorten their paths under static-dir`);
}
function walkLocal(dir, opts) {
    const root = (0,external_node_fs_.realpathSync)(dir);
    const st = (0,external_node_fs_.statSync)(root);
    if (!st.isDirectory())
        throw new Error(`static-dir ${dir} is not a directory`);
    const warn = (line) => opts.log?.(`warning: ${line}`);
    const bucketPrefix = opts.keyPrefix ?? '';
    const files = [];
    const tooLong = [];
    /**
     * A directory's entries with their names. Read as strings (a walk's own cost halves against names as bytes); a name
     * that is not valid UTF-8 decodes with U+FFFD, and only a directory with such a name is read again by bytes, to
     * skip (with a warning) the names that really are not UTF-8.
     */
    function entriesOf(realDir, dirKey) {
        const entries = (0,external_node_fs_.readdirSync)(realDir, { withFileTypes: true });
        if (!entries.some((e) => e.name.includes('\ufffd')))
            return entries.map((e) => [e, e.name]);
        const named = [];
        for (const entry of (0,external_node_fs_.readdirSync)(realDir, { withFileTypes: true, encoding: 'buffer' })) {
            const name = utf8Name(entry.name);
            if (name !== undefined)
                named.push([entry, name]);
            else if (entry.name[0] !== 0x2e /* . */ || opts.includeDotfiles)
                warn(`skipping ${dirKey}${escapeBytes(entry.name)}: its name is not valid UTF-8, so it has no object key`);
        }
        return named;
    }
    /** `ancestors`: real paths of the directories on the way down, to cut symlink cycles. */
    function walk(realDir, dirKey, ancestors) {
        let entries;
        try {
            entries = entriesOf(realDir, dirKey);
        }
        catch (err) {
            warn(`cannot read directory ${dirKey || '.'}: ${err.message}`);
            return;
        }
        for (const [entry, name] of entries)
            visit(entry, name, realDir, dirKey, ancestors);
    }
    /** `dirKey`: the key of the entry's directory, `''` or ending with `/` (a safe key, as the name is checked to be). */
    function visit(entry, name, realDir, dirKey, ancestors) {
        if (name[0] === '.' && !opts.includeDotfiles)
            return;
        const key = dirKey + name;
        if (key === RESERVED_DIR) {
            warn(`skipping ${key}/: the edge reserves that path, and the sync keeps its own state there`);
            return;
        }
        if (!isSafeKey(name)) {
            warn(`skipping ${JSON.stringify(key)}: not a safe object key`);
            return;
        }
        let full = realDir.endsWith('/') ? realDir + name : `${realDir}/${name}`; // real paths: nothing to normalise
        let kind = entry;
        if (entry.isSymbolicLink()) {
            let real;
            try {
                real = (0,external_node_fs_.realpathSync)(full);
            }
            catch {
                warn(`skipping ${key}: broken symlink`);
                return;
            }
            if (!(0,paths/* inside */.nx)(root, real)) {
                warn(`skipping ${key}: symlink points outside static-dir`);
                return;
            }
            full = real;
            kind = (0,external_node_fs_.statSync)(real);
        }
        const special = specialKind(kind);
        if (special) {
            warn(`skipping ${key}: ${special}, not a regular file`);
            return;
        }
        if (kind.isDirectory()) {
            if (ancestors.has(full)) {
                warn(`skipping ${key}: symlink cycle`);
                return;
            }
            walk(full, key + '/', new Set([...ancestors, full]));
        }
        else if (kind.isFile()) {
            if (Buffer.byteLength(bucketPrefix + key) > MAX_KEY_BYTES) {
                tooLong.push(key);
                return;
            }
            const { size } = kind instanceof external_node_fs_.Stats ? kind : (0,external_node_fs_.statSync)(full); // a symlink's target was stat'ed above
            files.push({ key, path: full, size });
        }
    }
    walk(root, '', new Set([root]));
    if (tooLong.length)
        warn(longKeysWarning(tooLong.sort(), bucketPrefix));
    return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

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

;// CONCATENATED MODULE: ./src/assets/manifest.ts
/**
 * The content manifest (issue 22): for each key of a preview, the SHA-256 content id of what this action uploaded or
 * found unchanged, with the object's size and ETag. A push then proves an unchanged file with SHA-256, which runs in
 * hardware on current CPUs (2.7× MD5's speed on the bench machine), instead of MD5; a file whose id differs is
 * changed and is uploaded without an MD5 at all.
 *
 * Never trusted over the truth:
 * - an entry is used only when the listing shows the same size and ETag as the entry: any later write of the object
 *   (another tool, a failed run) changes its ETag, and the file is compared by MD5 as before;
 * - the object carries an HMAC over its bytes, keyed from the secret of the credentials that write the bucket, and
 *   names its bucket and prefix: a manifest written by anyone without that secret (tampered, forged, copied from
 *   another preview) or by another version is ignored, and the sync compares by MD5;
 * - an entry states a fact about content (these bytes were uploaded and got this ETag), true however old it is.
 * With credentials whose secret changes every run (OIDC sessions) no manifest verifies: every push then compares by
 * MD5, and stops recording ids once it saw one it could not verify (see `recording` in sync.ts).
 *
 * The object lives under the preview's own prefix, `<name>/.faas-preview/assets.json`: teardown and the sweeper
 * delete it with the prefix, and the edge routes `/.faas-preview/` to the edge service, never to the bucket.
 */



/** The manifest's key, relative to the preview prefix, in the folder the walk never uploads (local.ts). */
const MANIFEST_KEY = `${RESERVED_DIR}/assets.json`;
const VERSION = 1;
/**
 * A digest of each PART_SIZE part, as the bytes go by: the parts of a multipart upload, sent apart, give the same
 * digests as one pass over the file (SHA-256 for content ids, MD5 for multipart ETags).
 */
class PartHasher {
    algorithm;
    partSize;
    parts = [];
    part;
    inPart = 0;
    constructor(algorithm = 'sha256', partSize = PART_SIZE) {
        this.algorithm = algorithm;
        this.partSize = partSize;
        this.part = (0,external_node_crypto_.createHash)(algorithm);
    }
    update(chunk) {
        for (let off = 0; off < chunk.length;) {
            const take = Math.min(chunk.length - off, this.partSize - this.inPart);
            this.part.update(chunk.subarray(off, off + take));
            this.inPart += take;
            off += take;
            if (this.inPart === this.partSize)
                this.endPart();
        }
    }
    /** The part digests, in order (the last, partial part included). */
    digests() {
        if (this.inPart > 0 || this.parts.length === 0)
            this.endPart();
        return this.parts;
    }
    endPart() {
        this.parts.push(this.part.digest());
        this.part = (0,external_node_crypto_.createHash)(this.algorithm);
        this.inPart = 0;
    }
}
/** A file's content id: SHA-256 over the SHA-256 digests of its PART_SIZE parts, in order. */
function contentId(partDigests) {
    const h = (0,external_node_crypto_.createHash)('sha256');
    for (const d of partDigests)
        h.update(d);
    return h.digest('hex');
}
/** The content id of bytes in memory (one part at most: by one-shot calls, no hash object per file). */
function contentIdOf(data, partSize = PART_SIZE) {
    if (data.length <= partSize)
        return (0,external_node_crypto_.hash)('sha256', (0,external_node_crypto_.hash)('sha256', data, 'buffer'), 'hex');
    const h = new PartHasher('sha256', partSize);
    h.update(data);
    return contentId(h.digests());
}
/** The object's text: the MAC, a newline, the JSON body it covers. */
function encodeManifest(entries, scope, mac) {
    const files = {};
    for (const [key, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        files[key] = [e.id, e.etag, e.size];
    const body = JSON.stringify({ version: VERSION, bucket: scope.bucket, prefix: scope.prefix, files });
    return `${mac(body)}\n${body}`;
}
/** The entries of a manifest this action wrote for `scope`; undefined for anything else (not verified, not ours). */
function decodeManifest(text, scope, mac) {
    const nl = text.indexOf('\n');
    if (nl < 0)
        return undefined;
    const body = text.slice(nl + 1);
    if (!sameMac(text.slice(0, nl), mac(body)))
        return undefined;
    let parsed;
    try {
        parsed = JSON.parse(body);
    }
    catch {
        return undefined;
    }
    if (parsed.version !== VERSION || parsed.bucket !== scope.bucket || parsed.prefix !== scope.prefix)
        return undefined;
    const out = new Map();
    for (const [key, v] of Object.entries(parsed.files ?? {})) {
        if (!Array.isArray(v) || v.length !== 3)
            return undefined;
        const [id, etag, size] = v;
        if (typeof id !== 'string' || typeof etag !== 'string' || !Number.isSafeInteger(size))
            return undefined;
        out.set(key, { id, etag, size });
    }
    return out;
}
/** Constant-time comparison of two MACs (different lengths differ). */
function sameMac(a, b) {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && (0,external_node_crypto_.timingSafeEqual)(x, y);
}
/** An HMAC-SHA256 keyed from `secret` for this purpose only (the secret itself never signs a manifest). */
function manifestMac(secret) {
    const key = (0,external_node_crypto_.createHmac)('sha256', secret).update('faas-preview asset manifest').digest();
    return (body) => (0,external_node_crypto_.createHmac)('sha256', key).update(body).digest('hex');
}
/** The entry of `key` when it describes the object the listing shows now (same size and ETag as the file). */
function usableEntry(manifest, key, remote, size) {
    const e = manifest?.get(key);
    return e && e.size === size && remote.size === size && e.etag === remote.etag ? e : undefined;
}

;// CONCATENATED MODULE: ./src/assets/sigv4.ts
/**
 * AWS Signature Version 4 for S3 requests, on node:crypto: the Authorization header of the lean calls (lean.ts) and
 * the query of the edge's presigned reads (read-signer.ts). It is the algorithm of AWS's SigV4 documentation, as
 * S3 checks it (the path signed as sent, encoded once; the payload not hashed: UNSIGNED-PAYLOAD). Written here
 * rather than taken from @smithy/signature-v4 because loading that library and what it pulls in took about 50 ms of
 * every run's start-up; a unit test signs the same requests with it and expects the same signatures, and every
 * integration test against radosgw, which checks each signature, goes through this one.
 */

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** What proxies and clients change on the way, never signed (as AWS's own SDKs leave them out). */
const UNSIGNED = new Set([
    'authorization',
    'cache-control',
    'connection',
    'expect',
    'from',
    'keep-alive',
    'max-forwards',
    'pragma',
    'referer',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'user-agent',
    'x-amzn-trace-id',
]);
/** RFC 3986 encoding: everything but the unreserved characters, as SigV4 canonicalises a query or path segment. */
function encodeRfc3986(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** An object key as a URL path: each segment encoded, `/` kept. */
function encodeKeyPath(key) {
    return key.split('/').map(encodeRfc3986).join('/');
}
/** The canonical query string, which is also what is sent: names and values encoded, sorted by name then value. */
function canonicalQuery(query = {}) {
    return Object.entries(query)
        .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)])
        .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
}
const hmac = (key, data) => (0,external_node_crypto_.createHmac)('sha256', key).update(data).digest();
/** The last second formatted, with its text: a sync signs hundreds of requests a second. */
let formatted = { second: NaN, text: '' };
/** `YYYYMMDDTHHMMSSZ`. */
function longDate(d) {
    const second = Math.floor(d.getTime() / 1000);
    if (second !== formatted.second)
        formatted = {
            second,
            text: d
                .toISOString()
                .replace(/[-:]/g, '')
                .replace(/\.\d{3}/, ''),
        };
    return formatted.text;
}
class SigV4 {
    scope;
    keys = new Map();
    constructor(scope) {
        this.scope = scope;
    }
    /** The request's headers with `x-amz-date`, the session token if any, and `authorization` added. */
    sign(r, creds, date) {
        const amzDate = longDate(date);
        const headers = { ...r.headers, 'x-amz-date': amzDate };
        if (creds.sessionToken)
            headers['x-amz-security-token'] = creds.sessionToken;
        const payload = headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD';
        const signed = Object.keys(headers)
            .filter((h) => !UNSIGNED.has(h) && !/^(proxy|sec)-/.test(h))
            .sort();
        const { scope, signature } = this.signature(r, { headers, signed, payload, amzDate }, creds);
        headers.authorization = `${ALGORITHM} Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
        return headers;
    }
    /** The query that presigns a GET of `path` (only `host` signed, the payload unsigned), valid `expiresS` seconds. */
    presign(r, creds, date, expiresS) {
        const amzDate = longDate(date);
        const query = {
            'X-Amz-Algorithm': ALGORITHM,
            'X-Amz-Credential': `${creds.accessKeyId}/${this.scopeOf(amzDate)}`,
            'X-Amz-Date': amzDate,
            'X-Amz-Expires': String(expiresS),
            'X-Amz-SignedHeaders': 'host',
            ...(creds.sessionToken ? { 'X-Amz-Security-Token': creds.sessionToken } : {}),
            // in the query, as the SDK's presigner puts it (and so signed with it): the payload is not hashed
            'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        };
        const { signature } = this.signature({ ...r, query }, { headers: r.headers, signed: ['host'], payload: 'UNSIGNED-PAYLOAD', amzDate }, creds);
        return canonicalQuery({ ...query, 'X-Amz-Signature': signature });
    }
    scopeOf(amzDate) {
        return `${amzDate.slice(0, 8)}/${this.scope.region}/${this.scope.service}/aws4_request`;
    }
    signature(r, c, creds) {
        const canonicalHeaders = c.signed.map((h) => `${h}:${c.headers[h].replace(/\s+/g, ' ').trim()}\n`).join('');
        const canonical = [r.method, r.path, canonicalQuery(r.query), canonicalHeaders, c.signed.join(';'), c.payload].join('\n');
        const scope = this.scopeOf(c.amzDate);
        const toSign = [ALGORITHM, c.amzDate, scope, (0,external_node_crypto_.hash)('sha256', canonical, 'hex')].join('\n');
        return { scope, signature: (0,external_node_crypto_.createHmac)('sha256', this.key(creds, c.amzDate)).update(toSign).digest('hex') };
    }
    /** The day's signing key, derived once per day and secret. */
    key(creds, amzDate) {
        const day = amzDate.slice(0, 8);
        const id = `${day}\n${creds.secretAccessKey}`;
        let key = this.keys.get(id);
        if (!key) {
            const { region, service } = this.scope;
            key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), service), 'aws4_request');
            this.keys.clear(); // one day and secret at a time: a long-lived edge service does not collect them
            this.keys.set(id, key);
        }
        return key;
    }
}

;// CONCATENATED MODULE: ./src/assets/lean.ts







/** A page of 1,000 keys of up to 1,024 bytes each, XML-escaped, with their metadata, stays well below this. */
const MAX_LISTING = 16 * 1024 * 1024;
/** A PUT's answer: empty, or an S3 error document of a few hundred bytes. */
const MAX_ANSWER = 64 * 1024;
/** An S3 error answer, in the shape of the SDK's service exceptions (name = S3's Code). */
class S3ResponseError extends Error {
    headers;
    Code;
    /** The body's `<Message>` as it was, possibly empty. */
    Message;
    $metadata;
    $fault;
    constructor(status, code, message, what, headers = {}) {
        super(`${what} answered HTTP ${status} ${code || '(no S3 error code)'}${message ? `: ${message}` : ''}`);
        this.headers = headers;
        this.name = code || `Http${status}`;
        this.Code = code;
        this.Message = message;
        const requestId = headers['x-amz-request-id'];
        this.$metadata = { httpStatusCode: status, requestId: typeof requestId === 'string' ? requestId : undefined };
        this.$fault = status >= 500 ? 'server' : 'client';
    }
}
/** `<Code>` and `<Message>` of an S3 XML error body (empty strings when absent, e.g. HEAD or no body). */
function parseS3Error(xml) {
    const tag = (name) => unescapeXml((lean_elements(xml, name)[0] ?? '').trim());
    return { code: tag('Code'), message: tag('Message') };
}
function unescapeXml(s) {
    if (!s.includes('&'))
        return s;
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
/** The text of every `<name>` element in `xml`, in order (S3 puts no attributes on these). */
function lean_elements(xml, name) {
    const out = [];
    const open = `<${name}>`;
    const close = `</${name}>`;
    for (let at = xml.indexOf(open); at !== -1; at = xml.indexOf(open, at)) {
        const end = xml.indexOf(close, at);
        if (end === -1)
            break;
        out.push(xml.slice(at + open.length, end));
        at = end + close.length;
    }
    return out;
}
/** A date S3 sent (ISO 8601); undefined when absent or not a date. */
function dateOf(text) {
    const ms = text === undefined ? NaN : Date.parse(text.trim());
    return Number.isNaN(ms) ? undefined : new Date(ms);
}
/** A ListObjectsV2 answer (ListBucketResult) as the sync and the state store need it; throws when it is not one. */
function parseListPage(xml) {
    if (!xml.includes('<ListBucketResult'))
        throw new Error('the answer is not a ListBucketResult');
    const objects = lean_elements(xml, 'Contents').map((c) => {
        const [key] = lean_elements(c, 'Key');
        const [size] = lean_elements(c, 'Size');
        if (key === undefined || !/^\d+$/.test(size ?? ''))
            throw new Error('a <Contents> entry without a Key or a Size');
        const etag = unescapeXml(lean_elements(c, 'ETag')[0] ?? '');
        return { key: unescapeXml(key), size: Number(size), etag, lastModified: dateOf(lean_elements(c, 'LastModified')[0]) };
    });
    const outside = xml.replace(/<Contents>[\s\S]*?<\/Contents>/g, '');
    const prefixes = lean_elements(outside, 'CommonPrefixes').flatMap((c) => lean_elements(c, 'Prefix').map(unescapeXml));
    const truncated = lean_elements(outside, 'IsTruncated')[0]?.trim() === 'true';
    const token = lean_elements(outside, 'NextContinuationToken')[0];
    return { objects, prefixes, truncated, nextToken: token === undefined ? undefined : unescapeXml(token) };
}
/**
 * `bucket`'s PutObject endpoint as `client` resolves it, or undefined when it needs what only the SDK does:
 * another auth scheme than plain SigV4 (S3 Express, multi-region access points), an endpoint that is
 * neither http nor https, or an endpoint the rules reject (the SDK path then reports it in its own words).
 */
async function resolveTarget(client, bucket) {
    const { PutObjectCommand, getEndpointFromInstructions } = await Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(927)]).then(__webpack_require__.bind(__webpack_require__, 8927));
    let endpoint;
    try {
        endpoint = await getEndpointFromInstructions({ Bucket: bucket, Key: 'k' }, PutObjectCommand, client.config);
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
/** The target and credentials from the SDK's client: its endpoint rules and provider chain. */
async function fromSdk(s3, bucket) {
    const client = await s3.client();
    const config = client.config;
    if (typeof config.credentials !== 'function')
        return undefined;
    const resolved = await resolveTarget(client, bucket);
    if (!resolved || resolved.signingName !== 's3')
        return undefined;
    const provider = config.credentials;
    let creds;
    const credentials = async () => {
        // the provider memoises and refreshes by itself; asking it again only when ours is about to expire
        if (!creds || (creds.expiration && creds.expiration.getTime() - Date.now() < 5 * 60_000))
            creds = await provider();
        return creds;
    };
    return { url: resolved.url, region: resolved.signingRegion, credentials, clock: config };
}
/**
 * `bucket`'s endpoint and a signer for it (for the lean calls and the edge's presigned reads): from the settings alone
 * when they allow it (s3.ts), else as the SDK's client resolves them; undefined when only the SDK can sign for it.
 */
async function bucketSigner(s3, bucket) {
    const direct = s3.direct(bucket);
    const target = direct
        ? { ...direct, credentials: () => Promise.resolve(direct.credentials), clock: {} }
        : await fromSdk(s3, bucket);
    if (!target)
        return undefined;
    const { url, clock } = target;
    const base = url.pathname.endsWith('/') ? url.pathname : url.pathname + '/';
    const signingDate = () => new Date(Date.now() + (clock.systemClockOffset ?? 0));
    const signer = new SigV4({ region: target.region, service: 's3' });
    return { url, base, signer, credentials: target.credentials, clock, signingDate };
}
const XML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** A DeleteObjects body: the keys XML-escaped (control characters as character references, as the SDK sends them). */
function deleteBody(keys) {
    const escape = (k) => k.replace(/[&<>"'\p{Cc}\u2028]/gu, (c) => XML_ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16)};`);
    const objects = keys.map((k) => `<Object><Key>${escape(k)}</Key></Object>`).join('');
    return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${objects}</Delete>`);
}
/** The keys a DeleteObjects answer (DeleteResult) says failed, with S3's code and message; throws when it is not one. */
function parseDeleteResult(xml) {
    if (!xml.includes('<DeleteResult'))
        throw new Error('the answer is not a DeleteResult');
    return lean_elements(xml, 'Error').map((e) => {
        const tag = (name) => unescapeXml(lean_elements(e, name)[0] ?? '');
        return { key: tag('Key'), code: tag('Code'), message: tag('Message') };
    });
}
/** Signs each call, sends it once, and turns a non-2xx answer into an S3ResponseError; counts the attempts. */
function sender(signing, http, attempts) {
    const { url, signer, clock } = signing;
    return async (r) => {
        const query = canonicalQuery(r.query);
        const target = query ? `${r.path}?${query}` : r.path;
        const what = `${r.method} ${url.protocol}//${url.host}${target}`;
        const toSign = {
            method: r.method,
            path: r.path,
            query: r.query,
            headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...r.headers },
        };
        const signed = signer.sign(toSign, await signing.credentials(), signing.signingDate());
        attempts.n++;
        let res;
        try {
            res = await http.request({ ...r, path: target, headers: { ...signed, 'user-agent': 'faas-preview' } });
        }
        catch (err) {
            if (err instanceof FileChanged)
                throw err;
            const e = err;
            throw Object.assign(new Error(`${what}: ${e.message}`, { cause: err }), { code: e.code });
        }
        if (res.status >= 200 && res.status < 300)
            return res;
        const { code, message } = parseS3Error(res.body.toString('utf8'));
        if (code === 'RequestTimeTooSkewed' || code === 'RequestExpired') {
            // the SDK's own skew correction, shared with it: the next attempt is signed with the server's time
            const serverTime = Date.parse(typeof res.headers.date === 'string' ? res.headers.date : '');
            if (!Number.isNaN(serverTime))
                clock.systemClockOffset = serverTime - Date.now();
        }
        throw new S3ResponseError(res.status, code, message, what, res.headers);
    };
}
/** A body that must be `size` bytes: the file changed since the walk when it is not (lean-http.ts checks). */
function sizeCheck(what, size) {
    return {
        size,
        sizeMismatch: (sent) => new FileChanged(what, sent > size
            ? `it grew past the ${size} bytes the walk saw`
            : `it shrank to ${sent} of the ${size} bytes the walk saw`),
    };
}
/** The headers of a small XML body (DeleteObjects, CompleteMultipartUpload): its hash is signed, not UNSIGNED-PAYLOAD. */
const xmlBody = (body) => ({
    'content-type': 'application/xml',
    'x-amz-content-sha256': (0,external_node_crypto_.hash)('sha256', body, 'hex'),
});
/** The answer's ETag header, normalised (empty when there was none). */
const etagOf = (res) => normalizeEtag(typeof res.headers.etag === 'string' ? res.headers.etag : undefined);
/**
 * A multipart upload's calls (when the target is signed here, the SDK is not needed for large files either). S3 may
 * answer CompleteMultipartUpload with 200 and an error document: that rejects like an error status.
 */
function multipartCalls(send, signing) {
    const { url, base } = signing;
    const path = (key) => base + encodeKeyPath(key);
    return {
        async createMultipart(key, h) {
            const headers = { 'content-type': h.contentType, 'cache-control': h.cacheControl };
            const res = await send({
                method: 'POST',
                path: path(key),
                query: { uploads: '' },
                headers,
                size: 0,
                maxBody: MAX_ANSWER,
            });
            const id = lean_elements(res.body.toString('utf8'), 'UploadId')[0];
            if (!id)
                throw new Error(`POST ${url.protocol}//${url.host}${path(key)}?uploads: the answer holds no UploadId`);
            return unescapeXml(id);
        },
        async putPart(key, uploadId, partNumber, body, size) {
            const query = { partNumber: String(partNumber), uploadId };
            const what = `PUT ${url.protocol}//${url.host}${path(key)} part ${partNumber}`;
            return etagOf(await send({ method: 'PUT', path: path(key), query, body, ...sizeCheck(what, size), maxBody: MAX_ANSWER }));
        },
        async completeMultipart(key, uploadId, parts) {
            const list = parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>"${p.etag}"</ETag></Part>`);
            const body = Buffer.from(`<CompleteMultipartUpload>${list.join('')}</CompleteMultipartUpload>`);
            const res = await send({
                method: 'POST',
                path: path(key),
                query: { uploadId },
                headers: xmlBody(body),
                body,
                size: body.length,
                maxBody: MAX_ANSWER,
            });
            const xml = res.body.toString('utf8');
            if (!xml.includes('<CompleteMultipartUploadResult')) {
                const { code, message } = parseS3Error(xml);
                throw new S3ResponseError(res.status, code, message, `POST ${url.protocol}//${url.host}${path(key)}?uploadId`, res.headers);
            }
            return normalizeEtag(unescapeXml(lean_elements(xml, 'ETag')[0] ?? ''));
        },
        async abortMultipart(key, uploadId) {
            await send({ method: 'DELETE', path: path(key), query: { uploadId }, size: 0, maxBody: MAX_ANSWER });
        },
    };
}
/** Lean calls to `bucket` with `s3`'s endpoint, credentials and clock; undefined: use the SDK. */
async function createLeanS3(s3, bucket, opts) {
    const signing = await bucketSigner(s3, bucket);
    if (!signing)
        return undefined;
    const { url, base } = signing;
    await signing.credentials(); // fail early (no credentials at all) rather than once per file
    const http = createLeanHttp({ origin: url, connections: opts.maxSockets, timeoutMs: s3.requestTimeoutMs });
    const attempts = { n: 0 };
    const send = sender(signing, http, attempts);
    const bucketPath = base === '/' ? base : base.slice(0, -1); // the bucket itself: `/<bucket>` path-style, `/` virtual-hosted
    return {
        ...multipartCalls(send, signing),
        async put(key, body, size, h) {
            const path = base + encodeKeyPath(key);
            const res = await send({
                method: 'PUT',
                path,
                headers: { 'content-type': h.contentType, 'cache-control': h.cacheControl },
                body,
                ...sizeCheck(`PUT ${url.protocol}//${url.host}${path}`, size),
                maxBody: MAX_ANSWER,
            });
            return etagOf(res);
        },
        async get(key, maxBytes) {
            try {
                return (await send({ method: 'GET', path: base + encodeKeyPath(key), size: 0, maxBody: maxBytes })).body;
            }
            catch (err) {
                if (err instanceof S3ResponseError && err.$metadata.httpStatusCode === 404)
                    return undefined;
                throw err;
            }
        },
        manifestMac: async () => manifestMac((await signing.credentials()).secretAccessKey),
        async list(prefix, from = {}) {
            const query = {
                'list-type': '2',
                prefix,
                ...(from.token ? { 'continuation-token': from.token } : {}),
                ...(from.startAfter ? { 'start-after': from.startAfter } : {}),
                ...(from.maxKeys ? { 'max-keys': String(from.maxKeys) } : {}),
                ...(from.delimiter ? { delimiter: from.delimiter } : {}),
            };
            const res = await send({ method: 'GET', path: bucketPath, query, size: 0, maxBody: MAX_LISTING });
            return parseListPage(res.body.toString('utf8'));
        },
        async deleteOne(key) {
            await send({ method: 'DELETE', path: base + encodeKeyPath(key), size: 0, maxBody: MAX_ANSWER });
        },
        async deleteMany(keys) {
            const body = deleteBody(keys);
            const res = await send({
                method: 'POST',
                path: bucketPath,
                query: { delete: '' },
                // S3 requires the body's MD5 (or a checksum) on DeleteObjects; the payload hash is signed too
                headers: {
                    ...xmlBody(body),
                    'content-md5': (0,external_node_crypto_.hash)('md5', body, 'base64'),
                },
                body,
                size: body.length,
                maxBody: MAX_LISTING,
            });
            return parseDeleteResult(res.body.toString('utf8'));
        },
        requests: () => attempts.n,
        close: () => http.close(),
    };
}

// EXTERNAL MODULE: ./src/retry.ts
var retry = __webpack_require__(9809);
;// CONCATENATED MODULE: ./src/assets/s3-call.ts




/** Errors of reading the file to send; anything else without an HTTP answer happened on the way to the server. */
const FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EMFILE', 'ENFILE', 'EIO']);
/** The SDK's `message` when the error body has no `<Message>`. */
const SDK_NO_MESSAGE = 'UnknownError';
function failureOf(err) {
    const e = (err ?? {});
    const message = typeof e.message === 'string' ? e.message : String(err);
    const status = e.$metadata?.httpStatusCode;
    if (status !== undefined) {
        // lean.ts's S3ResponseError carries the body's Message as it was; the SDK's `message` is it or its placeholder
        const said = typeof e.Message === 'string' ? e.Message : message === SDK_NO_MESSAGE ? '' : message;
        return {
            kind: 'answer',
            status,
            code: e.Code || undefined,
            message: said,
            headers: e.headers ?? e.$response?.headers ?? {},
        };
    }
    const local = err instanceof FileChanged || FILE_ERRORS.has(e.code ?? '');
    const text = e.code && !message.includes(e.code) ? `${e.code} ${message}` : message;
    return { kind: local ? 'local' : 'network', message: text, headers: {} };
}
const TRANSIENT_CODES = new Set([
    'SlowDown',
    'RequestTimeout',
    'RequestTimeTooSkewed', // the SDK and lean.ts correct their clock offset from the answer's Date before the next attempt
    'RequestExpired',
    'InternalError',
    'ServiceUnavailable',
    'Throttling',
    'ThrottlingException',
]);
/** Network errors, 408, 429, 5xx, and S3's throttling, timeout and clock-skew codes are worth another attempt. */
function transientS3(f) {
    if (f.kind === 'network')
        return {};
    if (f.kind === 'local')
        return false; // the file changed or cannot be read: another attempt reads the same
    if (f.code && TRANSIENT_CODES.has(f.code))
        return {};
    return f.status === undefined ? false : (0,call/* transientStatus */.fO)(f.status, f.headers);
}
const HINTS = {
    SignatureDoesNotMatch: 'the server signs with another secret for this access key: check aws-secret-access-key',
    InvalidAccessKeyId: 'the server does not know this access key: check aws-access-key-id (and s3-endpoint)',
    AccessDenied: 'the credentials may not do this: they need s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket',
    NoSuchBucket: 'check the bucket input (and s3-endpoint)',
    RequestTimeTooSkewed: "the runner's clock is too far from the server's",
    InvalidObjectName: "S3 keys are at most 1,024 bytes of UTF-8, the preview's prefix included",
    KeyTooLongError: "S3 keys are at most 1,024 bytes of UTF-8, the preview's prefix included",
};
function describeTarget(t) {
    return t.key !== undefined ? `s3://${t.bucket}/${t.key}` : `prefix s3://${t.bucket}/${t.prefix ?? ''}`;
}
function describeFailure(f) {
    if (f.kind !== 'answer')
        return f.message;
    const said = (0,untrusted/* sanitize */.aj)(f.message, { max: 300 });
    const hint = f.code && HINTS[f.code];
    const head = f.status === undefined ? f.code : `HTTP ${f.status} ${f.code ?? '(no S3 error code)'}`;
    return `${head}${said ? `: ${said}` : ' (the server sent no message)'}${hint ? `; ${hint}` : ''}`;
}
class S3OperationError extends Error {
    target;
    failure;
    attempts;
    constructor(target, failure, attempts = 1, cause) {
        const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
        super(`${target.operation} ${describeTarget(target)}: ${describeFailure(failure)}${tries}`, { cause });
        this.target = target;
        this.failure = failure;
        this.attempts = attempts;
        this.name = 'S3OperationError';
    }
    get status() {
        return this.failure.status;
    }
    get code() {
        return this.failure.code;
    }
}
/** Runs `fn` (one attempt of `target`'s request each call); any failure becomes an S3OperationError. */
async function s3Operation(target, fn, o = {}) {
    const attempt = async () => {
        try {
            return await fn();
        }
        catch (err) {
            throw err instanceof S3OperationError ? err : new S3OperationError(target, failureOf(err), 1, err);
        }
    };
    if (!o.retry)
        return attempt();
    try {
        return await (0,retry/* withRetry */.bD)(attempt, {
            what: `${target.operation} ${describeTarget(target)}`,
            transient: (err) => (err instanceof S3OperationError ? transientS3(err.failure) : false),
            log: o.log,
            policy: o.policy,
        });
    }
    catch (err) {
        if (err instanceof retry/* RetriesExhausted */.w1 && err.last instanceof S3OperationError) {
            throw new S3OperationError(target, err.last.failure, err.attempts, err.last.cause);
        }
        throw err;
    }
}

;// CONCATENATED MODULE: ./src/assets/remote.ts



/** Counts the HTTP attempts of the commands passed through `count` (the deserialize step runs once per attempt). */
class RequestCounter {
    n = 0;
    count(command) {
        command.middlewareStack.add((next) => async (args) => {
            this.n++;
            return next(args);
        }, { step: 'deserialize', name: 'faasPreviewRequestCounter' });
        return command;
    }
    get requests() {
        return this.n;
    }
}
function checkPrefix(prefix) {
    if (!prefix || !prefix.endsWith('/') || prefix.startsWith('/') || prefix.split('/').includes('..')) {
        throw new Error(`invalid asset prefix ${JSON.stringify(prefix)}: expected "<name>/"`);
    }
}
/** A page of the SDK's ListObjectsV2 output, as lean.ts reads one. */
function sdkPage(p) {
    return {
        objects: (p.Contents ?? []).map((o) => ({
            key: o.Key ?? '',
            size: o.Size ?? 0,
            etag: o.ETag ?? '',
            lastModified: o.LastModified,
        })),
        prefixes: (p.CommonPrefixes ?? []).flatMap((c) => (c.Prefix ? [c.Prefix] : [])),
        truncated: !!p.IsTruncated,
        nextToken: p.NextContinuationToken,
    };
}
/** One page of `prefix`'s listing (the sync's, the teardown's and the state store's). */
async function listPage(l, bucket, prefix, from) {
    const { lean } = l;
    const target = { operation: 'ListObjectsV2', bucket, prefix };
    if (lean)
        return s3Operation(target, () => lean.list(prefix, from), { retry: true, log: l.log });
    const [client, { ListObjectsV2Command }] = await Promise.all([l.s3.client(), Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(927)]).then(__webpack_require__.bind(__webpack_require__, 8927))]);
    const command = new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        Delimiter: from.delimiter,
        ContinuationToken: from.token,
        StartAfter: from.startAfter,
        MaxKeys: from.maxKeys,
    });
    return sdkPage(await s3Operation(target, () => client.send(l.counter.count(command))));
}
/**
 * S3's order of keys: by their UTF-8 bytes, compared on the UTF-16 code units without encoding (a listing compares
 * thousands). The two orders agree but where a surrogate (half of a code point past U+FFFF, four bytes in UTF-8) meets
 * a unit from U+E000 to U+FFFF (three bytes, lower): there the surrogate's code point is the greater.
 */
function keyOrder(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
        const x = a.charCodeAt(i);
        const y = b.charCodeAt(i);
        if (x === y)
            continue;
        const surrogateX = x >= 0xd800 && x < 0xe000;
        if (surrogateX !== (y >= 0xd800 && y < 0xe000) && Math.max(x, y) >= 0xe000)
            return surrogateX ? 1 : -1;
        return x < y ? -1 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
/** Local keys per range of a cut listing: about a page, with room for keys only the bucket has (at most 1,000 a page). */
const RANGE_KEYS = 900;
/**
 * Where to cut `prefix`'s listing, from the keys expected there (any keys: they only decide where). Only printable
 * ASCII keys are cuts: any key compares with one alike by its UTF-8 bytes (S3's order) and by its UTF-16 code units
 * (some S3-compatible servers'), so a range ends where the server thinks it does.
 */
function rangeCuts(expected, rangeKeys = RANGE_KEYS) {
    const sorted = expected.filter((k) => /^[\x20-\x7e]*$/.test(k)).sort(keyOrder);
    const cuts = [];
    for (let i = rangeKeys - 1; i < sorted.length - 1; i += rangeKeys)
        cuts.push(sorted[i]);
    return cuts;
}
/**
 * The objects in (`after`, `upTo`] (unbounded where absent): pages from `after` on, until one is the last or reaches
 * `upTo`. `first` is that first page when it was asked for already.
 */
async function listRange(l, bucket, prefix, r, first) {
    const out = [];
    const { maxKeys } = r;
    let p = await (first ?? listPage(l, bucket, prefix, { startAfter: r.after, maxKeys }));
    for (;;) {
        out.push(...p.objects);
        const last = p.objects.at(-1)?.key;
        const reached = r.upTo !== undefined && last !== undefined && keyOrder(last, r.upTo) >= 0;
        if (!p.truncated || !p.nextToken || reached)
            break;
        p = await listPage(l, bucket, prefix, { token: p.nextToken, maxKeys });
    }
    const inRange = (k) => (r.after === undefined || keyOrder(k, r.after) > 0) && (r.upTo === undefined || keyOrder(k, r.upTo) <= 0);
    return out.filter((o) => inRange(o.key));
}
/**
 * Every object under `prefix`, by key relative to it. The first page is asked for at once; with `expected` (the keys
 * the caller expects there: the local files'), the rest of the listing is cut into ranges of about a page each
 * (rangeCuts), listed at the same time instead of one page after the other. A range's listing goes on until it has
 * passed the range's end, so the listing is whole whatever `expected` holds: it only decides where to cut.
 */
async function listRemote(l, bucket, prefix, expected, 
/** Smaller ranges and pages than S3's (tests). */
tuning = {}) {
    const { maxKeys } = tuning;
    const first = listPage(l, bucket, prefix, { maxKeys });
    first.catch(() => undefined); // awaited below
    const cuts = rangeCuts((await expected) ?? [], tuning.rangeKeys);
    const ranges = [
        listRange(l, bucket, prefix, { upTo: cuts[0], maxKeys }, first),
        ...cuts.map((after, i) => listRange(l, bucket, prefix, { after, upTo: cuts[i + 1], maxKeys })),
    ];
    const remote = new Map();
    for (const objects of await Promise.all(ranges))
        for (const o of objects)
            if (o.key.startsWith(prefix))
                remote.set(o.key.slice(prefix.length), { size: o.size, etag: normalizeEtag(o.etag) });
    return remote;
}
/** One DeleteObjects request (Quiet): the keys S3 says it could not delete. */
async function deleteBatch(l, bucket, prefix, batch) {
    const { lean } = l;
    const target = { operation: 'DeleteObjects', bucket, prefix };
    if (lean)
        return s3Operation(target, () => lean.deleteMany(batch), { retry: true, log: l.log });
    const [client, { DeleteObjectsCommand }] = await Promise.all([l.s3.client(), Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(927)]).then(__webpack_require__.bind(__webpack_require__, 8927))]);
    const Delete = { Objects: batch.map((Key) => ({ Key })), Quiet: true };
    const out = await s3Operation(target, () => client.send(l.counter.count(new DeleteObjectsCommand({ Bucket: bucket, Delete }))));
    return (out.Errors ?? []).map((e) => ({ key: e.Key, code: e.Code, message: e.Message }));
}
/**
 * Deletes `keys` (all under `prefix`) in batches of 1,000. Quiet mode: the answer lists only the keys that failed
 * (radosgw honours Quiet; s3rver ignores it and lists every key as deleted, which is read the same way).
 */
async function deleteKeys(l, bucket, prefix, keys) {
    let deleted = 0;
    for (const batch of batches(keys, 1000)) {
        const failed = await deleteBatch(l, bucket, prefix, batch);
        if (failed.length) {
            const [e] = failed;
            const others = failed.length > 1 ? `; ${failed.length - 1} other key(s) of the same request failed too` : '';
            // S3 answered 200: the error is the key's own, without an HTTP status
            throw new S3OperationError({ operation: 'DeleteObjects', bucket, key: e.key ?? prefix }, { kind: 'answer', code: e.code, message: `${e.message ?? ''}${others}`, headers: {} });
        }
        deleted += batch.length;
    }
    return deleted;
}
/** Delete every object under `prefix` (teardown). Empty or missing prefix: 0 deleted. */
async function deletePrefix(s3, bucket, prefix) {
    checkPrefix(prefix);
    const lean = await createLeanS3(s3, bucket, { maxSockets: 2 });
    const l = { s3, lean, counter: new RequestCounter(), log: () => undefined };
    try {
        let deleted = 0;
        let token;
        do {
            const p = await listPage(l, bucket, prefix, { token });
            const keys = p.objects.map((o) => o.key).filter((k) => k.startsWith(prefix));
            deleted += await deleteKeys(l, bucket, prefix, keys);
            token = p.truncated ? p.nextToken : undefined;
        } while (token);
        return { deleted, requests: l.counter.requests + (lean?.requests() ?? 0) };
    }
    finally {
        lean?.close();
    }
}

;// CONCATENATED MODULE: ./src/state/objects.ts



/** Far above what the action writes (a sleeping preview holds the specs of at most 15 functions): a hostile answer's bound. */
const MAX_OBJECT_BYTES = 8 * 1024 * 1024;
function isNotFound(err) {
    const e = err;
    return e.name === 'NoSuchKey' || e.Code === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
/** The SDK's answer body, read up to MAX_OBJECT_BYTES (lean.ts bounds its own answers alike). */
async function readBounded(body) {
    const chunks = [];
    let n = 0;
    for await (const chunk of (body ?? [])) {
        n += chunk.length;
        if (n > MAX_OBJECT_BYTES)
            throw new Error(`the object is over ${MAX_OBJECT_BYTES} bytes`); // leaving destroys it
        chunks.push(chunk);
    }
    return Buffer.concat(chunks, n);
}
/** The calls on `bucket`: lean ones made on first use, or the SDK's client. */
function bucketObjects(s3, bucket, o = {}) {
    const maxSockets = Math.max(1, Math.floor(s3.settings.concurrency) || 1);
    let made;
    // a failure (no credentials yet) is not kept: the edge service asks again on its next request
    const lean = () => (made ??= createLeanS3(s3, bucket, { maxSockets }).catch((err) => {
        made = undefined;
        throw err;
    }));
    async function call(target, viaLean, viaSdk) {
        const l = await lean();
        if (l)
            return s3Operation(target, () => viaLean(l), { retry: true, log: o.log });
        const [client, sdk] = await Promise.all([s3.client(), Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(927)]).then(__webpack_require__.bind(__webpack_require__, 8927))]);
        return s3Operation(target, () => viaSdk(client, sdk));
    }
    const counter = new RequestCounter(); // listPage counts the SDK's attempts; nothing here reads the count
    const page = async (prefix, delimiter, token) => listPage({ s3, lean: await lean(), counter, log: o.log ?? (() => undefined) }, bucket, prefix, {
        token,
        delimiter,
        maxKeys: o.maxKeys,
    });
    return {
        get: (key) => call({ operation: 'GetObject', bucket, key }, (l) => l.get(key, MAX_OBJECT_BYTES), async (client, { GetObjectCommand }) => {
            try {
                return await readBounded((await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body);
            }
            catch (err) {
                if (isNotFound(err))
                    return undefined;
                throw err;
            }
        }),
        put: (key, body, h) => call({ operation: 'PutObject', bucket, key }, async (l) => void (await l.put(key, Buffer.from(body), Buffer.byteLength(body), h)), async (client, { PutObjectCommand }) => {
            const input = {
                Bucket: bucket,
                Key: key,
                Body: body,
                ContentType: h.contentType,
                CacheControl: h.cacheControl,
            };
            await client.send(new PutObjectCommand(input));
        }),
        delete: (key) => call({ operation: 'DeleteObject', bucket, key }, (l) => l.deleteOne(key), async (client, { DeleteObjectCommand }) => void (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })))),
        async list(prefix, delimiter) {
            const objects = [];
            const prefixes = [];
            let token;
            do {
                const p = await page(prefix, delimiter, token);
                objects.push(...p.objects.map(({ key, lastModified }) => ({ key, lastModified })));
                prefixes.push(...(p.prefixes ?? []));
                if (p.truncated && p.nextToken === token)
                    throw new Error(`ListObjectsV2 prefix s3://${bucket}/${prefix}: the server repeated its continuation token`);
                token = p.truncated ? p.nextToken : undefined;
            } while (token);
            return { objects, prefixes };
        },
    };
}

;// CONCATENATED MODULE: ./src/state/store.ts

/** The store on `s3`'s bucket `bucket`, its requests made on first use. */
function createStateStore(s3, bucket, statePrefix, o = {}) {
    return { bucket, statePrefix, objects: bucketObjects(s3, bucket, o) };
}
/** The key of a state object: `<state-prefix>/<path>`, surrounding slashes of the prefix dropped; `<path>` without one. */
function stateKey(statePrefix, path) {
    const prefix = statePrefix.replace(/^\/+|\/+$/g, '');
    return prefix ? `${prefix}/${path}` : path;
}
/** A small JSON state object, or undefined when the key does not exist (or is empty); not JSON throws a SyntaxError. */
async function store_readJson(store, key) {
    const text = (await store.objects.get(key))?.toString('utf8');
    return text === undefined || text === '' ? undefined : JSON.parse(text);
}
async function store_writeJson(store, key, value) {
    await store.objects.put(key, JSON.stringify(value), {
        contentType: 'application/json; charset=utf-8',
        cacheControl: 'no-cache',
    });
}
/** A state object holding one time, `{ <field>: ISO 8601 }`: the edge service's marks (a wake's deadline, a visit). */
async function store_writeTime(store, key, field, at) {
    await store_writeJson(store, key, { [field]: at.toISOString() });
}
/** The time of such an object, epoch ms; undefined when there is none, or it holds no time under `field`. */
async function store_readTime(store, key, field) {
    const raw = await store_readJson(store, key);
    const value = raw?.[field];
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
}
/** Deletes the object; deleting a key that does not exist is fine (S3 answers 204 either way). */
async function deleteJson(store, key) {
    await store.objects.delete(key);
}
/** The `<name>.json` objects directly under `prefix` (a folder key ending in `/`) whose name is a DNS label, by name. */
async function listJsonNames(store, prefix) {
    const found = [];
    for (const o of (await store.objects.list(prefix)).objects) {
        const m = o.key.slice(prefix.length).match(/^([a-z0-9-]{1,63})\.json$/);
        if (m && o.key.startsWith(prefix))
            found.push({ name: m[1], lastModified: o.lastModified });
    }
    return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

;// CONCATENATED MODULE: ./src/state/closed.ts
/**
 * What is left of a removed preview, `<state-prefix>/closed/<name>.json`: written by a complete teardown just before
 * it removes the preview's record, so the edge can answer a visit with 410 and why ("removed when PR #5 was
 * closed") instead of a 404 that looks like a broken link. A deploy of the same name (a reopened PR) deletes it; the
 * sweeper deletes those older than CLOSED_KEEP_DAYS, so the folder does not grow for ever.
 */

const CLOSED_VERSION = 1;
/** How long a removed preview's address keeps answering 410 rather than 404. */
const CLOSED_KEEP_DAYS = 30;
function folder(statePrefix) {
    return stateKey(statePrefix, 'closed/');
}
const closedKey = (statePrefix, name) => `${folder(statePrefix)}${name}.json`;
async function saveClosed(store, closed) {
    await store_writeJson(store, closedKey(store.statePrefix, closed.name), {
        version: CLOSED_VERSION,
        ...closed,
    });
}
/** The tombstone of `name`, or undefined when there is none or the object is not one of ours. */
async function readClosed(store, name) {
    const raw = await readJson(store, closedKey(store.statePrefix, name));
    const ok = raw?.version === CLOSED_VERSION &&
        raw.name === name &&
        Number.isSafeInteger(raw.pr) &&
        typeof raw.githubRepository === 'string' &&
        typeof raw.reason === 'string' &&
        typeof raw.closedAt === 'string';
    return ok ? raw : undefined;
}
async function deleteClosed(store, name) {
    await deleteJson(store, closedKey(store.statePrefix, name));
}
/** Names of the tombstones last written before `before` (the bucket's LastModified, not the object's own word). */
async function closedBefore(store, before) {
    const found = await listJsonNames(store, folder(store.statePrefix));
    return found.filter((o) => o.lastModified && o.lastModified < before).map((o) => o.name);
}

;// CONCATENATED MODULE: ./src/state/records.ts

const RECORD_VERSION = 1;
function records_folder(statePrefix) {
    return stateKey(statePrefix, 'previews/');
}
function recordKey(statePrefix, name) {
    return `${records_folder(statePrefix)}${name}.json`;
}
async function saveRecord(store, record) {
    await store_writeJson(store, recordKey(store.statePrefix, record.name), {
        version: RECORD_VERSION,
        ...record,
    });
}
async function readRecord(store, name) {
    return store_readJson(store, recordKey(store.statePrefix, name));
}
/** A record's repositories: the strings of its list, whatever else the object in the bucket holds. */
function recordRepositories(record) {
    const list = record?.repositories;
    return Array.isArray(list) ? list.filter((r) => typeof r === 'string' && r !== '') : [];
}
async function deleteRecord(store, name) {
    await deleteJson(store, recordKey(store.statePrefix, name));
}
/** Names of every recorded preview (the part of each key between the folder and `.json`). */
async function listRecords(store) {
    return (await listJsonNames(store, records_folder(store.statePrefix))).map((o) => o.name);
}

;// CONCATENATED MODULE: ./src/state/sleeping.ts

const SLEEPING_VERSION = 1;
function sleepingKey(statePrefix, name) {
    return stateKey(statePrefix, `sleeping/${name}.json`);
}
async function saveSleeping(store, name, specs, since) {
    const body = { version: SLEEPING_VERSION, since: since.toISOString(), specs };
    await store_writeJson(store, sleepingKey(store.statePrefix, name), body);
}
/** A spec of preview `name`: its own function or one of its `<name>-<fn>` functions. */
function belongs(name, spec) {
    const s = spec;
    return (typeof s?.service === 'string' &&
        typeof s.image === 'string' &&
        (s.service === name || s.service.startsWith(`${name}-`)));
}
/** The saved specs, or undefined when the preview is not asleep (or the object is not one of ours). */
async function readSleeping(store, name) {
    const raw = await store_readJson(store, sleepingKey(store.statePrefix, name));
    if (!raw ||
        raw.version !== SLEEPING_VERSION ||
        !Array.isArray(raw.specs) ||
        raw.specs.length === 0 ||
        !raw.specs.every((x) => belongs(name, x)))
        return undefined;
    return raw;
}
async function deleteSleeping(store, name) {
    await deleteJson(store, sleepingKey(store.statePrefix, name));
}
/**
 * `<state-prefix>/waking/<name>.json`: a wake of `name` is under way until `until` (ISO 8601, its deadline). Another
 * replica of the waker that finds the functions already there reads it to tell that wake (wait for it) from a
 * sweeper about to put the preview to sleep (the functions were there all along).
 */
const wakingKey = (statePrefix, name) => stateKey(statePrefix, `waking/${name}.json`);
async function markWaking(store, name, until) {
    await writeTime(store, wakingKey(store.statePrefix, name), 'until', until);
}
/** When the wake under way ends at the latest, or undefined when none is. */
async function wakingUntil(store, name) {
    return readTime(store, wakingKey(store.statePrefix, name), 'until');
}
async function clearWaking(store, name) {
    await deleteJson(store, wakingKey(store.statePrefix, name));
}

// EXTERNAL MODULE: ./src/settings.ts
var settings = __webpack_require__(8750);
;// CONCATENATED MODULE: ./src/assets/files.ts
/**
 * Reading the files the walk found (local.ts), for hashing and for uploading.
 *
 * Files are opened with O_NONBLOCK and read only while they are still regular files: one replaced by a FIFO after
 * the walk fails at once instead of blocking the sync on a writer that never comes. A file whose size is no longer
 * the walk's fails with FileChanged rather than be sent or hashed as something else.
 *
 * For uploads, files up to SMALL_FILE are read whole with one synchronous open/read/close (microseconds for a small
 * file, less than the thread-pool round trips of the asynchronous calls, and most of a site's files are small); larger
 * ones are streamed. Hashing reads each file synchronously through one reused buffer (the reads hand the event loop
 * back between slices of files: compare.ts), a small file in one read hashed by one-shot
 * calls: a buffer or a hash object per file cost more in allocation and garbage collection than the hashing itself
 * (a third of a CI rebuild's time on the bench).
 */





const SMALL_FILE = 256 * 1024;
/**
 * A streamed upload's reads. Each is a new buffer that lives until the socket took it and garbage collection came:
 * with a cold upload's large files streaming at once, 64 KiB rather than 256 KiB took the sync's peak of buffers
 * from 31–37 MB to 19–24 MB on the bench (s3rver, 2,000 files), for a few hundred more reads.
 */
const READ_CHUNK = 64 * 1024;
/** A divisor of PART_SIZE, so that a part's digest never needs a read split across two parts. */
const HASH_CHUNK = 1024 * 1024;
/** Opening never waits (a FIFO would block it until a writer comes); regular files read as usual. */
const READ_FLAGS = external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NONBLOCK;
/** A descriptor of `path` for reading, if it is still the regular file the walk saw. */
function openRegular(path) {
    const fd = (0,external_node_fs_.openSync)(path, READ_FLAGS);
    if ((0,external_node_fs_.fstatSync)(fd).isFile())
        return fd;
    (0,external_node_fs_.closeSync)(fd);
    throw new FileChanged(path, 'it is no longer a regular file');
}
/** A stream of `path` (or of the inclusive byte range), opened now. */
function fileStream(path, range = {}) {
    return (0,external_node_fs_.createReadStream)(path, { fd: openRegular(path), highWaterMark: READ_CHUNK, ...range });
}
/** A file read to `n` bytes where the walk saw `size`. */
function sizeChanged(path, n, size) {
    return new FileChanged(path, n > size ? `it grew past the ${size} bytes the walk saw` : `${n} bytes, the walk saw ${size}`);
}
/** A small file's bytes, read whole; throws FileChanged when its size is no longer `size`. */
function readSmall(path, size) {
    const buf = Buffer.allocUnsafe(size + 1); // one byte more: a file that grew fills it
    const fd = openRegular(path);
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
            throw sizeChanged(path, n, size);
        return buf.subarray(0, n);
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
/** One running hash per wanted result, fed the same bytes. */
function hashers(want, partSize) {
    const md5 = want.etag === 'md5' ? (0,external_node_crypto_.createHash)('md5') : undefined;
    const parts = want.etag === 'multipart' ? new PartHasher('md5', partSize) : undefined;
    const id = want.id ? new PartHasher('sha256', partSize) : undefined;
    return {
        update(b) {
            md5?.update(b);
            parts?.update(b);
            id?.update(b);
        },
        results: () => ({
            etag: md5?.digest('hex') ??
                (parts && multipartEtag(parts.digests(), (d) => (0,external_node_crypto_.createHash)('md5').update(d).digest('hex'))),
            id: id && contentId(id.digests()),
        }),
    };
}
/** The buffer every hashing read goes through (reads are synchronous: one at a time). */
let scratch;
/**
 * The hashes of a file's bytes held whole (one part at most), by one-shot calls: a hash object per file and its
 * garbage cost more than hashing a small file.
 */
function wholeHashes(data, want) {
    return {
        etag: want.etag === 'md5' ? (0,external_node_crypto_.hash)('md5', data, 'hex') : undefined,
        id: want.id ? contentIdOf(data) : undefined,
    };
}
/** The hashes `want` asks for, in one read of the file; throws FileChanged when its size is no longer `size`. */
function fileHashes(path, size, want, partSize = PART_SIZE) {
    const buf = (scratch ??= Buffer.allocUnsafe(HASH_CHUNK));
    const fd = openRegular(path);
    try {
        let r = (0,external_node_fs_.readSync)(fd, buf, 0, buf.length, null);
        // a regular file's read that comes back short of the buffer has reached the end: the file is all in `buf`
        if (r < buf.length && size <= partSize && want.etag !== 'multipart') {
            if (r !== size)
                throw sizeChanged(path, r, size);
            return wholeHashes(buf.subarray(0, r), want);
        }
        const h = hashers(want, partSize);
        let n = 0;
        for (; r > 0; r = (0,external_node_fs_.readSync)(fd, buf, 0, buf.length, null)) {
            n += r;
            if (n > size)
                throw sizeChanged(path, n, size);
            h.update(buf.subarray(0, r));
        }
        if (n !== size)
            throw sizeChanged(path, n, size);
        return h.results();
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
/** The file's hash in ETag form: `<md5>` or, for `multipart`, `md5(part md5s)-<N>` with PART_SIZE parts. */
function hashFile(path, kind, opts = {}) {
    const { size } = statSync(path);
    return fileHashes(path, size, { etag: kind }, opts.partSize).etag;
}
/** One attempt of a command whose body is a fresh file stream, destroyed whatever the outcome. */
async function withStream(open, send) {
    const body = open();
    try {
        return await send(body);
    }
    finally {
        body.destroy();
    }
}

;// CONCATENATED MODULE: ./src/assets/compare.ts
/**
 * Which local files are unchanged: the hashes planSync compares, and the content manifest that spares most of them
 * (manifest.ts). A file is read at most once: with a usable manifest entry, for its SHA-256 content id only (equal:
 * unchanged; different: changed, no MD5 needed); without one, for the hash its ETag needs (MD5 or multipart) and,
 * while the manifest is kept, its content id too, for the next push.
 *
 * The manifest is an optimisation and nothing depends on it: one that cannot be read or written is a log line, one
 * that does not verify is ignored and no longer rewritten (`recording` off: with credentials that change every run
 * no manifest would ever verify, and computing ids for it would only cost time).
 */




/** A manifest larger than this is not read (about 100,000 files). */
const MAX_MANIFEST = 16 * 1024 * 1024;
/** Reads `<prefix>.faas-preview/assets.json` (needs the lean calls: without them, no manifest). */
async function readManifest(lean, scope, log) {
    if (!lean)
        return { recording: false };
    const key = scope.prefix + MANIFEST_KEY;
    try {
        const [mac, raw] = await Promise.all([
            lean.manifestMac(),
            s3Operation({ operation: 'GetObject', bucket: scope.bucket, key }, () => lean.get(key, MAX_MANIFEST), {
                retry: true,
                log,
            }),
        ]);
        if (!raw)
            return { recording: true, mac };
        const entries = decodeManifest(raw.toString('utf8'), scope, mac);
        if (!entries)
            log(`the asset manifest ${key} does not verify: files are compared by MD5`);
        return { entries, recording: !!entries, mac };
    }
    catch (err) {
        log(`warning: the asset manifest ${key} could not be read (${err.message}): files are compared by MD5`);
        return { recording: false };
    }
}
/** What each file needs read. */
function jobsFor(local, remote, state) {
    const byEtag = new Map(hashRequests(local, remote).map((r) => [r.file.key, r.kind]));
    const jobs = [];
    for (const file of local) {
        const r = remote.get(file.key);
        const entry = r && usableEntry(state.entries, file.key, r, file.size);
        const kind = byEtag.get(file.key);
        if (entry)
            jobs.push({ file, want: { id: true }, entry });
        else if (kind)
            jobs.push({ file, want: { etag: kind, id: state.recording } });
    }
    return jobs;
}
/** How long the reads go on before they let other work through (the listing's answers, the deploy's requests). */
const SLICE_MS = 4;
/**
 * Calls `read` for each item, handing the event loop back every SLICE_MS (first of all: what has come in decides),
 * until `stop` says so or every item is done. The reads are synchronous (files.ts); in slices, a deploy's requests
 * (GitHub, the gateway) go out and their answers come in while a push's files are read.
 */
async function inSlices(items, read, stop = () => false) {
    for (let i = 0;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (stop() || i >= items.length)
            return;
        for (const end = performance.now() + SLICE_MS; i < items.length && performance.now() < end; i++)
            read(items[i]);
    }
}
/**
 * While the listing is on its way (until `listed` settles): the content ids a push compares most files by. Until
 * the manifest is in, every file is read (a push's manifest comes after the walk, about when the listing does); then
 * only the files it has an entry of their size for, and none when there is no verified manifest. What is not read by
 * then, compareFiles reads. A file that cannot be read here is left to compareFiles too: it fails the sync only if it
 * has to be read at all.
 */
async function hashAhead(local, manifest, listed) {
    const out = new Map();
    let state;
    let done = false;
    const stop = () => void (done = true);
    manifest.then((s) => (state = s), stop);
    listed.then(stop, stop);
    const want = { id: true };
    await inSlices(local, (f) => {
        if (state?.entries && state.entries.get(f.key)?.size !== f.size)
            return;
        try {
            out.set(f.key, { want, hashes: fileHashes(f.path, f.size, want) });
        }
        catch {
            // compareFiles reads it again, if it needs it
        }
    }, () => done || (state !== undefined && !state.entries));
    return out;
}
/** What an early read computed for the file, when it is all `want` asks for. */
function earlyFor(early, key, want) {
    const e = early.get(key);
    return e && (!want.etag || e.want.etag === want.etag) && (!want.id || e.want.id) ? e.hashes : undefined;
}
/** Reads the files that may be unchanged, each once (in slices: inSlices), but those read early. */
async function compareFiles(local, remote, state, log, early = new Map()) {
    const out = { hashes: new Map(), ids: new Map() };
    const jobs = jobsFor(local, remote, state);
    const byId = jobs.filter((j) => j.entry).length;
    if (jobs.length)
        log(`compared ${byId} file(s) by content id (manifest), ${jobs.length - byId} by MD5`);
    await inSlices(jobs, ({ file, want, entry }) => {
        const h = earlyFor(early, file.key, want) ?? fileHashes(file.path, file.size, want);
        if (h.id !== undefined)
            out.ids.set(file.key, h.id);
        // the entry's bytes are the object's (same ETag): equal ids prove the file unchanged
        if (entry && h.id === entry.id)
            out.hashes.set(file.key, remote.get(file.key).etag);
        else if (h.etag !== undefined)
            out.hashes.set(file.key, h.etag);
    });
    return out;
}
/** The next manifest: the unchanged files read this run (the listing's ETag) and the files sent (the answers' ETag). */
function nextManifest(skipped, remote, ids, sent) {
    const next = new Map();
    for (const file of skipped) {
        const id = ids.get(file.key);
        const r = remote.get(file.key);
        if (id && r)
            next.set(file.key, { id, etag: r.etag, size: file.size });
    }
    for (const [key, e] of sent)
        next.set(key, e);
    return next;
}
function sameEntries(a, b) {
    if (!a || a.size !== b.size)
        return false;
    for (const [k, e] of b) {
        const o = a.get(k);
        if (!o || o.id !== e.id || o.etag !== e.etag || o.size !== e.size)
            return false;
    }
    return true;
}
/** Writes the manifest back when this run records one and it changed; a failure is only logged (see above). */
async function saveManifest(lean, scope, state, next, log) {
    if (!lean || !state.recording || !state.mac || sameEntries(state.entries, next))
        return;
    const key = scope.prefix + MANIFEST_KEY;
    const body = Buffer.from(encodeManifest(next, scope, state.mac));
    const headers = { contentType: 'application/json', cacheControl: 'no-store' };
    await s3Operation({ operation: 'PutObject', bucket: scope.bucket, key }, () => lean.put(key, body, body.length, headers), {
        retry: true,
        log,
    }).catch((err) => log(`warning: the asset manifest ${key} was not written (${err.message})`));
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
;// CONCATENATED MODULE: ./src/assets/multipart.ts


function leanParts(lean) {
    return {
        retried: false,
        create: (key, headers) => lean.createMultipart(key, headers),
        put: async (key, uploadId, PartNumber, open, size) => ({
            PartNumber,
            ETag: await lean.putPart(key, uploadId, PartNumber, open, size),
        }),
        complete: (key, uploadId, parts) => lean.completeMultipart(key, uploadId, parts.map((p) => ({ number: p.PartNumber, etag: normalizeEtag(p.ETag) }))),
        abort: (key, uploadId) => lean.abortMultipart(key, uploadId),
    };
}
function checksumMode(client) {
    const config = client.config;
    return config.requestChecksumCalculation?.() ?? Promise.resolve(undefined);
}
async function sdkParts(s3, counter, Bucket) {
    const [client, sdk] = await Promise.all([s3.client(), Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(927)]).then(__webpack_require__.bind(__webpack_require__, 8927))]);
    // With the SDK's default checksums (real AWS), parts carry CRC32s that CompleteMultipartUpload must repeat.
    const checksum = (await checksumMode(client)) === 'WHEN_SUPPORTED' ? { ChecksumAlgorithm: 'CRC32' } : {};
    return {
        retried: true,
        async create(Key, h) {
            const command = new sdk.CreateMultipartUploadCommand({
                Bucket,
                Key,
                ContentType: h.contentType,
                CacheControl: h.cacheControl,
                ...checksum,
            });
            const { UploadId } = await client.send(counter.count(command));
            if (!UploadId)
                throw new Error(`CreateMultipartUpload s3://${Bucket}/${Key} returned no UploadId`);
            return UploadId;
        },
        async put(Key, UploadId, PartNumber, open, ContentLength) {
            const out = await withStream(open, (Body) => client.send(counter.count(new sdk.UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ContentLength, ...checksum }))));
            return { PartNumber, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) };
        },
        async complete(Key, UploadId, Parts) {
            const command = new sdk.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } });
            return (await client.send(counter.count(command))).ETag;
        },
        async abort(Key, UploadId) {
            await client.send(counter.count(new sdk.AbortMultipartUploadCommand({ Bucket, Key, UploadId })));
        },
    };
}

;// CONCATENATED MODULE: ./src/assets/upload.ts









/** One file in parts: created once (by whichever part runs first), completed by the part that finishes last. */
class Multipart {
    file;
    count;
    created;
    uploadId;
    completed = false;
    parts = [];
    /** SHA-256 of each part as sent, for the content id. */
    digests = [];
    left;
    constructor(file, count) {
        this.file = file;
        this.count = count;
        this.left = count;
    }
    id(create) {
        this.created ??= create().then((id) => (this.uploadId = id));
        return this.created;
    }
    /** Records a finished part; true when it was the last one. */
    done(part) {
        this.parts[part.PartNumber - 1] = part;
        return --this.left === 0;
    }
    get all() {
        return this.parts;
    }
}
class Uploader {
    o;
    bytesUploaded = 0;
    filesUploaded = 0;
    /** With recordIds: key (relative) → the id of the bytes sent and the ETag the server gave them. */
    sent = new Map();
    partCalls;
    constructor(o) {
        this.o = o;
    }
    /** A multipart upload's calls: the lean ones when there are, else the SDK's (multipart.ts). */
    parts() {
        const { lean, s3, counter, bucket } = this.o;
        this.partCalls ??= lean ? Promise.resolve(leanParts(lean)) : sdkParts(s3, counter, bucket);
        return this.partCalls;
    }
    async upload(files) {
        const jobs = [];
        const multiparts = [];
        for (const file of [...files].sort((a, b) => b.size - a.size)) {
            if (!usesMultipart(file.size)) {
                jobs.push({ kind: 'single', file });
                continue;
            }
            const upload = new Multipart(file, partCount(file.size));
            multiparts.push(upload);
            for (let index = 0; index < upload.count; index++)
                jobs.push({ kind: 'part', upload, index });
        }
        try {
            await forEachLimited(jobs, this.o.concurrency, (job) => job.kind === 'single' ? this.single(job.file) : this.part(job.upload, job.index));
        }
        catch (err) {
            await Promise.all(multiparts.filter((m) => m.uploadId && !m.completed).map((m) => this.abort(m)));
            throw err;
        }
    }
    target(operation, file) {
        return { operation, bucket: this.o.bucket, key: this.o.prefix + file.key };
    }
    headersOf(file) {
        return { contentType: contentType(file.key), cacheControl: cacheControl(file.key, this.o.rules) };
    }
    uploaded(file, id, etag) {
        if (this.o.recordIds && id && etag)
            this.sent.set(file.key, { id, etag: normalizeEtag(etag), size: file.size });
        this.bytesUploaded += file.size;
        this.filesUploaded++;
        this.o.log(`uploaded ${file.key} (${file.size} bytes)`);
    }
    async single(file) {
        // read once, sent from the same buffer by every attempt; larger files get a fresh stream per attempt
        const body = file.size > SMALL_FILE ? undefined : readSmall(file.path, file.size);
        if (this.o.lean)
            await this.singleLean(this.o.lean, file, body);
        else
            await this.singleSdk(file, body);
    }
    async singleLean(lean, file, body) {
        const { recordIds, log } = this.o;
        // the id of the bytes the attempt that succeeded sent: each attempt reads the file again
        let streamed;
        const open = () => recordIds ? hashing(fileStream(file.path), (streamed = new PartHasher())) : fileStream(file.path);
        const etag = await s3Operation(this.target('PutObject', file), () => lean.put(this.o.prefix + file.key, body ?? open, file.size, this.headersOf(file)), { retry: true, log });
        const id = !recordIds ? undefined : body ? contentIdOf(body) : contentId(streamed.digests());
        this.uploaded(file, id, etag);
    }
    async singleSdk(file, body) {
        const [client, sdk] = await Promise.all([this.o.s3.client(), Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(927)]).then(__webpack_require__.bind(__webpack_require__, 8927))]);
        const headers = this.headersOf(file);
        const target = this.target('PutObject', file);
        const command = (Body) => this.o.counter.count(new sdk.PutObjectCommand({
            Bucket: this.o.bucket,
            Key: this.o.prefix + file.key,
            Body,
            ContentLength: file.size,
            ContentType: headers.contentType,
            CacheControl: headers.cacheControl,
        }));
        // a Buffer body the SDK repeats by itself; a stream it cannot
        if (body)
            await s3Operation(target, () => client.send(command(body)));
        else
            await s3Operation(target, () => withStream(() => fileStream(file.path), (s) => client.send(command(s))), { retry: true, log: this.o.log });
        this.uploaded(file);
    }
    async part(upload, index) {
        const calls = await this.parts();
        const { file } = upload;
        const key = this.o.prefix + file.key;
        const retry = { retry: true, log: this.o.log };
        const itself = calls.retried ? undefined : retry;
        const uploadId = await upload.id(() => s3Operation(this.target('CreateMultipartUpload', file), () => calls.create(key, this.headersOf(file)), itself));
        const start = index * PART_SIZE;
        const size = Math.min(file.size, start + PART_SIZE) - start;
        let digest;
        const open = () => {
            const part = fileStream(file.path, { start, end: start + size - 1 });
            return this.o.recordIds ? hashing(part, (digest = (0,external_node_crypto_.createHash)('sha256'))) : part;
        };
        const sent = await s3Operation(this.target('UploadPart', file), () => calls.put(key, uploadId, index + 1, open, size), retry);
        if (digest)
            upload.digests[index] = digest.digest();
        if (!upload.done(sent))
            return;
        const etag = await s3Operation(this.target('CompleteMultipartUpload', file), () => calls.complete(key, uploadId, upload.all), itself);
        upload.completed = true;
        this.uploaded(file, digest && contentId(upload.digests), etag);
    }
    async abort(upload) {
        const calls = await this.parts();
        const { file, uploadId } = upload;
        const retry = calls.retried ? undefined : { retry: true, log: this.o.log };
        await s3Operation(this.target('AbortMultipartUpload', file), () => calls.abort(this.o.prefix + file.key, uploadId), retry).catch((e) => this.o.log(`warning: ${e.message}; the parts stay in the bucket until a lifecycle rule removes them`));
    }
}
/** `stream`'s bytes, each also given to `hash` on the way (the bytes an attempt really sent). */
function hashing(stream, hash) {
    return external_node_stream_.Readable.from((async function* () {
        for await (const chunk of stream) {
            hash.update(chunk);
            yield chunk;
        }
    })(), { objectMode: false });
}

;// CONCATENATED MODULE: ./src/assets/sync.ts
/**
 * Static-asset sync: `static-dir` → `s3://<bucket>/<name>/`, in phases a deploy can spread over its own steps:
 *
 *   const sync = await prepareSync(s3, opts);     // walk, list the prefix once, hash what may be unchanged, plan
 *   await sync.uploadAssets();                    // everything but HTML (may run while the image builds)
 *   await sync.uploadHtml();                      // HTML, only after every asset is in place
 *   await sync.deleteStale();                     // keys with no local file, last
 *   sync.close();                                 // in a finally: idle connections go
 *
 * `syncAssets(s3, opts)` runs the four in a row. The phases refuse to run out of order: a page never references
 * an asset that is not there yet, and the keys the live pages still use are deleted only after the new pages
 * replaced them. Files are compared by content (MD5 or the multipart ETag, hashed only when the sizes match), never
 * by modification time: a fresh CI build rewrites every file.
 *
 * Walk: local.ts; reading and hashing: files.ts; the diff: plan.ts; uploads: upload.ts; listing and deletes:
 * remote.ts; the lean calls (PUT, listing, deletes): lean.ts. Every S3 call goes through s3-call.ts.
 */








/** Teardown's and the sweeper's call, next to the sync's. */

const ORDER = ['prepareSync', 'uploadAssets', 'uploadHtml', 'deleteStale'];
class PreparedSync {
    s3;
    opts;
    plan;
    counter;
    uploader;
    lean;
    manifest;
    done = 'prepareSync';
    running = false;
    closed = false;
    deleted = 0;
    constructor(s3, opts, 
    /** What the phases will do: uploads (assets, then HTML), unchanged files, stale keys. */
    plan, counter, uploader, lean, 
    /** The manifest as read, the listing and the content ids read, for the manifest written at the end. */
    manifest) {
        this.s3 = s3;
        this.opts = opts;
        this.plan = plan;
        this.counter = counter;
        this.uploader = uploader;
        this.lean = lean;
        this.manifest = manifest;
    }
    /** Uploads every changed file but HTML. */
    uploadAssets() {
        return this.phase('uploadAssets', () => this.uploader.upload(this.plan.assets));
    }
    /** Uploads the changed HTML files; only after uploadAssets. */
    uploadHtml() {
        return this.phase('uploadHtml', () => this.uploader.upload(this.plan.html));
    }
    /**
     * Deletes the keys that have no local file (DeleteObjects, 1,000 a request) and writes the content manifest (at the
     * same time), then logs the sync's summary; only after uploadHtml.
     */
    deleteStale() {
        return this.phase('deleteStale', async () => {
            const { s3, counter, opts, plan, manifest, lean } = this;
            const next = nextManifest(plan.skipped, manifest.remote, manifest.ids, this.uploader.sent);
            [this.deleted] = await Promise.all([
                deleteKeys({ s3, lean, counter, log: opts.log }, opts.bucket, opts.prefix, plan.deletes.map((k) => opts.prefix + k)),
                saveManifest(this.lean, opts, manifest.state, next, opts.log),
            ]);
            for (const k of plan.deletes)
                opts.log(`deleted ${k}`);
            const r = this.result();
            opts.log(`assets: ${r.uploaded} uploaded (${r.bytesUploaded} bytes), ${r.skipped} unchanged, ${r.deleted} deleted, ${r.requests} S3 requests`);
        });
    }
    /** What was done so far. */
    result() {
        return {
            uploaded: this.uploader.filesUploaded,
            skipped: this.plan.skipped.length,
            deleted: this.deleted,
            bytesUploaded: this.uploader.bytesUploaded,
            requests: this.counter.requests + (this.lean?.requests() ?? 0),
        };
    }
    /** Closes the lean calls' connections. Idempotent; the phases cannot run afterwards. */
    close() {
        this.closed = true;
        this.lean?.close();
    }
    async phase(name, run) {
        if (this.closed)
            throw new Error(`asset sync: ${name}() after close()`);
        if (this.running || this.done !== ORDER[ORDER.indexOf(name) - 1]) {
            const state = this.running
                ? `another phase is running after ${this.done}()`
                : `the last phase that finished is ${this.done}()`;
            throw new Error(`asset sync: ${name}() cannot run now (${state}); the order is ${ORDER.join('(), ')}()`);
        }
        this.running = true;
        try {
            await run();
            this.done = name;
        }
        finally {
            this.running = false;
        }
    }
}
/** Header values go on the wire as they are: one printable ASCII line, checked before any request. */
function checkHeaderValue(name, value) {
    if (!/^[\x20-\x7e]*$/.test(value))
        throw new Error(`asset sync: ${name} ${JSON.stringify(value)} is not one line of printable ASCII`);
}
/**
 * Walks the directory while the listing and the content manifest are on their way, reads the files that may be
 * unchanged (compare.ts), and plans the sync.
 */
async function prepareSync(s3, options) {
    checkPrefix(options.prefix);
    checkHeaderValue('cacheControl', options.cacheControl);
    checkHeaderValue('cacheControlFingerprinted', options.cacheControlFingerprinted);
    const opts = { ...options, log: options.log ?? (() => undefined) };
    const { bucket, prefix, log } = opts;
    const concurrency = Math.max(1, Math.floor(opts.concurrency) || settings/* DEFAULT_UPLOAD_CONCURRENCY */.w);
    const counter = new RequestCounter();
    const leanReady = createLeanS3(s3, bucket, { maxSockets: concurrency }); // endpoint and credentials
    leanReady.catch(() => undefined); // awaited below
    try {
        // The listing's first page and the manifest go out first; the walk (synchronous calls) runs while their answers
        // are on the way, and its keys tell the listing where to cut the rest into ranges listed at once (remote.ts).
        const walked = {};
        const keys = new Promise((resolve, reject) => Object.assign(walked, { resolve, reject }));
        keys.catch(() => undefined); // the listing's; a failed walk fails the sync below
        const remoteReady = leanReady.then((lean) => listRemote({ s3, lean, counter, log }, bucket, prefix, keys));
        remoteReady.catch(() => undefined); // awaited below
        const manifestReady = leanReady.then((lean) => readManifest(opts.contentManifest ? lean : undefined, opts, log));
        manifestReady.catch(() => undefined); // awaited below
        await new Promise((resolve) => setImmediate(resolve));
        let local;
        try {
            local = walkLocal(opts.dir, { includeDotfiles: opts.includeDotfiles, keyPrefix: prefix, log });
        }
        catch (err) {
            walked.reject(err);
            throw err;
        }
        walked.resolve(local.map((f) => prefix + f.key));
        const early = await hashAhead(local, manifestReady, remoteReady);
        const state = await manifestReady;
        const remote = withoutManifest(await remoteReady);
        const { hashes, ids } = await compareFiles(local, remote, state, log, early);
        const lean = await leanReady;
        const uploader = new Uploader({
            s3,
            counter,
            lean,
            bucket,
            prefix,
            concurrency,
            rules: { cacheControl: opts.cacheControl, cacheControlFingerprinted: opts.cacheControlFingerprinted },
            recordIds: state.recording,
            log,
        });
        const plan = planSync(local, remote, hashes);
        return new PreparedSync(s3, opts, plan, counter, uploader, lean, { state, remote, ids });
    }
    catch (err) {
        (await leanReady.catch(() => undefined))?.close();
        throw err;
    }
}
/** The listing without the manifest's own object: neither a file to compare nor a stale key. */
function withoutManifest(remote) {
    remote.delete(MANIFEST_KEY);
    return remote;
}
/** The whole sync in one call: prepare, assets, HTML, stale deletes. */
async function syncAssets(s3, opts) {
    const sync = await prepareSync(s3, opts);
    try {
        await sync.uploadAssets();
        await sync.uploadHtml();
        await sync.deleteStale();
        return sync.result();
    }
    finally {
        sync.close();
    }
}

;// CONCATENATED MODULE: ./src/commands/asset-stages.ts


class AssetStages {
    /** Set once the sync is planned; its counts stay readable after a failed upload. */
    sync;
    /** After the cue: the walk, the listing, the comparison and the upload of everything but HTML; none without it. */
    early;
    /** The cue: true to go, false when the deploy ended first. The first answer counts. */
    cue;
    constructor(s3, opts) {
        const cued = new Promise((resolve) => (this.cue = resolve));
        this.early = cued.then(async (go) => {
            if (!go)
                return undefined;
            this.sync = await prepareSync(s3, opts);
            await this.sync.uploadAssets();
            return this.sync;
        });
        this.early.catch(() => undefined); // awaited by finish() or abandon()
    }
    static start(s3, opts) {
        log/* log */.R.info('Static files: compared and uploaded but HTML once the build runs (while the image builds and the function rolls out) or at once when nothing is built; HTML once the function is ready');
        return new AssetStages(s3, opts);
    }
    /** The build command runs, or nothing is to be built: the comparison and the upload but HTML start. Idempotent. */
    begin() {
        this.cue(true);
    }
    /** Once the functions are ready: the HTML, then the stale deletes. A failure of the early stage surfaces here. */
    async finish() {
        this.begin();
        try {
            const sync = await this.early;
            if (!sync)
                throw new Error('static files: finish() after abandon()');
            await sync.uploadHtml();
            await sync.deleteStale();
            const { uploaded, skipped, deleted } = sync.result();
            return { uploaded, skipped, deleted };
        }
        finally {
            this.sync?.close();
        }
    }
    /**
     * The deploy ends without its pages: waits for the uploads in flight and closes their connections. Returns how many
     * of this commit's files (none of them HTML) went up meanwhile. Idempotent.
     */
    async abandon() {
        this.cue(false);
        await this.early.catch((err) => log/* log */.R.info(`the early upload of static files stopped: ${err.message}`));
        this.sync?.close();
        return this.sync?.result().uploaded ?? 0;
    }
}

;// CONCATENATED MODULE: ./src/decide/backend-change.ts
/**
 * Whether a push changes the backend at all (issue 15). Pure.
 *
 * Two digests decide it. The build digest (image/digest.ts) says whether the image would come out the same; the spec
 * digest here says whether the function's spec would, leaving out what differs for every commit by design (the
 * image tag, the commit's sha in labels and env, the deploy time and URL annotations). A push that changes neither
 * needs no build, no push and no function update: only its static assets.
 */



const SPEC_DIGEST_LABEL = 'faas-preview/spec-digest';
/** Labels, env and annotations that carry the commit, not the spec. */
const PER_COMMIT_LABELS = new Set([naming/* LABELS */.kg.sha, naming/* BUILD_DIGEST_LABEL */.V_, SPEC_DIGEST_LABEL]);
const PER_COMMIT_ENV = new Set(['FAAS_PREVIEW_SHA', 'FAAS_PREVIEW_URL']);
const PER_COMMIT_ANNOTATIONS = new Set([naming/* ANNOTATIONS */.BC.deployedAt, naming/* ANNOTATIONS */.BC.url]);
function without(map, keys) {
    return Object.entries(map ?? {})
        .filter(([k]) => !keys.has(k))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
/** 40 hex characters (a valid label value) over the spec minus its per-commit parts. */
function specDigest(spec) {
    const stable = {
        env: without(spec.envVars, PER_COMMIT_ENV),
        labels: without(spec.labels, PER_COMMIT_LABELS),
        annotations: without(spec.annotations, PER_COMMIT_ANNOTATIONS),
        secrets: [...(spec.secrets ?? [])].sort(),
        limits: spec.limits ?? {},
        requests: spec.requests ?? {},
        envProcess: spec.envProcess ?? '',
        // only when set, so the digests of functions that never had it stay what the gateway's labels say
        ...(spec.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    };
    return (0,external_node_crypto_.createHash)('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 40);
}
/** The running function's image, when it was built from the same digest (so this push need not build). */
function reusableImage(running, buildDigest) {
    if (!running || running.labels?.[naming/* BUILD_DIGEST_LABEL */.V_] !== buildDigest)
        return undefined;
    return { image: running.image, since: running.labels?.[naming/* LABELS */.kg.sha] ?? '' };
}
/** True when the function already runs exactly this spec (image included): no update is needed. */
function unchangedFunction(running, spec) {
    return (running !== undefined &&
        (0,image_reference/* normalReference */.xT)(running.image) === (0,image_reference/* normalReference */.xT)(spec.image) &&
        running.labels?.[SPEC_DIGEST_LABEL] === specDigest(spec));
}

;// CONCATENATED MODULE: ./src/openfaas/types.ts
/** Wire types of the OpenFaaS gateway REST API (faas-provider's types; every field is omitempty on the wire). */
/**
 * What the gateway lists of a running function, as a spec to POST again: the fallback of whoever puts a preview to
 * sleep (the sweeper, a deploy or a wake making room) when the preview's record has no specs, and of untouched
 * functions. Here, beside the wire types, because the action and the edge service both need it.
 */
function runningSpec(f) {
    return {
        service: f.name,
        image: f.image,
        ...(f.envProcess ? { envProcess: f.envProcess } : {}),
        envVars: f.envVars,
        labels: f.labels,
        annotations: f.annotations,
        secrets: f.secrets,
        limits: f.limits,
        requests: f.requests,
    };
}

// EXTERNAL MODULE: ./src/data/url.ts
var data_url = __webpack_require__(2529);
;// CONCATENATED MODULE: ./src/data/errors.ts
/**
 * What went wrong talking to the team's PostgreSQL, in one line that names the server (host:port, never the URL or a
 * password), the step, PostgreSQL's own words with its SQLSTATE, and what would fix it.
 */

class DataError extends Error {
    code;
    constructor(message, 
    /** PostgreSQL's SQLSTATE (`28P01`…) or the OS error code (`ECONNREFUSED`…), when there was one. */
    code) {
        super(message);
        this.code = code;
        this.name = 'DataError';
    }
}
/** SQLSTATE codes (PostgreSQL appendix A) this module explains. */
const SQLSTATE = {
    invalidPassword: '28P01',
    invalidAuthorization: '28000',
    invalidCatalogName: '3D000',
    insufficientPrivilege: '42501',
    objectInUse: '55006',
    dependentObjects: '2BP01',
    queryCanceled: '57014',
    cannotConnectNow: '57P03',
    tooManyConnections: '53300',
};
function sqlstate(err) {
    const code = err?.code;
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
/** The OS error code of a network failure (an AggregateError from happy eyeballs carries it on its first error). */
function osCode(err) {
    const e = err;
    if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code))
        return e.code;
    const first = e?.errors?.[0];
    return typeof first?.code === 'string' ? first.code : undefined;
}
function errors_text(err) {
    const e = err;
    const message = e?.message || e?.errors?.[0]?.message || String(err);
    return e?.detail ? `${message} (${e.detail})` : message;
}
/** A failure to open the admin connection. */
function connectError(err, server, user, timeoutMs) {
    const where = `cannot connect to PostgreSQL at ${server} (input '${data_url/* URL_INPUT */.$9}')`;
    const state = sqlstate(err);
    const message = errors_text(err);
    if (state === SQLSTATE.invalidPassword)
        return new DataError(`${where}: the server refused the password of role '${user}' (${state}); check the password in '${data_url/* URL_INPUT */.$9}'`, state);
    if (state === SQLSTATE.invalidAuthorization)
        return new DataError(`${where}: ${message} (${state}); the server's pg_hba.conf does not let role '${user}' in from the runner`, state);
    if (state === SQLSTATE.invalidCatalogName)
        return new DataError(`${where}: ${message} (${state}); the database in '${data_url/* URL_INPUT */.$9}' is where the action connects to run CREATE DATABASE, usually 'postgres'`, state);
    if (state)
        return new DataError(`${where}: ${message} (${state})`, state);
    if (/connection timeout|timeout expired/i.test(message))
        return new DataError(`${where}: no answer within ${timeoutMs / 1000}s`, 'ETIMEDOUT');
    if (/client password must be a string/.test(message))
        return new DataError(`${where}: the server asks role '${user}' for a password and '${data_url/* URL_INPUT */.$9}' has none`, 'NOPASSWORD');
    const code = osCode(err);
    return new DataError(`${where}: ${message}`, code);
}
/** A statement that failed: `what` names it ("create database shop_pr_42"), `hints` say what to do per SQLSTATE. */
function statementError(err, what, server, timeoutMs, hints = {}) {
    const state = sqlstate(err);
    if (state === SQLSTATE.queryCanceled)
        return new DataError(`${what} on PostgreSQL at ${server}: no result within ${timeoutMs / 1000}s (statement timeout, ${state})`, state);
    const hint = state && hints[state] ? `; ${hints[state]}` : '';
    return new DataError(`${what} on PostgreSQL at ${server}: ${errors_text(err)}${state ? ` (${state})` : ''}${hint}`, state ?? osCode(err));
}

// EXTERNAL MODULE: ./src/data/names.ts
var names = __webpack_require__(3836);
;// CONCATENATED MODULE: ./src/data/password.ts
/**
 * Preview role passwords: 32 random bytes as base64url (43 characters, URL-safe, nothing to escape in a URL or a
 * shell), sent to PostgreSQL only as a SCRAM-SHA-256 verifier. PostgreSQL stores a verifier it is given as is (psql's
 * \password does the same), so the password itself never appears in a statement, the server log
 * (`log_statement = ddl`) or pg_stat_activity.
 */

/** PostgreSQL's default (scram_iterations). */
const ITERATIONS = 4096;
function newPassword() {
    return (0,external_node_crypto_.randomBytes)(32).toString('base64url');
}
/**
 * A preview role's password: HMAC-SHA256 of `faas-preview/<owner/repo>/<role>` keyed with the admin password, so it
 * is the same on every deploy (a migration that fails leaves the previous function connected) and changes when the
 * admin password does. Without an admin password (certificate or peer authentication) there is no secret to key it
 * with: a random one, which every deploy replaces.
 */
function rolePassword(adminPassword, repo, role) {
    if (!adminPassword)
        return newPassword();
    return (0,external_node_crypto_.createHmac)('sha256', adminPassword).update(`faas-preview/${repo}/${role}`).digest('base64url');
}
/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802/7677, PostgreSQL's pg_authid format). The
 * password is ASCII, so SASLprep leaves it unchanged.
 */
function scramVerifier(password, salt = (0,external_node_crypto_.randomBytes)(16), iterations = ITERATIONS) {
    const salted = (0,external_node_crypto_.pbkdf2Sync)(password, salt, iterations, 32, 'sha256');
    const clientKey = (0,external_node_crypto_.createHmac)('sha256', salted).update('Client Key').digest();
    const storedKey = (0,external_node_crypto_.createHash)('sha256').update(clientKey).digest();
    const serverKey = (0,external_node_crypto_.createHmac)('sha256', salted).update('Server Key').digest();
    return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

;// CONCATENATED MODULE: ./src/data/session.ts




const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** CREATE DATABASE copies the template's files: a large template takes a while. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 120_000;
const MIN_SERVER_VERSION = 130000;
/** Failures of a connection attempt worth another try: a server starting up or full, a dropped or silent socket. */
function transientConnect(err) {
    const code = err instanceof DataError ? err.code : undefined;
    return code === SQLSTATE.cannotConnectNow ||
        code === SQLSTATE.tooManyConnections ||
        code === 'ECONNRESET' ||
        code === 'ETIMEDOUT'
        ? {}
        : false;
}
class AdminSession {
    client;
    target;
    statementTimeoutMs;
    log;
    constructor(client, target, statementTimeoutMs, log) {
        this.client = client;
        this.target = target;
        this.statementTimeoutMs = statementTimeoutMs;
        this.log = log;
    }
    static async open(o) {
        const target = (0,data_url/* parseDatabaseUrl */.mx)(o.url);
        run_secrets/* secrets */.O.add(target.password);
        const connectTimeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
        const statementTimeoutMs = o.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
        const log = o.log ?? (() => undefined);
        const client = await (0,retry/* withRetry */.bD)(() => connect(target, connectTimeoutMs, statementTimeoutMs), {
            what: `connect to PostgreSQL at ${target.server}`,
            transient: transientConnect,
            log,
        }).catch((err) => {
            throw err instanceof retry/* RetriesExhausted */.w1 && err.last instanceof DataError
                ? new DataError(err.message, err.last.code)
                : err;
        });
        const session = new AdminSession(client, target, statementTimeoutMs, log);
        try {
            await session.checkServer();
        }
        catch (err) {
            await session.close();
            throw err;
        }
        return session;
    }
    /** Runs one statement; a failure becomes a DataError naming `what` and, for the SQLSTATEs in `hints`, what to do. */
    async query(what, sql, params = [], hints = {}) {
        try {
            return (await this.client.query(sql, params)).rows;
        }
        catch (err) {
            throw statementError(err, what, this.target.server, this.statementTimeoutMs, hints);
        }
    }
    /** `value` as an SQL string literal, for the statements that take no bind parameters (… PASSWORD, COMMENT ON). */
    literal(value) {
        return this.client.escapeLiteral(value);
    }
    /**
     * Runs `fn` holding a session advisory lock on `key`, so two runs for the same preview (a push during a teardown,
     * the sweeper beside a deploy) never interleave their CREATE and DROP statements.
     */
    async locked(key, fn) {
        await this.query(`lock ${key}`, 'SELECT pg_advisory_lock(hashtextextended($1, 0))', [`faas-preview:${key}`]);
        try {
            return await fn();
        }
        finally {
            await this.query(`unlock ${key}`, 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
                `faas-preview:${key}`,
            ]).catch(() => undefined);
        }
    }
    async close() {
        await this.client.end().catch(() => undefined);
    }
    async checkServer() {
        const [me] = await this.query('check the admin role', `SELECT current_user AS user, rolsuper AS super, rolcreatedb AS createdb, rolcreaterole AS createrole,
              current_setting('server_version_num')::int AS version
         FROM pg_roles WHERE rolname = current_user`);
        if (me.version < MIN_SERVER_VERSION) {
            throw new DataError(`PostgreSQL at ${this.target.server} is version ${me.version}; faas-preview needs 13 or later (DROP DATABASE … WITH (FORCE))`);
        }
        const missing = [!me.createdb && 'CREATEDB', !me.createrole && 'CREATEROLE'].filter((m) => !!m);
        if (me.super || missing.length === 0)
            return;
        throw new DataError(`role '${me.user}' of '${data_url/* URL_INPUT */.$9}' (PostgreSQL at ${this.target.server}) lacks ${missing.join(' and ')}: every preview gets its own role and database, ` +
            `so the role needs both; as a superuser run ALTER ROLE "${me.user}" CREATEDB CREATEROLE, or use another role`, SQLSTATE.insufficientPrivilege);
    }
}
async function connect(target, connectTimeoutMs, statementTimeoutMs) {
    // loaded here, not with the deploy's code: most runs have no database, and pg's modules took ~23 ms of CPU (profiled)
    const { Client } = (await __webpack_require__.e(/* import() */ 849).then(__webpack_require__.bind(__webpack_require__, 3849))).default;
    const client = new Client({
        connectionString: target.url,
        connectionTimeoutMillis: connectTimeoutMs,
        statement_timeout: statementTimeoutMs,
        // The client-side bound is a little longer, so the server's own timeout (a clearer error) wins when it can.
        query_timeout: statementTimeoutMs + 10_000,
        application_name: 'faas-preview',
        keepAlive: true,
    });
    // A session the server ends between statements is an 'error' event: unhandled, it would end the action; the next
    // query reports it.
    client.on('error', () => undefined);
    try {
        await client.connect();
        return client;
    }
    catch (err) {
        await client.end().catch(() => undefined);
        throw connectError(err, target.server, target.user, connectTimeoutMs);
    }
}

;// CONCATENATED MODULE: ./src/data/databases.ts
/**
 * Per-preview PostgreSQL: a role and a database of the same name (names.ts), the database owned by the role,
 * optionally cloned from a template, on the team's server reached through the admin URL (input `database-url`).
 *
 * Ownership: every role this action creates carries a comment `faas-preview <owner>/<repo>` (readable by anyone, the
 * PostgreSQL counterpart of the function labels). A role without this repository's mark, and a database not owned by
 * the marked role of its own name, is never changed or dropped, even when its name looks like a preview's.
 *
 * Passwords: the only copy of a preview's password is the OpenFaaS secret, which the gateway never returns, and
 * migrations on every deploy need the URL. So every ensure() sets the role's password (password.ts: derived from the
 * admin password, hence the same on every deploy) and returns the URL with it: the caller writes that URL to the
 * secret in the same run.
 */







class PreviewDatabases {
    session;
    o;
    mark;
    constructor(session, o) {
        this.session = session;
        this.o = o;
        this.mark = `faas-preview ${o.repo}`;
    }
    /** Connects and checks the server (version, the admin role's privileges); throws a DataError or InputError. */
    static async open(o) {
        if (o.template)
            (0,names/* quoteTemplate */.nB)(o.template);
        return new PreviewDatabases(await AdminSession.open(o), o);
    }
    close() {
        return this.session.close();
    }
    /** Creates the role and database when missing, sets the role's password, and returns its URL. */
    async ensure(preview) {
        const name = (0,names/* databaseName */.Do)(preview);
        return this.session.locked(name, async () => {
            const found = await this.inspect(name);
            this.refuseForeign(name, found);
            const password = rolePassword(this.session.target.password, this.o.repo, name);
            run_secrets/* secrets */.O.add(password);
            const url = (0,data_url/* previewUrl */.e6)(this.session.target.url, name, password);
            await this.writeRole(name, password, found.role);
            if (found.databaseOwner !== null)
                return { name, created: false, url };
            try {
                await this.createDatabase(name);
            }
            catch (err) {
                // A role made by this very call is dropped with the database that failed; one from earlier runs stays.
                if (!found.role)
                    await this.session
                        .query(`drop role ${name}`, `DROP ROLE IF EXISTS ${(0,names/* quoteIdent */.v4)(name)}`)
                        .catch((e) => this.session.log(String(e)));
                throw err;
            }
            return { name, created: true, url };
        });
    }
    /** Drops the database (ending its sessions) and the role; fine when neither exists. */
    async drop(preview) {
        const name = (0,names/* databaseName */.Do)(preview);
        return this.session.locked(name, async () => {
            const found = await this.inspect(name);
            const ours = found.role && found.roleMark === this.mark;
            const result = { name, database: false, role: false, leftAlone: [] };
            if (found.databaseOwner !== null) {
                if (ours && found.databaseOwner === name)
                    result.database = await this.dropDatabase(name);
                else
                    result.leftAlone.push(`database ${name} is owned by role '${found.databaseOwner}', not by a role faas-preview created for ${this.o.repo}: left alone`);
            }
            if (found.role && !ours)
                result.leftAlone.push(`role ${name} was not created by faas-preview for ${this.o.repo} (no '${this.mark}' comment): left alone`);
            if (ours)
                result.role = await this.dropRole(name);
            return result;
        });
    }
    /** This repository's preview databases and roles of `app`, for the sweeper; anything else on the server is ignored. */
    async list(app) {
        const rows = await this.session.query('list preview databases and roles', `SELECT rolname AS name, 'role' AS kind, shobj_description(oid, 'pg_authid') AS mark, NULL AS owner FROM pg_roles
       UNION ALL
       SELECT datname, 'database', NULL, pg_get_userbyid(datdba) FROM pg_database`);
        const ours = new Set(rows.filter((r) => r.kind === 'role' && r.mark === this.mark).map((r) => r.name));
        const byName = new Map();
        for (const r of rows) {
            const preview = ours.has(r.name) ? (0,names/* previewOfIdentifier */.xM)(app, r.name) : undefined;
            if (!preview || (r.kind === 'database' && r.owner !== r.name))
                continue;
            const entry = byName.get(r.name) ?? {
                preview: preview.name,
                pr: preview.pr,
                name: r.name,
                database: false,
                role: false,
            };
            entry[r.kind] = true;
            byName.set(r.name, entry);
        }
        return [...byName.values()].sort((a, b) => a.pr - b.pr);
    }
    async inspect(name) {
        const [row] = await this.session.query(`look up role and database ${name}`, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "role",
              (SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1) AS "roleMark",
              (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS "databaseOwner"`, [name]);
        return row;
    }
    /** A role or database with the preview's name that this action did not make is someone else's: stop before touching it. */
    refuseForeign(name, found) {
        const change = `rename or drop it, or set the input 'app' so previews get other names`;
        if (found.role && found.roleMark !== this.mark) {
            throw new DataError(`a role named ${name} already exists on PostgreSQL at ${this.session.target.server} and was not created by faas-preview for ${this.o.repo}: ${change}`);
        }
        if (found.databaseOwner !== null && found.databaseOwner !== name) {
            throw new DataError(`a database named ${name} already exists on PostgreSQL at ${this.session.target.server}, owned by '${found.databaseOwner}', not by the preview's role: ${change}`);
        }
    }
    /**
     * Creates the marked role (or sets the existing one's password) in one transaction, and makes the admin a member
     * of it: a non-superuser may create a database owned by another role, and drop it later, only as its member.
     */
    async writeRole(name, password, exists) {
        const role = (0,names/* quoteIdent */.v4)(name);
        const secret = this.session.literal(scramVerifier(password));
        const statements = exists
            ? [`ALTER ROLE ${role} WITH LOGIN PASSWORD ${secret}`]
            : [
                `CREATE ROLE ${role} WITH LOGIN PASSWORD ${secret}`,
                `COMMENT ON ROLE ${role} IS ${this.session.literal(this.mark)}`,
            ];
        const sql = ['BEGIN', ...statements, `GRANT ${role} TO CURRENT_USER`, 'COMMIT'].join(';\n');
        try {
            await this.session.query(`${exists ? 'set the password of' : 'create'} role ${name}`, sql);
        }
        catch (err) {
            await this.session.query('roll back', 'ROLLBACK').catch(() => undefined);
            throw err;
        }
    }
    async createDatabase(name) {
        const template = this.o.template ? ` TEMPLATE ${(0,names/* quoteTemplate */.nB)(this.o.template)}` : '';
        const what = `create database ${name}${this.o.template ? ` from template '${this.o.template}'` : ''}`;
        try {
            await (0,retry/* withRetry */.bD)(() => this.session.query(what, `CREATE DATABASE ${(0,names/* quoteIdent */.v4)(name)} OWNER ${(0,names/* quoteIdent */.v4)(name)}${template}`), {
                what,
                transient: (err) => (err instanceof DataError && err.code === SQLSTATE.objectInUse ? {} : false),
                log: this.session.log,
                policy: this.o.busyRetry ?? { ...retry/* DEFAULT_RETRY */.vI, baseDelayMs: 1_000 },
            });
        }
        catch (err) {
            throw await this.explainCreate(err);
        }
        // PostgreSQL grants CONNECT on every new database to PUBLIC: other previews' roles could log in to this one.
        await this.session
            .query(`restrict connections to ${name}`, `REVOKE CONNECT, TEMPORARY ON DATABASE ${(0,names/* quoteIdent */.v4)(name)} FROM PUBLIC`)
            .catch(async (err) => {
            await this.dropDatabase(name).catch((e) => this.session.log(String(e)));
            throw err;
        });
    }
    /** The template's problems in words a team can act on. */
    async explainCreate(err) {
        const last = err instanceof retry/* RetriesExhausted */.w1 ? err.last : err;
        const tpl = this.o.template;
        if (!(last instanceof DataError) || !tpl)
            return err;
        if (last.code === SQLSTATE.invalidCatalogName) {
            return new DataError(`${last.message}; input '${data_url/* TEMPLATE_INPUT */.kX}' names a database that does not exist on this server (names are case-sensitive)`, last.code);
        }
        if (last.code === SQLSTATE.insufficientPrivilege) {
            return new DataError(`${last.message}; a role that is not superuser can clone only a database marked as a template or one it owns: as its owner run ALTER DATABASE ${(0,names/* quoteTemplate */.nB)(tpl)} IS_TEMPLATE true`, last.code);
        }
        if (last.code !== SQLSTATE.objectInUse)
            return err;
        const sessions = await this.templateSessions(tpl);
        return new DataError(`${err.message}; PostgreSQL copies a template only while nobody else is connected to it${sessions}: ` +
            `keep applications, migrations and the seed off the template, or run ALTER DATABASE ${(0,names/* quoteTemplate */.nB)(tpl)} ALLOW_CONNECTIONS false while nobody updates it`, last.code);
    }
    /** ` (sessions now: alice ×2, postgres)`: who is connected to the template, as far as this role may see. */
    async templateSessions(tpl) {
        const rows = await this.session
            .query('list template sessions', 'SELECT usename AS user, count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY usename ORDER BY 2 DESC', [tpl])
            .catch(() => []);
        if (rows.length === 0)
            return '';
        return ` (sessions now: ${rows.map((r) => `${r.user ?? '?'}${r.n > 1 ? ` ×${r.n}` : ''}`).join(', ')})`;
    }
    async dropDatabase(name) {
        await this.session.query(`drop database ${name}`, `DROP DATABASE IF EXISTS ${(0,names/* quoteIdent */.v4)(name)} WITH (FORCE)`, [], {
            [SQLSTATE.insufficientPrivilege]: `WITH (FORCE) ends the database's sessions, which needs the right to signal them: a superuser's sessions must be ended by a superuser, ` +
                `other roles' need GRANT pg_signal_backend TO the admin role; "must be owner" means the admin role is no longer a member of role ${name} (GRANT ${(0,names/* quoteIdent */.v4)(name)} TO it)`,
        });
        return true;
    }
    async dropRole(name) {
        await this.session.query(`drop role ${name}`, `DROP ROLE IF EXISTS ${(0,names/* quoteIdent */.v4)(name)}`, [], {
            [SQLSTATE.dependentObjects]: `the role still owns objects or holds privileges in the databases named above: in each, run REASSIGN OWNED BY ${(0,names/* quoteIdent */.v4)(name)} TO <admin role>; DROP OWNED BY ${(0,names/* quoteIdent */.v4)(name)}`,
        });
        return true;
    }
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ./src/process/env.ts
/**
 * The environment of every child process the action starts (builders, hooks). The runner gives the action every
 * input as `INPUT_*` (the gateway password, the S3 keys, the GitHub token among them) plus the runner's own tokens
 * (`ACTIONS_RUNTIME_TOKEN`…): none of that may reach a Dockerfile's `RUN` step or a user's script. So children get
 * an allow-list: how to find programs and files, where the builders keep their state and credentials, proxies and
 * CA bundles, and nothing else unless the caller adds it.
 */
const PASSED = new Set([
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'SHELL',
    'LANG',
    'LC_ALL',
    'TZ',
    'TMPDIR',
    'XDG_RUNTIME_DIR',
    'XDG_CONFIG_HOME',
    'XDG_DATA_HOME',
    'XDG_CACHE_HOME',
    'RUNNER_TEMP',
    'CI',
    'GITHUB_ACTIONS',
    // docker
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'DOCKER_CONTEXT',
    'DOCKER_CERT_PATH',
    'DOCKER_TLS_VERIFY',
    'DOCKER_BUILDKIT',
    'BUILDKIT_PROGRESS',
    'BUILDX_CONFIG',
    'BUILDX_BUILDER',
    // buildah / podman (containers/common)
    'REGISTRY_AUTH_FILE',
    'CONTAINERS_CONF',
    'CONTAINERS_STORAGE_CONF',
    'CONTAINERS_REGISTRIES_CONF',
    'CONTAINER_HOST',
    'STORAGE_DRIVER',
    'STORAGE_OPTS',
    'BUILDAH_ISOLATION',
    'BUILDAH_FORMAT',
    'BUILDAH_LAYERS',
    // network
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
]);
/** The allow-listed part of `parent`, plus `extra` (which wins). */
function childEnv(extra = {}, parent = process.env) {
    const out = {};
    for (const [key, value] of Object.entries(parent))
        if (value !== undefined && PASSED.has(key))
            out[key] = value;
    return { ...out, ...extra };
}

;// CONCATENATED MODULE: ./src/process/group.ts
/** Sends `signal` to the process group led by `pid` (a child spawned with `detached: true`); an empty group is fine. */
function killGroup(pid, signal) {
    try {
        process.kill(-pid, signal);
    }
    catch {
        // the group is already empty
    }
}

;// CONCATENATED MODULE: ./src/sweep/plan.ts

/** Decisions that remove the function from the gateway. */
function removesFunction(d) {
    return d === 'sleep' || d === 'teardown';
}
/** Decisions that make a write call to the gateway. */
function actsOn(d) {
    return d === 'scale-to-zero' || removesFunction(d);
}
const UNITS = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
];
/** 2700000 → '45m', 93784000 → '1d 2h': the largest unit and the next one when not zero, rounded down; below a second → '0s'. */
function formatDuration(ms) {
    const first = UNITS.findIndex(([, size]) => ms >= size);
    if (first < 0)
        return '0s';
    const [unit, size] = UNITS[first];
    const n = Math.floor(ms / size);
    const out = `${n}${unit}`;
    const next = UNITS[first + 1];
    if (!next)
        return out;
    const m = Math.floor((ms - n * size) / next[1]);
    return m > 0 ? `${out} ${m}${next[0]}` : out;
}
function iso(ms) {
    return new Date(ms).toISOString();
}
function parseTime(text) {
    if (!text)
        return undefined;
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? ms : undefined;
}
function validMemory(m) {
    const e = m;
    return (typeof e === 'object' &&
        e !== null &&
        Number.isFinite(e.count) &&
        e.count >= 0 &&
        parseTime(e.changedAt) !== undefined);
}
function stateActivity(f, previous, i) {
    const count = f.invocationCount ?? 0;
    const prev = Object.hasOwn(previous, f.name) ? previous[f.name] : undefined;
    let observed;
    let note;
    if (!validMemory(prev)) {
        observed = { count, changedAt: iso(i.now) };
        note = 'first seen by the sweeper';
    }
    else if (count > prev.count) {
        observed = { count, changedAt: iso(i.now) };
        note = `invocations ${prev.count} → ${count}`;
    }
    else if (count < prev.count) {
        observed = { count, changedAt: iso(i.now) };
        note = `counter reset ${prev.count} → ${count}`;
    }
    else {
        observed = { count: prev.count, changedAt: prev.changedAt };
        note = `${count} invocations, unchanged`;
    }
    let at = parseTime(observed.changedAt);
    if (f.deployedAt !== undefined && f.deployedAt > at) {
        at = f.deployedAt;
        note = 'deployed';
    }
    const ago = i.now - at;
    const when = ago <= 0 ? 'now' : `${iso(at)} (${formatDuration(ago)} ago)`;
    return {
        text: `${when}; ${note}`,
        at,
        idle: ago >= i.idleAfterMs,
        idleFor: formatDuration(Math.max(0, ago)),
        observed,
    };
}
function prometheusActivity(f, increases, i) {
    const window = formatDuration(i.idleAfterMs);
    const increase = increases.get(f.name) ?? 0;
    if (increase > 0) {
        const n = Number.isInteger(increase) ? String(increase) : increase.toFixed(1);
        return { text: `~${n} invocations in the last ${window} (Prometheus)`, idle: false };
    }
    return { text: `no invocations in the last ${window} (Prometheus)`, idle: true, idleFor: `at least ${window}` };
}
/** The activity, or the edge's last visit when that is later (a visit in the future counts as now). */
function withVisit(a, visit, i) {
    if (visit === undefined || (a.at !== undefined && a.at >= visit) || (a.at === undefined && !a.idle))
        return a;
    const at = Math.min(visit, i.now);
    const ago = i.now - at;
    return {
        ...a,
        text: `${ago <= 0 ? 'now' : `${iso(at)} (${formatDuration(ago)} ago)`}; visited through the edge`,
        at,
        idle: ago >= i.idleAfterMs,
        idleFor: formatDuration(Math.max(0, ago)),
    };
}
function planSweep(i) {
    const mode = i.increases ? 'prometheus' : 'state';
    const previous = i.previous ?? {};
    const idleAfter = formatDuration(i.idleAfterMs);
    const actions = [];
    for (const f of [...i.functions].sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name))) {
        const counted = i.increases ? prometheusActivity(f, i.increases, i) : stateActivity(f, previous, i);
        const activity = withVisit(counted, i.visits?.get(f.name), i);
        const base = {
            name: f.name,
            pr: f.pr,
            lastActivity: activity.text,
            lastActivityAt: activity.at,
            observed: activity.observed,
        };
        const act = (decision, reason, idleFor) => ({
            ...base,
            decision,
            reason,
            ...(idleFor ? { idleFor } : {}),
        });
        const deployAge = f.deployedAt === undefined ? undefined : i.now - f.deployedAt;
        if (deployAge !== undefined && deployAge < i.idleAfterMs) {
            const age = deployAge <= 0 ? 'just now' : `${formatDuration(deployAge)} ago`;
            actions.push(act('keep', `deployed ${age}, less than idle-after (${idleAfter}): never touched`));
        }
        else if (!i.openPulls.has(f.pr)) {
            actions.push(act('teardown', `PR #${f.pr} is closed`));
        }
        else if (i.maxAgeMs !== undefined && deployAge !== undefined && deployAge >= i.maxAgeMs) {
            actions.push(act('teardown', `last deployed ${formatDuration(deployAge)} ago, more than max-age (${formatDuration(i.maxAgeMs)})`));
        }
        else if (i.edition === 'pro' && (f.replicas ?? 0) === 0) {
            actions.push(act('already-asleep', 'at zero replicas; the gateway wakes it on the next request'));
        }
        else if (activity.idle) {
            const idle = `idle for ${activity.idleFor}, idle-after is ${idleAfter}`;
            if (i.edition === 'pro')
                actions.push(act('scale-to-zero', `${idle}: scale to zero replicas`, activity.idleFor));
            else
                actions.push(act('sleep', `${idle}: Community Edition cannot scale to zero, so the function is removed and the assets kept`, activity.idleFor));
        }
        else {
            actions.push(act('keep', 'active'));
        }
    }
    const functionNames = new Set(i.functions.map((f) => f.name));
    const seen = new Set();
    const unfinished = [];
    for (const name of new Set(i.records ?? [])) {
        const pr = (0,naming/* prFromName */.OS)(i.app, name);
        if (pr !== undefined && !i.openPulls.has(pr) && !functionNames.has(name))
            unfinished.push({ name, pr });
    }
    unfinished.sort((a, b) => a.pr - b.pr);
    const recorded = new Set(i.records ?? []);
    const orphans = [];
    for (const raw of i.prefixes) {
        const name = raw.replace(/\/+$/, '');
        if (!name || name.includes('/') || seen.has(name))
            continue;
        seen.add(name);
        const pr = (0,naming/* prFromName */.OS)(i.app, name);
        // Open PR without a function: a sleeping Community Edition preview, whose assets are kept on purpose.
        // A recorded one is finished by the full teardown above, assets included.
        if (pr === undefined || i.openPulls.has(pr) || functionNames.has(name) || recorded.has(name))
            continue;
        orphans.push({ name, pr, prefix: `${name}/` });
    }
    orphans.sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));
    if (mode === 'prometheus')
        return { mode, actions, orphans, unfinished, changed: false };
    const { next, changed } = finalState(actions, i.previous);
    return { mode, actions, orphans, unfinished, next, changed };
}
/**
 * The state to remember after acting (state mode): every function that stays on the gateway keeps its entry; one
 * whose removal failed (`failed`) stays too, so the next sweep does not take it for first seen.
 */
function finalState(actions, previous, failed = new Set()) {
    const next = {};
    for (const a of [...actions].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
        if (!a.observed)
            continue;
        if (removesFunction(a.decision) && !failed.has(a.name))
            continue;
        next[a.name] = { count: a.observed.count, changedAt: a.observed.changedAt };
    }
    return { next, changed: !sameMemory(previous ?? {}, next) };
}
function sameMemory(a, b) {
    const ak = Object.keys(a);
    if (ak.length !== Object.keys(b).length)
        return false;
    return ak.every((k) => {
        const x = a[k];
        const y = b[k];
        return x !== undefined && y !== undefined && x.count === y.count && x.changedAt === y.changedAt;
    });
}
/**
 * Pure: which databases and secrets of this app's previews belong to closed PRs and are not covered by a teardown
 * of this sweep (a function or a record of the same preview is torn down whole, data included). Sleeping previews
 * of open PRs keep theirs.
 */
function orphanData(i) {
    const loose = (preview, pr) => !i.openPulls.has(pr) && !i.covered.has(preview);
    const databases = i.databases.filter((d) => loose(d.preview, d.pr)).map((d) => ({ preview: d.preview, pr: d.pr }));
    const secrets = [];
    for (const name of i.secrets) {
        const of = (0,naming/* previewOfSecret */.qv)(i.app, name);
        if (of && loose(of.preview, of.pr))
            secrets.push({ name, ...of });
    }
    return { databases, secrets: secrets.sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name)) };
}

// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __webpack_require__(6193);
;// CONCATENATED MODULE: ./src/hooks/lines.ts
/**
 * A child's output as whole lines, so secrets are scrubbed in one piece (a chunk boundary could split one), and the
 * last of those lines kept for the PR comment.
 */

/** A line that never ends is cut here, so a program printing megabytes without a newline cannot fill memory. */
const MAX_LINE = 64 * 1024;
class LineSplitter {
    emit;
    decoder = new external_node_string_decoder_.StringDecoder('utf8');
    partial = '';
    constructor(emit) {
        this.emit = emit;
    }
    push(chunk) {
        this.partial += this.decoder.write(chunk);
        let nl;
        while ((nl = this.partial.indexOf('\n')) >= 0) {
            this.emit(this.partial.slice(0, nl).replace(/\r$/, ''));
            this.partial = this.partial.slice(nl + 1);
        }
        while (this.partial.length > MAX_LINE) {
            this.emit(this.partial.slice(0, MAX_LINE));
            this.partial = this.partial.slice(MAX_LINE);
        }
    }
    /** The unterminated last line, if any. */
    end() {
        this.partial += this.decoder.end();
        if (this.partial)
            this.emit(this.partial);
        this.partial = '';
    }
}
/** The last `lines` lines, at most `chars` characters in all: whole lines dropped from the front first, the cut marked. */
class Tail {
    lines;
    chars;
    kept = [];
    constructor(lines = 20, chars = 2_000) {
        this.lines = lines;
        this.chars = chars;
    }
    add(line) {
        this.kept.push(line);
        if (this.kept.length > this.lines)
            this.kept.shift();
    }
    text() {
        const lines = [...this.kept];
        let all = lines.join('\n');
        if (all.length <= this.chars)
            return all;
        // One character of the budget goes to the mark.
        while (all.length > this.chars - 1 && lines.length > 1) {
            lines.shift();
            all = lines.join('\n');
        }
        return `…${all.slice(-(this.chars - 1))}`;
    }
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 10 modules
var core = __webpack_require__(7264);
;// CONCATENATED MODULE: ./src/hooks/log.ts
/**
 * Where a hook's lines go: the job log. The runner reads workflow commands from the action's stdout (`::set-output`,
 * `::add-mask::`, `::error::`; `##[…]` anywhere in a line), and a hook runs the pull request's own scripts, so its
 * output must not be able to issue them: the runner's `stop-commands` with a random token switches command
 * processing off around it (actions/runner ActionCommandManager: nothing but `::<token>::` resumes it).
 */


function workflowLog(write = (text) => core/* info */.pq(text)) {
    let token = '';
    return {
        begin(hook) {
            token = `faas-preview-${(0,external_node_crypto_.randomBytes)(16).toString('hex')}`;
            write(`::group::hook ${hook}`);
            write(`::stop-commands::${token}`);
        },
        line: write,
        end() {
            write(`::${token}::`);
            write('::endgroup::');
        },
    };
}

;// CONCATENATED MODULE: ./src/hooks/run.ts
/**
 * A user's hook (inputs `database-migrate`, `database-seed`, `on-deploy`, `on-teardown`): `sh -c <command>` in the
 * workspace, with the allow-listed environment (childEnv: never the action's INPUT_* or the runner's tokens) plus
 * what the caller adds (FAAS_PREVIEW_*, DATABASE_URL). Its output goes to the log line by line with secrets scrubbed.
 *
 * The hook runs in a process group of its own: on timeout the whole group gets SIGTERM, then SIGKILL after a grace
 * period, so a `npm run migrate` that started a child of its own cannot outlive it; whatever the hook leaves running
 * in the background when it exits is killed too (a hook is a step, not a service).
 */








const DEFAULT_HOOK_TIMEOUT_MS = 10 * 60_000;
const KILL_GRACE_MS = 5_000;
class HookError extends Error {
    hook;
    headline;
    output;
    exitCode;
    signal;
    timedOut;
    constructor(hook, 
    /** One line: what happened (`hook 'database-migrate' exited with code 3`). */
    headline, 
    /** The last lines of its output, scrubbed and clipped, for the PR comment (through untrusted.ts codeBlock). */
    output, exitCode, signal, timedOut) {
        super(output ? `${headline}; the last lines of its output:\n${output}` : `${headline} without output`);
        this.hook = hook;
        this.headline = headline;
        this.output = output;
        this.exitCode = exitCode;
        this.signal = signal;
        this.timedOut = timedOut;
        this.name = 'HookError';
    }
}
/** Spawns `sh -c` in a new process group and waits until it exited and its output ended; `emit` gets each line. */
function execute(o, timeoutMs, emit) {
    return new Promise((resolve) => {
        const child = (0,external_node_child_process_.spawn)('sh', ['-c', o.command], {
            cwd: o.cwd,
            env: childEnv(o.env, o.parent),
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
        });
        const splitters = [child.stdout, child.stderr].map((stream) => {
            const s = new LineSplitter(emit);
            stream.on('data', (chunk) => s.push(chunk));
            return s;
        });
        let timedOut = false;
        let killer;
        const timer = setTimeout(() => {
            timedOut = true;
            killGroup(child.pid, 'SIGTERM');
            killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
        }, timeoutMs);
        let exit = { code: null, signal: null };
        child.on('exit', (code, signal) => {
            exit = { code, signal };
            clearTimeout(timer);
            clearTimeout(killer);
            // Background processes the hook left behind hold its pipes open and would outlive it: end them.
            killGroup(child.pid, 'SIGKILL');
        });
        child.on('error', (error) => {
            clearTimeout(timer);
            resolve({ code: null, signal: null, timedOut, error });
        });
        child.on('close', () => {
            for (const s of splitters)
                s.end();
            resolve({ ...exit, timedOut });
        });
    });
}
function headline(name, outcome, timeoutMs) {
    if (outcome.timedOut)
        return `hook '${name}' did not finish within ${formatDuration(timeoutMs)} and was killed with its child processes`;
    if (outcome.signal)
        return `hook '${name}' was killed by ${outcome.signal}`;
    return `hook '${name}' exited with code ${outcome.code}`;
}
/** Runs the hook to its end; resolves when it exits with 0, rejects with a HookError otherwise. */
async function runHook(o) {
    if (!o.command.trim())
        throw new Error(`hook '${o.name}' has an empty command`);
    if (!(0,external_node_fs_.statSync)(o.cwd, { throwIfNoEntry: false })?.isDirectory())
        throw new Error(`hook '${o.name}' cannot run: its working directory ${o.cwd} is not a directory`);
    const timeoutMs = o.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
    const scrub = o.scrub ?? ((text) => run_secrets/* secrets */.O.scrub(text));
    const log = o.log ?? workflowLog();
    const tail = new Tail();
    const started = Date.now();
    log.begin(o.name);
    const outcome = await execute(o, timeoutMs, (line) => {
        const clean = scrub(line);
        log.line(clean);
        tail.add(clean);
    });
    log.end();
    if (outcome.error)
        throw new Error(`hook '${o.name}' could not start 'sh': ${outcome.error.message}`);
    if (outcome.code === 0 && !outcome.timedOut)
        return { name: o.name, durationMs: Date.now() - started };
    throw new HookError(o.name, headline(o.name, outcome, timeoutMs), tail.text(), outcome.code, outcome.signal, outcome.timedOut);
}

;// CONCATENATED MODULE: ./src/commands/preview-data.ts




function previewEnv(p) {
    return { FAAS_PREVIEW_NAME: p.name, FAAS_PREVIEW_URL: p.url, FAAS_PREVIEW_PR: String(p.pr), FAAS_PREVIEW_SHA: p.sha };
}
/** The preview databases' admin connection, when input `database-url` is set. */
async function openDatabases(s) {
    const db = s.settings.data.database;
    if (!db)
        return undefined;
    return PreviewDatabases.open({
        url: db.url,
        repo: `${s.ctx.repo.owner}/${s.ctx.repo.repo}`,
        template: db.template,
        log: log/* log */.R.info,
    });
}
/** `fn` over an open admin connection, closed afterwards; undefined without `database-url`. */
async function withDatabases(s, fn) {
    const dbs = await openDatabases(s);
    if (!dbs)
        return undefined;
    try {
        return await fn(dbs);
    }
    finally {
        await dbs.close();
    }
}
/** Drops `preview`'s database and role (teardown and the sweeper); what went, or undefined when nothing was left. */
async function dropPreviewDatabase(dbs, preview) {
    const dropped = await dbs.drop(preview);
    for (const why of dropped.leftAlone)
        log/* log */.R.warning(why);
    return dropped.database || dropped.role ? dropped : undefined;
}
/**
 * The data step. On a first deploy that fails, `undone` is told what the undo removed and what it could not, before
 * the error is thrown: the comment says "removed" only of what was.
 */
async function prepareData(s, p, firstDeploy, undone) {
    let dbs;
    const written = [];
    let db;
    try {
        dbs = await openDatabases(s);
        db = dbs ? await dbs.ensure(p.name) : undefined;
        const values = {
            ...s.settings.data.previewSecrets,
            ...(db ? { [naming/* DATABASE_KEY */.YJ]: db.url } : {}),
        };
        const env = {};
        for (const [key, value] of Object.entries(values)) {
            const secret = (0,naming/* secretName */.Gf)(p.name, key);
            await s.gateway.putSecret(secret, value);
            written.push(secret);
            env[`${key}_FILE`] = (0,naming/* secretPath */.s6)(secret);
        }
        const seeded = await runDeployHooks(s, p, db);
        return {
            secrets: written,
            env,
            database: db && { name: db.name, created: db.created, migrated: Boolean(s.settings.data.hooks.migrate), seeded },
        };
    }
    catch (err) {
        if (firstDeploy)
            undone?.(await undo(s, dbs, p.name, written, db));
        throw err;
    }
    finally {
        await dbs?.close();
    }
}
/** `database-migrate`, then `database-seed` when the database is new, then `on-deploy`; true when the seed ran. */
async function runDeployHooks(s, p, db) {
    const { hooks } = s.settings.data;
    const env = { ...previewEnv(p), ...(db ? { DATABASE_URL: db.url } : {}) };
    const run = (name, command) => command
        ? runHook({ name, command, cwd: s.ctx.workspace, env, timeoutMs: hooks.timeoutMs })
        : Promise.resolve(undefined);
    await run('database-migrate', hooks.migrate);
    const seeded = Boolean(db?.created && hooks.seed);
    if (seeded)
        await run('database-seed', hooks.seed);
    await run('on-deploy', hooks.onDeploy);
    return seeded;
}
/**
 * A first deploy that failed: remove what this run created, so the next push starts clean and seeds again. Each
 * removal that fails is a warning, and is reported as left.
 */
async function undo(s, dbs, name, secrets, db) {
    const result = { removed: { secrets: [] }, left: { secrets: [] } };
    for (const secret of secrets) {
        const gone = await s.gateway.deleteSecret(secret).then(() => true, (err) => {
            log/* log */.R.warning(`could not remove secret ${secret} after the failure: ${err.message}`);
            return false;
        });
        (gone ? result.removed : result.left).secrets.push(secret);
    }
    if (db && !db.created)
        result.kept = db.name;
    if (dbs && db?.created) {
        const dropped = await dbs.drop(name).then((d) => {
            for (const why of d.leftAlone)
                log/* log */.R.warning(why);
            return d.database || d.leftAlone.length === 0; // not found: gone already
        }, (err) => {
            log/* log */.R.warning(`could not drop database ${db.name} after the failure: ${err.message}`);
            return false;
        });
        if (dropped)
            log/* log */.R.info(`dropped database ${db.name} created by this failed first deploy`);
        (dropped ? result.removed : result.left).database = db.name;
    }
    return result;
}
/** Teardown's part: `on-teardown`, then the preview's secrets and database. Returns receipt lines (Markdown). */
async function removeData(s, p) {
    const removed = [];
    const { hooks } = s.settings.data;
    if (hooks.onTeardown)
        await runHook({
            name: 'on-teardown',
            command: hooks.onTeardown,
            cwd: s.ctx.workspace,
            env: previewEnv(p),
            timeoutMs: hooks.timeoutMs,
        });
    const mine = (await s.gateway.secretNames()).filter((n) => (0,naming/* previewOfSecret */.qv)(s.settings.app, n)?.preview === p.name);
    for (const secret of mine)
        await s.gateway.deleteSecret(secret);
    if (mine.length)
        removed.push(`the secret${mine.length === 1 ? '' : 's'} ${mine.map((n) => `\`${n}\``).join(', ')}`);
    const dropped = await withDatabases(s, (dbs) => dropPreviewDatabase(dbs, p.name));
    if (dropped)
        removed.push(`the database \`${dropped.name}\`${dropped.role ? ' and its role' : ''}`);
    return removed;
}

;// CONCATENATED MODULE: ./src/commands/function-spec.ts
/**
 * The FunctionDeployment of one function of a preview, pure. Layers, each winning over the one before: what a stack
 * file gives the function, then the action's inputs, then the preview's data (secrets, `<KEY>_FILE`), then the
 * action's own contract (docs/architecture.md, "The naming contract": the `faas-preview/*` labels, `FAAS_PREVIEW_*`, the annotations), which always
 * wins. Two digests go on as labels so the next push can tell whether it changes anything (decide/backend-change.ts).
 */






const SCALE_ZERO_LABEL = 'com.openfaas.scale.zero';
function functionSpec(settings, o) {
    const stack = o.unit.stackSpec ?? {};
    const labels = {
        ...stack.labels,
        ...settings.fn.labels,
        ...(0,naming/* previewLabels */.wH)(o.owner, o.repo, o.preview.pr, o.preview.sha),
    };
    if (o.unit.fn)
        labels[naming/* FUNCTION_LABEL */.AT] = o.unit.fn;
    // Community Edition refuses com.openfaas.scale.zero* with 400; Pro and Edge wake a function at zero on its next request.
    if (o.edition === 'pro')
        labels[SCALE_ZERO_LABEL] = 'true';
    else
        delete labels[SCALE_ZERO_LABEL];
    if (o.buildDigest)
        labels[naming/* BUILD_DIGEST_LABEL */.V_] = o.buildDigest;
    const envProcess = stack.envProcess ?? o.envProcess;
    const spec = {
        service: o.unit.name,
        image: o.image,
        ...(envProcess ? { envProcess } : {}),
        envVars: { ...stack.envVars, ...settings.fn.envVars, ...o.data?.env, ...previewEnv(o.preview) },
        labels,
        annotations: {
            ...stack.annotations,
            ...settings.fn.annotations,
            [naming/* ANNOTATIONS */.BC.deployedAt]: o.now.toISOString(),
            [naming/* ANNOTATIONS */.BC.url]: o.preview.url,
        },
        secrets: [...new Set([...(stack.secrets ?? []), ...settings.fn.secrets, ...(o.data?.secrets ?? [])])],
        // The inputs always have a value (action.yml defaults), so a limit the stack sets for its function wins, and the
        // inputs bound what it leaves out: a stack limiting memory only still runs under cpu-limit.
        limits: { memory: settings.fn.memoryLimit, cpu: settings.fn.cpuLimit, ...stack.limits },
        ...(stack.requests ? { requests: stack.requests } : {}),
        ...(stack.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    };
    labels[SPEC_DIGEST_LABEL] = specDigest(spec);
    return spec;
}
/**
 * What an untouched function runs, to record: the spec the deploy that made it recorded (`recorded`, from the bucket),
 * while that is still the one running (the gateway lists less than a deploy sends: faasd has no requests, cpu limit
 * or read-only flag, and writes images in normal form), else the listing.
 */
function untouchedSpec(recorded, running) {
    const same = (x) => x?.service === running.name &&
        (0,image_reference/* normalReference */.xT)(x.image) === (0,image_reference/* normalReference */.xT)(running.image) &&
        [SPEC_DIGEST_LABEL, naming/* LABELS */.kg.sha].every((l) => x.labels?.[l] !== undefined && x.labels[l] === running.labels?.[l]);
    return ((Array.isArray(recorded) ? recorded.find(same) : undefined) ??
        runningSpec(running));
}

// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 5 modules
var exec = __webpack_require__(2876);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/rules/errors.ts
var errors = __webpack_require__(4632);
;// CONCATENATED MODULE: ./src/image/cache.ts
/**
 * The registry layer cache of a real rebuild, with the flags each builder version has (measured here: docker 20.10
 * daemon with the 20.10 and 28.2 CLIs, buildah 1.28.2, podman 4.3.1):
 *
 * - docker: `--cache-from <image>` plus `--build-arg BUILDKIT_INLINE_CACHE=1`, and the built image pushed as the cache
 *   image afterwards. BuildKit (buildx, or the 20.10 CLI with DOCKER_BUILDKIT=1) reads the inline cache metadata
 *   straight from the registry; the classic builder (the CLI without buildx) only uses a local image, so the cache
 *   image is pulled first. Either way the cache holds the final stage's layers only (no `--cache-to type=registry`:
 *   the docker driver of buildx cannot export it). A cache image that is missing or unreachable is not an error for
 *   either builder; the pull and the push are allowed to fail.
 * - buildah, podman: `--layers --cache-from <repo> --cache-to <repo>` (buildah ≥ 1.27): every layer is pushed to the
 *   cache repository, tagged by its cache key, and pulled back by key. A missing or unreachable cache is ignored, but
 *   a cache push that fails fails the build ("failed pushing cache to …"), so such a build is run again without
 *   `--cache-to`: with `--layers` the steps already built are reused from local storage. Neither gets
 *   `--tls-verify=false` for the cache: it would apply to every pull of the build. A plain-HTTP registry needs an
 *   `insecure = true` entry in registries.conf for the cache.
 *
 * The cache lives in its own repository, `<repository>-buildcache`: a cache tag in the preview repository would
 * point at a PR's manifest, and the teardown keeps a manifest that a foreign tag shares.
 */

const CACHE_PUSH_FAILED = /failed pushing cache to/;
function cacheRepository(b, o) {
    return o.repository ?? `${b.repository}-buildcache`;
}
function planCache(b, support, o) {
    const repo = cacheRepository(b, o);
    const write = o.write ?? true;
    if (b.builder === 'docker') {
        const image = `${repo}:latest`;
        const how = support.buildkit
            ? 'BuildKit reads its inline cache from the registry'
            : 'the classic builder uses it once pulled';
        return {
            pull: support.buildkit ? undefined : image,
            buildFlags: ['--cache-from', image, '--build-arg', 'BUILDKIT_INLINE_CACHE=1'],
            push: write ? image : undefined,
            note: `layer cache: ${image} (${how}${write ? '' : '; read only'})`,
        };
    }
    if (!support.registryCache) {
        return {
            buildFlags: ['--layers'],
            note: `layer cache: none (this ${b.builder} has no --cache-from/--cache-to; buildah 1.27 and podman 4.3 have them)`,
        };
    }
    const from = ['--layers', '--cache-from', repo];
    return {
        buildFlags: write ? [...from, '--cache-to', repo] : from,
        withoutPush: write ? from : undefined,
        note: `layer cache: ${repo}${write ? '' : ' (read only)'}`,
    };
}
const execProbe = (cmd, args, env) => new Promise((resolve) => {
    (0,external_node_child_process_.execFile)(cmd, args, { env, timeout: 20_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
    });
});
/** Reads what the builder supports from `build --help` (buildx's help lists --cache-to, the classic one does not). */
async function detectCacheSupport(builder, env, probe = execProbe) {
    const help = await probe(builder, [builder === 'buildah' ? 'bud' : 'build', '--help'], env);
    const cacheTo = help.code === 0 && /--cache-to\b/.test(help.output);
    if (builder !== 'docker')
        return { registryCache: cacheTo, buildkit: false };
    return {
        registryCache: true,
        buildkit: cacheTo || ['1', 'true'].includes((env.DOCKER_BUILDKIT ?? '').toLowerCase()),
    };
}

;// CONCATENATED MODULE: ./src/image/build.ts
/**
 * Build and push the preview image with the builder the user chose. The registry password goes through stdin
 * (`login --password-stdin`), never argv, so it cannot show in the process list or the echoed command line. Every
 * builder runs with the allow-listed child environment: a Dockerfile's `RUN` step must not see the action's inputs.
 *
 * Optionally the image gets labels (`--label`, the same flag on all three builders; the build digest goes there) and
 * a registry layer cache (cache.ts). The cache's own steps may fail: a build never fails because of its cache.
 */






const STDERR_TAIL = 8_192;
const execRun = async (cmd, args, { input, env, started }) => {
    let stderr = '';
    let quiet = true;
    const output = () => {
        if (quiet)
            started?.();
        quiet = false;
    };
    const code = await exec/* exec */.m(cmd, args, {
        input,
        env,
        ignoreReturnCode: true,
        listeners: {
            stdout: output,
            stderr: (data) => {
                output();
                stderr = (stderr + data.toString()).slice(-STDERR_TAIL);
            },
        },
    });
    return { code, stderr };
};
function registryHost(repository) {
    return repository.split('/')[0];
}
/** The argv of each step, apart from running them so the choice is testable without a builder. */
function buildCommands(b, tag, extras = {}) {
    if (b.builder === 'none')
        return [];
    // docker has no --tls-verify: its daemon decides (insecure-registries, and 127.0.0.0/8 is always plain HTTP).
    const tls = b.registryInsecure && b.builder !== 'docker' ? ['--tls-verify=false'] : [];
    const steps = [];
    if (b.registryUsername && b.registryPassword) {
        steps.push({
            step: 'login',
            cmd: b.builder,
            args: ['login', ...tls, '--username', b.registryUsername, '--password-stdin', registryHost(b.repository)],
            input: Buffer.from(b.registryPassword),
        });
    }
    const cache = extras.cache;
    if (cache?.pull)
        steps.push({ step: 'cache-pull', cmd: b.builder, args: ['pull', cache.pull], optional: 'cache-read' });
    const build = buildArgv(b, tag, extras.labels ?? {});
    const step = { step: 'build', cmd: b.builder, args: build(cache?.buildFlags ?? []) };
    if (cache?.withoutPush)
        step.fallback = {
            when: CACHE_PUSH_FAILED,
            args: build(cache.withoutPush),
            why: 'the layer cache could not be pushed',
        };
    steps.push(step);
    steps.push({ step: 'push', cmd: b.builder, args: ['push', ...tls, tag] });
    if (cache?.push) {
        steps.push({ step: 'cache-tag', cmd: b.builder, args: ['tag', tag, cache.push], optional: 'cache-write' });
        steps.push({ step: 'cache-push', cmd: b.builder, args: ['push', cache.push], optional: 'cache-write' });
    }
    return steps;
}
function buildArgv(b, tag, labels) {
    const buildArgs = Object.entries(b.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const dockerfile = external_node_path_.resolve(b.context, b.dockerfile);
    const verb = b.builder === 'buildah' ? 'bud' : 'build';
    return (cacheFlags) => [
        verb,
        '--file',
        dockerfile,
        '--tag',
        tag,
        ...labelArgs,
        ...cacheFlags,
        ...buildArgs,
        b.context,
    ];
}
async function buildImage(b, tag, o = {}) {
    const result = { warnings: [] };
    if (b.builder === 'none')
        return result;
    const env = childEnv({}, o.parent ?? process.env);
    requireProgram(b.builder, env.PATH ?? '');
    // The builder's --help (its cache flags) is read while it logs in: neither needs the other, and both come before
    // the build, on the deploy's critical path (a cold build on the bench: about 90 ms and 60 ms).
    const support = o.cache ? detectCacheSupport(b.builder, env, o.probe ?? execProbe) : undefined;
    support?.catch(() => undefined); // awaited below
    const login = buildCommands(b, tag).filter((s) => s.step === 'login');
    await runSteps(b, tag, login, env, o, result);
    let cache;
    if (o.cache && support) {
        cache = planCache(b, await support, o.cache);
        result.cache = cache.note;
        o.log?.(cache.note);
    }
    const steps = buildCommands(b, tag, { labels: o.labels, cache }).filter((s) => s.step !== 'login');
    await runSteps(b, tag, steps, env, o, result);
    return result;
}
/** Runs the steps in order; a failed step throws, a failed optional one skips the steps of its kind and warns. */
async function runSteps(b, tag, steps, env, o, result) {
    const skipped = new Set();
    for (const s of steps) {
        if (s.optional && skipped.has(s.optional))
            continue;
        // the deploy's uploads start once the build prints: started before, they held up its spawn (the bench saw 0.6 s)
        const started = s.step === 'build' ? o.building : undefined;
        const run = (args) => attempt(o.run ?? execRun, s, args, env, started);
        let outcome = await run(s.args);
        if (outcome.code !== 0 && s.fallback?.when.test(outcome.stderr)) {
            o.log?.(`${b.builder} ${s.step} failed because ${s.fallback.why}; building again without it`);
            result.warnings.push(`${s.fallback.why}; the image was built without updating the cache`);
            outcome = await run(s.fallback.args);
        }
        if (outcome.code === 0)
            continue;
        const what = `${b.builder} ${s.step} failed for image ${tag}`;
        const failure = outcome.spawn !== undefined
            ? `${what}: could not run '${s.cmd}': ${outcome.spawn}`
            : `${what} (exit code ${outcome.code}); its output is in the log above`;
        if (!s.optional)
            throw new Error(failure + (outcome.spawn !== undefined ? '' : hint(b, s.step, outcome.stderr)));
        skipped.add(s.optional);
        result.warnings.push(failure);
        o.log?.(`${failure}; the layer cache is skipped, the build goes on`);
    }
}
/** One run of a step; a program that cannot be started is an outcome too (`spawn` says why). */
async function attempt(run, s, args, env, started) {
    try {
        return await run(s.cmd, args, { input: s.input, env, started });
    }
    catch (err) {
        return { code: -1, stderr: '', spawn: err.message };
    }
}
function requireProgram(program, PATH) {
    const found = PATH.split(external_node_path_.delimiter).some((dir) => dir !== '' && isExecutable(external_node_path_.join(dir, program)));
    if (!found) {
        throw new errors/* InputError */.dz('builder', `'${program}' needs the program '${program}', which is not on the runner's PATH: install it in an earlier step, or choose another builder (docker, podman, buildah; none deploys the prebuilt 'image')`);
    }
}
function isExecutable(file) {
    try {
        (0,external_node_fs_.accessSync)(file, external_node_fs_.constants.X_OK);
        return (0,external_node_fs_.statSync)(file).isFile();
    }
    catch {
        return false;
    }
}
/** What docker prints when the registry speaks plain HTTP or has a certificate the daemon does not trust. */
const DOCKER_TLS_MISMATCH = /server gave HTTP response to HTTPS client|x509: certificate/;
/** Login and push talk to the preview registry (a build's pulls go elsewhere): advise on the daemon's TLS rule. */
function hint(b, step, stderr) {
    if (b.builder !== 'docker' || (step !== 'login' && step !== 'push') || !DOCKER_TLS_MISMATCH.test(stderr))
        return '';
    const host = registryHost(b.repository);
    return (`. The docker daemon reached ${host} over HTTPS and the registry speaks plain HTTP or has an untrusted certificate;` +
        ` docker has no --tls-verify, so the input 'registry-insecure' cannot change that: add "${host}" to "insecure-registries"` +
        ` in the daemon's /etc/docker/daemon.json and restart it (only 127.0.0.0/8 is plain HTTP by default), or use builder podman or buildah`);
}

;// CONCATENATED MODULE: ./src/image/ignore.ts
/**
 * `.dockerignore` / `.containerignore` exactly as the builders read and match them, so the build digest covers the
 * files a build can see and nothing else. The builders do not agree, so each way is kept apart:
 *
 * - Reading the file. docker (moby `ignorefile.ReadAll`): a line is a comment only when `#` is its first byte; then
 *   the line is trimmed, `!` is split off and the rest trimmed again, cleaned like Go's `filepath.Clean`, and one
 *   leading `/` dropped. buildah and podman (openshift/imagebuilder `ParseIgnore`): lines split at `\n`, empty lines
 *   and lines starting with `#` dropped, `/` trimmed from both ends; the matcher then trims and cleans.
 * - Compiling a pattern (moby/patternmatcher): `*` is any run of non-`/`, `?` one non-`/`, `**` any number of path
 *   elements, `[…]` a class, `\` escapes. Docker 20.10 and containers/storage compiled every pattern to a regexp and
 *   escaped only `.` and `$` ("old"); patternmatcher ≥ 0.5 escapes `.+()|{}$` and matches plain and `**`-anchored
 *   patterns as strings ("modern"), so `**foo` means "ends with foo" there.
 * - Matching a path: the last pattern that matches the path or one of its parent directories decides
 *   (`MatchesOrParentMatches`, "parents"), with two older variants: docker 20.10's `Matches` checks only the parent at
 *   the pattern's own depth ("legacy"), and `MatchesUsingParentResults` (docker ≥ 23's CLI, BuildKit) carries each
 *   pattern's result down from the parent directory, computed only where the pattern was evaluated ("parent-results").
 */
/** An ignore file the builder would refuse (an illegal `!`, a malformed class): the build fails on it too. */
class IgnoreFileError extends Error {
    constructor(file, problem) {
        super(`${file}: ${problem}`);
        this.name = 'IgnoreFileError';
    }
}
/** Go's strings.TrimSpace: ASCII and Unicode white space at both ends. */
const trimSpace = (s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
/** Go's path/filepath.Clean on Unix. */
function cleanPath(p) {
    if (p === '')
        return '.';
    const rooted = p.startsWith('/');
    const out = [];
    for (const part of p.split('/')) {
        if (part === '' || part === '.')
            continue;
        if (part !== '..')
            out.push(part);
        else if (out.length > 0 && out[out.length - 1] !== '..')
            out.pop();
        else if (!rooted)
            out.push('..');
    }
    const joined = out.join('/');
    return rooted ? '/' + joined : joined || '.';
}
/** The pattern lines of an ignore file's text, as the builder hands them to its matcher. */
function readIgnoreLines(text, syntax) {
    return syntax === 'docker' ? readDocker(text) : readImagebuilder(text);
}
function readDocker(text) {
    const lines = text
        .replace(/^\uFEFF/, '')
        .split('\n')
        .map((l) => l.replace(/\r$/, ''));
    const out = [];
    for (const line of lines) {
        if (line.startsWith('#'))
            continue;
        let pattern = trimSpace(line);
        if (pattern === '')
            continue;
        const invert = pattern.startsWith('!');
        if (invert)
            pattern = trimSpace(pattern.slice(1));
        if (pattern !== '') {
            pattern = cleanPath(pattern);
            if (pattern.length > 1 && pattern.startsWith('/'))
                pattern = pattern.slice(1);
        }
        out.push(invert ? '!' + pattern : pattern);
    }
    return out;
}
function readImagebuilder(text) {
    return text
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => l.replace(/^\/+|\/+$/g, ''))
        .filter((l) => l !== '');
}
/** PatternMatcher.New: trim, clean, split off `!`, compile; `file` names the ignore file in errors. */
function compilePatterns(lines, compiler, file) {
    const patterns = [];
    for (const raw of lines) {
        let p = trimSpace(raw);
        if (p === '')
            continue;
        p = cleanPath(p);
        const exclusion = p.startsWith('!');
        if (exclusion) {
            if (p.length === 1)
                throw new IgnoreFileError(file, 'illegal exclusion pattern "!" (a "!" needs a pattern after it)');
            p = p.slice(1);
        }
        patterns.push({ text: p, exclusion, depth: p.split('/').length, match: compileOne(p, compiler, file) });
    }
    return patterns;
}
const ESCAPED = { modern: new Set([...'.+()|{}$']), old: new Set([...'.$']) };
/** Pattern.compile of moby/patternmatcher (modern) or of docker 20.10 and containers/storage (old). */
function compileOne(pattern, compiler, file) {
    const chars = [...pattern];
    let re = '^';
    let kind = 'exact';
    for (let i = 0, n = 0; i < chars.length; n++) {
        const ch = chars[i++];
        if (ch === '*' && chars[i] === '*') {
            i++;
            if (chars[i] === '/')
                i++;
            // "**" at the end is everything below (like .gitignore); elsewhere any number of path elements, even none.
            re += i === chars.length ? '[^\\n]*' : '(?:[^\\n]*/)?';
            kind = i === chars.length && kind === 'exact' ? 'prefix' : 'regexp';
            if (n === 0)
                kind = 'suffix';
        }
        else if (ch === '*' || ch === '?') {
            re += ch === '*' ? '[^/]*' : '[^/]';
            kind = 'regexp';
        }
        else if (ch === '\\') {
            if (i === chars.length)
                throw new IgnoreFileError(file, `the pattern "${pattern}" ends in a lone backslash (the builders refuse it with "syntax error in pattern")`);
            re += '\\' + chars[i++];
            kind = 'regexp';
        }
        else {
            re += ESCAPED[compiler].has(ch) ? '\\' + ch : ch;
            if (ch === '[' || ch === ']')
                kind = 'regexp';
        }
    }
    if (compiler === 'modern' && kind === 'exact')
        return (path) => path === pattern;
    if (compiler === 'modern' && kind === 'prefix')
        return (path) => path.startsWith(pattern.slice(0, -2));
    if (compiler === 'modern' && kind === 'suffix') {
        const suffix = pattern.slice(2);
        return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    let regexp;
    try {
        regexp = new RegExp(re + '$');
    }
    catch {
        throw new IgnoreFileError(file, `the pattern "${pattern}" is malformed (the builders refuse it with "syntax error in pattern")`);
    }
    return (path) => regexp.test(path);
}
/** Whether `path` (slash-separated, relative to the context) is excluded, by one matching rule. */
function excluded(patterns, rule, path, parent) {
    if (rule === 'parent-results')
        return matchUsingParentResults(patterns, path, parent);
    const dirs = path.split('/').slice(0, -1);
    let matched = false;
    for (const p of patterns) {
        if (p.exclusion !== matched)
            continue;
        let hit = p.match(path);
        if (!hit && dirs.length > 0) {
            if (rule === 'legacy')
                hit = p.depth <= dirs.length && p.match(dirs.slice(0, p.depth).join('/'));
            else
                hit = dirs.some((_, i) => p.match(dirs.slice(0, i + 1).join('/')));
        }
        if (hit)
            matched = !p.exclusion;
    }
    return { excluded: matched, info: undefined };
}
function matchUsingParentResults(patterns, path, parent) {
    const info = [];
    let matched = false;
    patterns.forEach((p, i) => {
        let hit = parent?.[i] ?? false;
        if (!hit) {
            if (p.exclusion !== matched) {
                info.push(false);
                return;
            }
            hit = p.match(path);
        }
        info.push(hit);
        if (hit)
            matched = !p.exclusion;
    });
    return { excluded: matched, info };
}

;// CONCATENATED MODULE: ./src/image/context-rules.ts
/**
 * Which files of the build context a builder can see, for every builder generation the action may meet, measured
 * here with the real programs (see __tests__/integration/image-digest-context-real.test.ts) and read from their
 * sources:
 *
 * | generation                        | ignore file                                         | compile | match          | prune  |
 * | docker 20.10, classic builder     | `.dockerignore`                                     | old     | legacy         | docker |
 * | docker 20.10, BuildKit            | `<Dockerfile>.dockerignore`, else `.dockerignore`   | old     | legacy         | docker |
 * | docker ≥ 23 CLI, classic builder  | `.dockerignore`                                     | modern  | parent-results | docker |
 * | BuildKit (buildx)                 | `<Dockerfile>.dockerignore`, else `.dockerignore`   | modern  | parent-results | fsutil |
 * | buildah 1.28, podman 4.3          | `<Containerfile>.dockerignore`, `….containerignore`, `.containerignore`, `.dockerignore` (first found) | old | parents | buildah |
 *
 * A file counts when any generation of the chosen builder would send it: a digest that misses a file the builder
 * copies would reuse a stale image, while one extra file only costs a rebuild. Pruning is where a builder's walk stops
 * descending into an excluded directory; it matters because the legacy matcher alone would let files under an
 * excluded directory back in.
 */



const GENERATIONS = {
    docker: [
        { choice: 'context', syntax: 'docker', compiler: 'old', rule: 'legacy', prune: 'docker' },
        { choice: 'dockerfile-first', syntax: 'docker', compiler: 'old', rule: 'legacy', prune: 'docker' },
        { choice: 'context', syntax: 'docker', compiler: 'modern', rule: 'parent-results', prune: 'docker' },
        { choice: 'dockerfile-first', syntax: 'docker', compiler: 'modern', rule: 'parent-results', prune: 'fsutil' },
    ],
    containers: [
        { choice: 'containerfile-first', syntax: 'imagebuilder', compiler: 'old', rule: 'parents', prune: 'buildah' },
    ],
};
/** The ignore file each choice reads, first found wins; paths are absolute. */
function candidates(choice, context, dockerfile) {
    const ctx = (name) => external_node_path_.join(context, name);
    switch (choice) {
        case 'context':
            return [ctx('.dockerignore')];
        case 'dockerfile-first':
            return [`${dockerfile}.dockerignore`, ctx('.dockerignore')];
        case 'containerfile-first':
            // buildah checks .containerignore, then lets .dockerignore override it, beside the Containerfile.
            return [
                `${dockerfile}.dockerignore`,
                `${dockerfile}.containerignore`,
                ctx('.containerignore'),
                ctx('.dockerignore'),
            ];
    }
}
function builderFamily(builder) {
    return builder === 'docker' ? 'docker' : 'containers';
}
/**
 * Every selection the builder family may use, with the text of each ignore file read (for the digest: the files'
 * own bytes count even where their effect does not change the selected set). `dockerfile` is absolute.
 */
async function selectionsFor(family, context, dockerfile) {
    const ignoreFiles = new Map();
    const read = async (file) => {
        if (!ignoreFiles.has(file)) {
            const data = await external_node_fs_.promises.readFile(file).catch((err) => {
                if (err.code === 'ENOENT' || err.code === 'ENOTDIR')
                    return undefined;
                throw new Error(`cannot read the ignore file ${file}: ${err.message}`);
            });
            if (data)
                ignoreFiles.set(file, data);
        }
        return ignoreFiles.get(file);
    };
    const selections = [];
    for (const g of GENERATIONS[family]) {
        let file;
        for (const candidate of candidates(g.choice, context, dockerfile)) {
            if (await read(candidate)) {
                file = candidate;
                break;
            }
        }
        const lines = file ? readIgnoreLines(ignoreFiles.get(file).toString('utf8'), g.syntax) : [];
        selections.push({ patterns: compilePatterns(lines, g.compiler, file ?? ''), rule: g.rule, prune: g.prune, file });
    }
    return { selections, ignoreFiles };
}
const ROOT_STATE = { visible: true, info: undefined };
/** One selection's verdict on an entry: sent to the builder, and (for a directory) walked into. */
function judge(s, rel, isDir, parent) {
    if (!parent.visible)
        return { included: false, descend: { visible: false, info: undefined } };
    const r = excluded(s.patterns, s.rule, rel, parent.info);
    const walk = isDir && (!r.excluded || (walksInto(s, rel) && someExceptionBelow(s.patterns, rel)));
    return { included: !r.excluded, descend: { visible: walk, info: r.info } };
}
const WILDCARD = /[*[\]?^\\]/;
/** The builder's own rule for walking into an excluded directory. */
function walksInto(s, dir) {
    const exceptions = s.patterns.filter((p) => p.exclusion);
    if (exceptions.length === 0)
        return false;
    if (s.prune === 'buildah')
        return true;
    const trim = s.prune === 'fsutil' ? withoutTrailingGlob : (t) => t;
    if (s.prune === 'fsutil' && exceptions.some((p) => WILDCARD.test(withoutTrailingGlob(p.text))))
        return true;
    return exceptions.some((p) => (trim(p.text) + '/').startsWith(dir + '/'));
}
function withoutTrailingGlob(text) {
    return text.replace(/\/\*\*$/, '').replace(/\/\*$/, '');
}
/**
 * Whether some exception could match a path below `dir`: its literal start (up to the first wildcard) and `dir/`
 * must agree. Without one, nothing below an excluded directory comes back under the parents and parent-results rules,
 * so skipping it changes nothing but the time spent.
 */
function someExceptionBelow(patterns, dir) {
    const prefix = dir + '/';
    return patterns.some((p) => {
        if (!p.exclusion)
            return false;
        const literal = p.text.split(WILDCARD)[0];
        return prefix.startsWith(literal) || literal.startsWith(prefix);
    });
}

;// CONCATENATED MODULE: ./src/image/digest.ts
/**
 * The build digest: a content address of what determines the preview image, so a push that changes nothing the
 * build can see reuses the image it already has. It covers
 * - every file of the build context the builder can see (context-rules.ts: `.dockerignore` / `.containerignore` as
 *   each builder generation reads them): path, type, permission bits, and the content of files or target of symlinks
 *   (symlinks are not followed, as COPY does not follow them); never mtimes, owners or the context's own location;
 * - the Dockerfile's content, wherever it lives (outside the context, or ignored by it), and every ignore file read;
 * - the build args, the target platform, and anything the caller adds (`extra`).
 * It does not cover what the build fetches (a base image tag that moves, `RUN curl …`): `rebuild: always` is for that.
 *
 * Files are read as streams, a bounded number at a time, so a large context neither exhausts file descriptors nor
 * memory.
 */




/** Bumped whenever what goes into the digest changes, so old labels never match new digests by accident. */
const FORMAT = 'faas-preview build digest v1';
/** Hex characters kept: 160 bits, and a valid Kubernetes label value (at most 63 characters). */
const LENGTH = 40;
const DEFAULT_CONCURRENCY = 16;
/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_READ = 1 << 20;
async function buildDigest(input, o = {}) {
    const context = external_node_path_.resolve(input.context);
    const dockerfile = external_node_path_.resolve(context, input.dockerfile);
    const limit = limiter(o.concurrency ?? DEFAULT_CONCURRENCY);
    const { entries, ignoreFiles } = await selectContext(input.builder, context, dockerfile, limit);
    let bytes = 0;
    const lines = await Promise.all(entries.map((e) => limit(async () => {
        const line = await describe(e);
        bytes += line.bytes;
        return line.text;
    })));
    const rel = (file) => external_node_path_.relative(context, file);
    const header = {
        platform: input.platform ?? hostPlatform(),
        buildArgs: sorted(input.buildArgs),
        extra: sorted(input.extra ?? {}),
        dockerfile: await limit(() => digest_hashFile(dockerfile, 'the Dockerfile')),
        ignoreFiles: [...ignoreFiles].map(([file, data]) => [rel(file), sha256(data)]).sort(),
    };
    const hash = (0,external_node_crypto_.createHash)('sha256').update(`${FORMAT}\n${JSON.stringify(header)}\n`);
    for (const line of lines)
        hash.update(line + '\n');
    return {
        value: hash.digest('hex').slice(0, LENGTH),
        entries: entries.length,
        bytes,
        ignoreFiles: [...ignoreFiles.keys()].map(rel).sort(),
    };
}
/**
 * The context entries the builder may send, sorted by path, and the ignore files read. Exported for the tests that
 * compare it with what the real builders copy.
 */
async function selectContext(builder, context, dockerfile, limit = limiter(DEFAULT_CONCURRENCY)) {
    const { selections, ignoreFiles } = await selectionsFor(builderFamily(builder), context, dockerfile);
    const entries = [];
    await walk(context, '', selections.map(() => ROOT_STATE), selections, entries, limit);
    entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    return { entries, ignoreFiles };
}
/** Collects the entries some selection includes; returns how many it collected under `dir`. */
async function walk(dir, rel, states, selections, out, limit) {
    const dirents = await limit(() => external_node_fs_.promises.readdir(dir, { withFileTypes: true }));
    const counts = await Promise.all(dirents.map(async (d) => {
        const childRel = rel ? `${rel}/${d.name}` : d.name;
        if (d.name.includes('\uFFFD'))
            await requireUtf8Name(external_node_path_.join(dir, d.name));
        const verdicts = selections.map((s, i) => judge(s, childRel, d.isDirectory(), states[i]));
        const included = verdicts.some((v) => v.included);
        const entry = { rel: childRel, abs: external_node_path_.join(dir, d.name), dirent: d };
        if (!d.isDirectory()) {
            if (included)
                out.push(entry);
            return included ? 1 : 0;
        }
        const below = verdicts.some((v) => v.descend.visible)
            ? await walk(entry.abs, childRel, verdicts.map((v) => v.descend), selections, out, limit)
            : 0;
        // An excluded directory with files sent from below still reaches the builder (BuildKit sends its metadata).
        if (included || below > 0)
            out.push(entry);
        return below + (included || below > 0 ? 1 : 0);
    }));
    return counts.reduce((a, b) => a + b, 0);
}
/** readdir decodes names as UTF-8, so a name that is not UTF-8 comes back with U+FFFD and cannot be opened. */
async function requireUtf8Name(file) {
    const exists = await external_node_fs_.promises.lstat(file).then(() => true, () => false);
    if (!exists)
        throw new Error(`${file}: a file name that is not valid UTF-8 has no stable digest; rename it or add it to .dockerignore`);
}
/** `[path, type, permission bits, content hash | link target]` as one JSON line; never opens anything but a file. */
async function describe(e) {
    const st = await external_node_fs_.promises.lstat(e.abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (e.dirent.isSymbolicLink())
        return { text: JSON.stringify([e.rel, 'symlink', mode, await external_node_fs_.promises.readlink(e.abs)]), bytes: 0 };
    if (st.isDirectory())
        return { text: JSON.stringify([e.rel, 'dir', mode, '']), bytes: 0 };
    if (!st.isFile())
        return { text: JSON.stringify([e.rel, 'special', mode, String(st.rdev)]), bytes: 0 };
    return { text: JSON.stringify([e.rel, 'file', mode, await digest_hashFile(e.abs, e.rel, st.size)]), bytes: st.size };
}
async function digest_hashFile(file, what, size) {
    try {
        if (size !== undefined && size <= WHOLE_READ)
            return sha256(await external_node_fs_.promises.readFile(file));
        const hash = (0,external_node_crypto_.createHash)('sha256');
        await pipeInto(file, hash);
        return hash.digest('hex');
    }
    catch (err) {
        throw new Error(`cannot read ${what} (${file}) for the build digest: ${err.message}`, { cause: err });
    }
}
function pipeInto(file, hash) {
    return new Promise((resolve, reject) => {
        (0,external_node_fs_.createReadStream)(file)
            .on('data', (chunk) => hash.update(chunk))
            .on('error', reject)
            .on('end', () => resolve());
    });
}
const sha256 = (data) => (0,external_node_crypto_.createHash)('sha256').update(data).digest('hex');
function sorted(record) {
    return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
/** Node's architecture names → the OCI platform names the builders use. */
const OCI_ARCH = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
};
function hostPlatform() {
    return `linux/${OCI_ARCH[process.arch] ?? process.arch}`;
}
/** At most `n` of the given tasks run at once; the others wait in order. */
function limiter(n) {
    let active = 0;
    const waiting = [];
    return async (fn) => {
        // A finishing task hands its slot straight to the next waiting one, so no newcomer can slip in between.
        if (active >= n)
            await new Promise((resolve) => waiting.push(resolve));
        else
            active++;
        try {
            return await fn();
        }
        finally {
            const next = waiting.shift();
            if (next)
                next();
            else
                active--;
        }
    };
}

;// CONCATENATED MODULE: ./src/image/retag.ts
/**
 * Retag instead of rebuild: when another commit of the same PR already built an image with the same build digest,
 * its manifest is copied to the new tag through the registry API (GET the manifest with every Accept type, PUT the
 * same bytes under the new tag), which distribution, GHCR and Docker Hub all allow with push access. Nothing is
 * pulled or rebuilt, and the new tag names exactly the bytes the old one did (the PUT's digest is checked).
 *
 * The image is found by its label: every PR tag (`pr-<n>-<sha>`) other than the new one is read (manifest, and the
 * config blob that carries the labels), a few at a time, until one carries the digest in `faas-preview/build-digest`.
 */








const CONCURRENCY = 4;
const INDEX_TYPES = new Set([
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
]);
/** Copies the manifest of the PR's image whose build digest is `digest` to `tag`; registry errors are thrown. */
async function retagByDigest(b, pr, tag, digest, deps) {
    const client = registryClient(b, deps);
    const target = tagOf(tag);
    const tags = (deps.candidates ?? (await listAllTags(client))).filter((t) => t !== target && isPrTag(t, pr));
    for (let i = 0; i < tags.length; i += CONCURRENCY) {
        const batch = tags.slice(i, i + CONCURRENCY);
        const found = await Promise.all(batch.map((t) => labelledManifest(client, t, digest, deps.platform ?? hostPlatform())));
        const hit = found.findIndex((m) => m !== undefined);
        if (hit >= 0) {
            const manifest = await putManifest(client, found[hit], target);
            return { retagged: true, from: batch[hit], sha: batch[hit].replace(/^pr-\d+-/, ''), manifest };
        }
    }
    const looked = tags.length === 0
        ? 'the registry has no other image of this PR'
        : `none of the PR's ${tags.length} other image(s) has it`;
    return { retagged: false, reason: `no image with build digest ${digest}: ${looked}` };
}
function registryClient(b, deps) {
    const repo = (0,image_reference/* parseRepository */.SU)(b.repository);
    return new RegistryClient({
        origin: apiOrigin(repo.host, b.registryInsecure),
        name: repo.path,
        username: b.registryUsername || undefined,
        password: b.registryPassword || undefined,
        timeoutMs: deps.timeoutMs,
        log: deps.log,
    });
}
/** `registry/repo:tag` → `tag`. */
function tagOf(image) {
    const m = /:([\w][\w.-]{0,127})$/.exec(image);
    if (!m || m[1].includes('/'))
        throw new Error(`image '${image}' has no tag; expected <repository>:<tag>`);
    return m[1];
}
/** The tag's manifest when its image (for `platform`, in an index) is labelled with `digest`. */
async function labelledManifest(client, tag, digest, platform) {
    const top = await getManifest(client, tag);
    if (!top)
        return undefined;
    let image = parseJson(top.body, 'manifest');
    if (INDEX_TYPES.has(top.mediaType)) {
        const child = pickPlatform(image, platform);
        const fetched = child ? await getManifest(client, child) : undefined;
        if (!fetched)
            return undefined;
        image = parseJson(fetched.body, 'manifest');
    }
    const config = image.config?.digest;
    if (typeof config !== 'string')
        return undefined;
    const res = await client.blob(config);
    const labels = parseJson(verified(res, config), 'image config')
        .config?.Labels;
    return labels?.[naming/* BUILD_DIGEST_LABEL */.V_] === digest ? top : undefined;
}
async function getManifest(client, reference) {
    const res = await client.request('GET', client.url(`manifests/${encodeURIComponent(reference)}`), (s) => s === 200 || s === 404, { accept: MANIFEST_TYPES });
    if (res.status === 404)
        return undefined;
    const body = Buffer.from(res.text, 'utf8');
    const digest = retag_sha256(body);
    const header = res.headers['docker-content-digest'];
    if (typeof header === 'string' && header !== digest)
        throw new Error(`${res.call}: the manifest read does not hash to its Docker-Content-Digest ${header}`);
    const declared = parseJson(body, 'manifest').mediaType;
    const mediaType = (res.headers['content-type'] ?? (typeof declared === 'string' ? declared : ''))
        .split(';')[0]
        .trim();
    return { body, mediaType, digest };
}
/** The child manifest of an index for `os/arch[/variant]`. */
function pickPlatform(index, platform) {
    const [os, arch, variant] = platform.split('/');
    const entries = index.manifests ?? [];
    const match = entries.find((m) => m.platform?.os === os &&
        m.platform?.architecture === arch &&
        (variant === undefined || m.platform?.variant === variant));
    return typeof match?.digest === 'string' ? match.digest : undefined;
}
async function putManifest(client, m, tag) {
    const res = await client.request('PUT', client.url(`manifests/${encodeURIComponent(tag)}`), (s) => s === 201, { 'content-type': m.mediaType }, m.body);
    const digest = res.headers['docker-content-digest'];
    if (typeof digest === 'string' && digest !== m.digest)
        throw new Error(`${res.call} stored the manifest as ${digest}, not ${m.digest}: the copy is not the image that was found`);
    return m.digest;
}
function verified(res, digest) {
    const body = Buffer.from(res.text, 'utf8');
    if (retag_sha256(body) !== digest)
        throw new Error(`${res.call}: the blob read does not hash to ${digest}`);
    return body;
}
function parseJson(body, what) {
    try {
        return JSON.parse(body.toString('utf8'));
    }
    catch {
        throw new Error(`the registry sent a ${what} that is not JSON`);
    }
}
const retag_sha256 = (data) => 'sha256:' + (0,external_node_crypto_.createHash)('sha256').update(data).digest('hex');

;// CONCATENATED MODULE: ./src/commands/image-source.ts
/**
 * The image a deploy runs (issue 15): prebuilt (`builder: none`), reused (the function already runs an image with
 * this push's build digest: no build, no push), retagged (another commit of the PR built this digest: its manifest
 * gets this commit's tag, no build), or built (with the registry layer cache; a fork PR reads it but never writes
 * it, so it cannot poison layers that trusted builds reuse). `rebuild: always` skips the digest and builds.
 */







const digestWanted = (b) => b.rebuild !== 'always' && b.builder !== 'none';
const computeDigest = (b) => buildDigest({ builder: b.builder, context: b.context, dockerfile: b.dockerfile, buildArgs: b.buildArgs });
/** Digests started before the image is decided, by the build settings they are of. */
const ahead = new WeakMap();
/**
 * Starts `b`'s digest now, for the image decision to use: the deploy starts it while GitHub and the gateway are
 * asked (about 60 ms of reading and hashing on the bench, seconds for a large context). It only reads the context;
 * its outcome is logged when the decision takes it, so a run that stops before says nothing about it. Resolves once
 * it is computed (or failed), never rejects.
 */
function digestAhead(b) {
    if (!digestWanted(b))
        return Promise.resolve();
    const digest = ahead.get(b) ?? computeDigest(b);
    ahead.set(b, digest);
    return digest.then(() => undefined, () => undefined);
}
/** The digest, or undefined (and a log line) when it cannot be computed: the build then runs as before. */
async function digestOf(b) {
    if (!digestWanted(b))
        return undefined;
    try {
        const d = await (ahead.get(b) ?? computeDigest(b));
        log/* log */.R.info(`Build digest ${d.value}: ${d.entries} context entries, ${d.bytes} bytes${d.ignoreFiles.length ? `, ignore files ${d.ignoreFiles.join(', ')}` : ''}`);
        return d.value;
    }
    catch (err) {
        log/* log */.R.warning(`no build digest (${err.message}); building as usual`);
        return undefined;
    }
}
/** Decides and makes one function's image (stack functions get their build context made, and removed, here). */
async function prepareImage(s, unit, running, templates, building) {
    if (!unit.build)
        return { backend: { how: 'prebuilt' }, image: unit.tag };
    const made = unit.context ? await unit.context(templates) : undefined;
    try {
        const b = made
            ? { ...unit.build, context: made.context, dockerfile: made.dockerfile, buildArgs: made.buildArgs }
            : unit.build;
        return {
            ...(await imageFor(s, b, unit.tag, running, building)),
            ...(made?.fprocess ? { envProcess: made.fprocess } : {}),
        };
    }
    finally {
        await made?.cleanup();
    }
}
async function imageFor(s, b, tag, running, building) {
    const digest = await digestOf(b);
    if (digest) {
        const reuse = reusableImage(running, digest);
        if (reuse) {
            log/* log */.R.info(`Backend unchanged since ${reuse.since.slice(0, 7)}: the function already runs ${reuse.image}, built from digest ${digest}; no build, no push`);
            return { backend: { how: 'reused', digest, since: reuse.since }, image: reuse.image };
        }
        const retag = await retagByDigest(b, s.ctx.pr.number, tag, digest, {
            timeoutMs: s.settings.requestTimeoutMs,
            log: log/* log */.R.info,
        }).catch((err) => {
            log/* log */.R.warning(`could not look for an image of this digest in the registry (${err.message}); building`);
            return undefined;
        });
        if (retag?.retagged) {
            log/* log */.R.info(`Retagged ${retag.from} as ${tag}: commit ${retag.sha.slice(0, 7)} built the same digest ${digest}; no build`);
            return { backend: { how: 'retagged', digest, from: retag.sha }, image: tag };
        }
        if (retag)
            log/* log */.R.info(retag.reason);
    }
    const fork = (0,decide_event/* isFork */.B0)(`${s.ctx.repo.owner}/${s.ctx.repo.repo}`, s.ctx.pr.headRepo);
    log/* log */.R.info(`Building ${tag} with ${b.builder}`);
    const result = await buildImage(b, tag, {
        labels: digest ? { [naming/* BUILD_DIGEST_LABEL */.V_]: digest } : {},
        cache: { write: !fork },
        log: log/* log */.R.info,
        building,
    });
    for (const w of result.warnings)
        log/* log */.R.warning(w);
    return { backend: { how: 'built', digest, cache: result.cache }, image: tag };
}

;// CONCATENATED MODULE: ./src/sweep/evict-plan.ts
/**
 * Making room on Community Edition (issue 23), pure: when a new preview needs slots a full gateway does not have,
 * which of this repository's previews to put to sleep. Only a preview the sweeper itself would put to sleep now
 * (sweep/plan.ts said `sleep`: idle for `idle-after`, by the same source of last use) is a candidate, least recently
 * used first; never the deploying preview, another repository's preview or an unmanaged function (they are not
 * candidates at all). Either enough candidates free what the quota needs, or none is touched and the refusal says,
 * per holder, when it was last used and why it stays.
 */


/** Each preview with the sweeper's judgment of it now, or none where its last use is unknown. */
function judgeCandidates(j) {
    const { previews, members, increases } = j.groups;
    const judged = j.readable
        ? planSweep({
            functions: previews,
            previous: j.previous,
            increases,
            visits: j.visits,
            // Every preview counts as open and none as expired: closing and expiry are the sweeper's to act on.
            openPulls: new Set(previews.map((p) => p.pr)),
            prefixes: [],
            app: j.app,
            edition: 'community',
            now: j.now,
            idleAfterMs: j.idleAfterMs,
        }).actions
        : [];
    // In the sweeper's memory a preview it has not seen yet counts as used now: here, as unknown.
    const known = (name) => j.readable && (increases !== undefined || Object.hasOwn(j.previous ?? {}, name));
    return previews.map((p) => ({
        name: p.name,
        pr: p.pr,
        functions: members.get(p.name)?.length ?? 0,
        deployedAt: p.deployedAt,
        judged: known(p.name) ? judged.find((a) => a.name === p.name) : undefined,
    }));
}
/** When a candidate was last used; the deploy time when the source gives none (Prometheus: idle for the window). */
const lastUse = (c) => c.judged?.lastActivityAt ?? c.deployedAt ?? 0;
function evictionPlan(q, candidates, o) {
    const idle = candidates
        .filter((c) => c.name !== q.name && c.judged?.decision === 'sleep')
        .sort((a, b) => lastUse(a) - lastUse(b) || a.pr - b.pr);
    let left = q;
    const victims = [];
    for (const c of idle) {
        if (quotaDecision(left).kind === 'allow')
            break;
        victims.push(c);
        left = { ...left, previews: left.previews.filter((p) => p.name !== c.name), total: left.total - c.functions };
    }
    if (quotaDecision(left).kind === 'allow')
        return { kind: 'evict', victims };
    const refusal = quotaDecision(q);
    const byName = new Map(candidates.map((c) => [c.name, c]));
    const holders = refusal.holders.map((h) => ({ ...h, ...use(h, q.name, byName.get(h.name), o) }));
    return { kind: 'refuse', refusal: { ...refusal, holders } };
}
/** Why a holder stays, for the refusal: its last use when known, and what keeps it. */
function use(h, self, c, o) {
    const within = `less than idle-after (${formatDuration(o.idleAfterMs)}) ago`;
    if (h.name === self)
        return { stays: "this PR's own preview" };
    const a = c?.judged;
    if (!a)
        return { stays: 'last use unknown, so it is not put to sleep' };
    const at = a.lastActivityAt === undefined ? {} : { lastUsedAt: new Date(a.lastActivityAt).toISOString() };
    if (a.decision === 'sleep')
        return { ...at, stays: `idle for ${a.idleFor}, but the idle previews together free too few slots` };
    // The sweeper's rule 1: a deploy younger than idle-after is never touched, whatever the calls say.
    if (c.deployedAt !== undefined && o.now - c.deployedAt < o.idleAfterMs)
        return { ...at, stays: `deployed ${within}` };
    return { ...at, stays: a.lastActivityAt === undefined ? a.lastActivity : `used ${within}` };
}

;// CONCATENATED MODULE: ./src/sweep/groups.ts
/**
 * The sweeper decides per preview, not per function: a stack's preview is `<name>` and `<name>-<fn>` (issue 12), and
 * idling one of its functions while a reviewer calls another would break the page. Pure: this repository's listed
 * functions (and Prometheus increases by function) → one ManagedFunction per preview, activity summed over its
 * functions, with the functions it stands for.
 */

function deployedAt(f) {
    for (const text of [f.annotations?.[naming/* ANNOTATIONS */.BC.deployedAt], f.createdAt]) {
        const ms = text ? Date.parse(text) : NaN;
        if (Number.isFinite(ms))
            return ms;
    }
    return undefined;
}
const sum = (xs) => xs.reduce((a, x) => a + (x ?? 0), 0);
/** The latest deploy of any of the functions: a push that changed one function is activity for the preview. */
function latest(xs) {
    const known = xs.filter((x) => x !== undefined);
    return known.length ? Math.max(...known) : undefined;
}
function groupPreviews(app, ours, increases) {
    const members = new Map();
    const prs = new Map();
    const strays = [];
    for (const f of ours) {
        const of = (0,naming/* previewOfFunction */.wU)(app, f);
        if (!of) {
            strays.push(f.name);
            continue;
        }
        members.set(of.preview, [...(members.get(of.preview) ?? []), f]);
        prs.set(of.preview, of.pr);
    }
    const previews = [...members].map(([name, fns]) => ({
        name,
        pr: prs.get(name),
        replicas: Math.max(...fns.map((f) => f.replicas ?? 0)),
        invocationCount: sum(fns.map((f) => f.invocationCount)),
        deployedAt: latest(fns.map(deployedAt)),
    }));
    const byPreview = increases && new Map([...members].map(([name, fns]) => [name, sum(fns.map((f) => increases.get(f.name)))]));
    return { previews, members, strays, ...(byPreview ? { increases: byPreview } : {}) };
}

;// CONCATENATED MODULE: ./src/sweep/put-to-sleep.ts



async function putToSleep(io, name, fns, since) {
    const { store } = io;
    // The record holds what the deploy sent; the gateway lists less (faasd: no requests, cpu limit, read-only flag).
    const record = store ? await readRecord(store, name) : undefined;
    // Saved before anything is deleted: a preview whose functions are gone but specs are not saved could never wake.
    if (store)
        await saveSleeping(store, name, record?.specs ?? fns.map(runningSpec), since);
    let gone = 0;
    for (const f of fns)
        gone += (await io.gateway.remove(f.name)) ? 1 : 0;
    return { gone, saved: Boolean(store), ...(record?.readyMs === undefined ? {} : { readyMs: record.readyMs }) };
}
/** Between listings of the gateway while deleted functions go: a Deployment's pods take seconds. */
const GONE_POLL_MS = 500;
/**
 * Waits until the gateway no longer lists `names`, until `deadline` (epoch ms; then it throws). faas-netes deletes a
 * function's Deployment in the foreground: it stays listed, and counted by the CE cap, until its pods have
 * terminated, and a create sent before then is refused as if no slot had been freed. faasd: one listing.
 */
async function untilGone(gateway, names, deadline, sleep = (ms) => new Promise((r) => setTimeout(r, ms))) {
    for (;;) {
        const left = (await gateway.list()).filter((f) => names.has(f.name)).map((f) => f.name);
        if (left.length === 0)
            return;
        if (Date.now() >= deadline)
            throw new Error(`the functions put to sleep to make room are still on the gateway: ${left.join(', ')}`);
        await sleep(Math.min(GONE_POLL_MS, Math.max(1, deadline - Date.now())));
    }
}

;// CONCATENATED MODULE: ./src/decide/advice.ts
const CREDENTIALS = {
    gateway: "check the `gateway-username` and `gateway-password` inputs: the gateway answered 401, so it was reached and refused them (faasd's password is in `/var/lib/faasd/secrets/basic-auth-password`, faas-netes' in the `basic-auth` secret of the `openfaas` namespace)",
    bucket: 'check `aws-access-key-id` and `aws-secret-access-key`: the S3 server refused them',
    registry: 'check `registry-username` and `registry-password`: the registry refused them',
    GitHub: 'check `github-token`: GitHub refused it',
    database: 'check the user and password in `database-url`: PostgreSQL refused them',
    server: 'check the credentials of the failed call above',
};
const INPUT = {
    gateway: '`gateway-url`',
    bucket: '`s3-endpoint`',
    registry: '`registry`',
    GitHub: 'GitHub',
    database: '`database-url`',
    server: 'the address in the error',
};
function logCommands(t) {
    const fn = t.functions.length === 1 ? t.functions[0] : '<function>';
    const faasd = `on faasd \`journalctl -t ${t.namespace}:${fn}\` (or \`faas-cli logs ${fn}\`)`;
    const netes = `on faas-netes \`kubectl logs -n ${t.namespace} deploy/${fn}\``;
    const where = t.provider === 'faasd' ? faasd : t.provider === 'faas-netes' ? netes : `${faasd}, ${netes}`;
    const which = t.functions.length > 1 ? ` (functions ${t.functions.map((f) => `\`${f}\``).join(', ')})` : '';
    return `read the function's log${which}: ${where}; it must answer \`ready-path\` below 500 within \`ready-timeout\``;
}
/** Advice by step, when the error says nothing more specific. */
const BY_STEP = {
    stack: 'fix the stack file (or the `functions` / `default-function` inputs) as the error says, then push',
    gateway: "check that the gateway's `/system/*` API answers this runner at `gateway-url`",
    state: "check that the bucket's credentials may write under `state-prefix`",
    build: 'fix the build error above (run the same build locally), then push',
    image: 'make the image pullable by the gateway, then re-run the workflow',
    data: 'fix the migration, seed or hook that failed (its output is above), then push',
    deploy: "the gateway refused the function's spec: fix what the error names, then push",
    readiness: "read the function's log and make `ready-path` answer below 500 within `ready-timeout`",
    assets: 'check the bucket, its credentials and `static-dir`, then re-run the workflow',
};
/** The one "What to do" sentence for `t`. */
function whatToDo(t) {
    switch (t.kind) {
        case 'credentials':
            return CREDENTIALS[t.target];
        case 'unreachable':
            return t.target === 'gateway'
                ? "check `gateway-url` and that this runner can reach the gateway's `/system/*` API (a self-hosted runner beside it, or a path that exposes only `/system/*`)"
                : `check ${INPUT[t.target]} and that this runner can reach it`;
        case 'timeout':
            return `the ${t.target} did not answer in time: check that it is up and not overloaded, or raise \`request-timeout\``;
        case 'permission':
            return `add \`${t.need}\` under \`permissions:\` in the workflow (GitHub answered 403 "Resource not accessible by integration")`;
        case 'bucket-missing':
            return 'check the `bucket` input (and `s3-endpoint`): the bucket does not exist there';
        case 'image-pull':
            return 'make the image pullable by the gateway: public, or with the gateway given pull credentials (faasd: `/var/lib/faasd/.docker/config.json`; faas-netes: an image pull secret)';
        case 'never-ready':
            return logCommands(t);
        case 'input':
            return `change the \`${t.input}\` input, or what it needs on the runner, as the error says, then re-run the workflow`;
        case 'step':
            return BY_STEP[t.step];
    }
}

;// CONCATENATED MODULE: ./src/github/comment-text.ts
/**
 * What the PR comment says, for each state of a preview. Pure: rendering only, no I/O.
 * Read at a glance: a heading with the state and the link, one row per function (state, link, commit, when), and the
 * details (images, build digests, ready checks, assets, data) folded away. It says only what the run saw: "ready"
 * needs verified readiness (openfaas/readiness.ts); a failure says which step failed, what is true of the previous
 * version, and what to do (decide/advice.ts). Text from outside (error bodies, image names) goes through
 * text/untrusted.ts, so it renders inert and without the run's internal addresses.
 */



const HEADING = '### Preview';
const STEP = {
    stack: 'cannot deploy the stack file',
    gateway: "could not read the OpenFaaS gateway's functions",
    state: 'could not record the preview in the bucket',
    build: 'failed to build or push the image',
    image: 'cannot run the image on this gateway',
    data: "could not prepare the preview's data (database, secrets, hooks)",
    deploy: 'could not deploy the function',
    readiness: 'deployed the function, but it did not become ready',
    assets: 'deployed the function, but the static assets failed to sync',
};
/** The gateway step says what the gateway did: refusing the credentials is not being out of reach. */
function stepText(step, trouble) {
    if (step !== 'gateway')
        return STEP[step];
    if (trouble.kind === 'credentials')
        return 'the OpenFaaS gateway refused the credentials';
    if (trouble.kind === 'unreachable')
        return 'could not reach the OpenFaaS gateway';
    if (trouble.kind === 'timeout')
        return 'the OpenFaaS gateway did not answer in time';
    return STEP.gateway;
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/**
 * "7 Dec 2026, 08:15 UTC": a comment is static, so a time relative to the reader ("2 minutes ago") would turn false;
 * an absolute time in one zone stays true. Anything that is not a date is shown as it is.
 */
function humanTime(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime()))
        return iso;
    const two = (n) => String(n).padStart(2, '0');
    return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}
/** "42 s", "3 min 5 s": how long the run took, which stays true. */
function duration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}
function when(v, verb) {
    return `${humanTime(v.time)}${v.tookMs === undefined ? '' : `, ${verb} ${duration(v.tookMs)}`}`;
}
function footer(runUrl, time) {
    return `<sub>Updated ${humanTime(time)} by [this run](${runUrl}) of faas-preview.</sub>`;
}
const comment_text_short = (sha) => sha.slice(0, 7);
const comment_text_link = (url, text = url) => `[${text.replace(/[[\]]/g, '')}](${url})`;
/** One row per function: what a reviewer looks for first. */
function rows(view) {
    const checkOf = (name) => view.checks.find((c) => c.name === name);
    const single = view.functions.length < 2;
    return [
        '| Function | State | Link | Commit | Updated |',
        '|---|---|---|---|---|',
        ...view.functions.map((f) => {
            const check = checkOf(f.name);
            const state = check?.proof === 'unproven' ? '🔄 Rolling out' : '✅ Ready';
            const url = single ? view.url : `${view.url.replace(/\/$/, '')}${f.route}/`;
            const sha = check?.sha ?? view.sha;
            return `| \`${f.name}\` | ${state} | ${comment_text_link(url, single ? 'Visit preview' : `${f.route}/`)} | \`${comment_text_short(sha)}\` | ${when(view, 'took')} |`;
        }),
    ];
}
function live(view) {
    const head = view.state === 'ready'
        ? [`${HEADING} is ready: ${view.url}`]
        : [
            `${HEADING} of \`${comment_text_short(view.sha)}\` is deployed and rolling out: ${view.url}`,
            '',
            "The gateway answers, but until the rollout ends the previous version may still answer some requests. Send the `X-Faas-Preview-Sha` header (the function's `FAAS_PREVIEW_SHA`) from `ready-path` and the action can confirm the new version.",
        ];
    return [...head, '', ...rows(view), '', ...details(view), '', footer(view.runUrl, view.time)];
}
/** How the image came to be. */
function backendText(b) {
    if (!b || b.how === 'prebuilt')
        return 'prebuilt';
    const digest = b.digest ? ` (build digest \`${b.digest.slice(0, 12)}\`)` : '';
    if (b.how === 'reused')
        return `unchanged since \`${comment_text_short(b.since)}\`: not rebuilt${digest}`;
    if (b.how === 'retagged')
        return `same as \`${comment_text_short(b.from)}\`: its image retagged, not rebuilt${digest}`;
    return `built${digest}`;
}
const PROOF = {
    header: 'it sent `X-Faas-Preview-Sha`',
    'new-function': 'a new function: no other version exists',
    replaced: 'faasd runs one version of a function: no other can answer',
    unproven: 'no `X-Faas-Preview-Sha` header: during the rollout the previous version may still answer',
};
/** The ready check as public text: the path, the status and the commit, never the gateway's address. */
function checkText(c) {
    if (!c)
        return 'not checked';
    return `\`GET ${c.path}\` answered ${c.status} from \`${comment_text_short(c.sha)}\` (${PROOF[c.proof]})`;
}
/** The details, folded: per function its image, how it was built and what its ready check saw; then the data. */
function details(view) {
    const single = view.functions.length < 2;
    const lines = view.functions.flatMap((f) => {
        const c = view.checks.find((x) => x.name === f.name);
        const items = [`Image: ${(0,untrusted/* inlineCode */.ti)(f.image)}, ${backendText(f.backend)}`, `Ready check: ${checkText(c)}`];
        return single
            ? items.map((i) => `- ${i}`)
            : [`- \`${f.name}\` at \`${f.route}/\``, ...items.map((i) => `  - ${i}`)];
    });
    if (view.assets)
        lines.push(`- Static assets: ${view.assets.uploaded} uploaded, ${view.assets.skipped} unchanged, ${view.assets.deleted} removed`);
    lines.push(...dataLines(view.data));
    return ['<details><summary>Details</summary>', '', ...lines, '', '</details>'];
}
function dataLines(data) {
    const lines = [];
    const db = data?.database;
    if (db) {
        const done = [db.created ? 'created' : '', db.migrated ? 'migrated' : '', db.seeded ? 'seeded' : ''].filter(Boolean);
        lines.push(`- Database: \`${db.name}\`${done.length ? `, ${done.join(', ').replace(/, ([^,]*)$/, ' and $1')} by this run` : ''}`);
    }
    if (data?.secrets.length)
        lines.push(`- Secrets: ${data.secrets.map((n) => `\`${n}\``).join(', ')}`);
    return lines;
}
function renderComment(view) {
    const lines = [(0,naming/* commentMarker */.Ql)(view.name)];
    switch (view.state) {
        case 'building':
            lines.push(...building(view));
            break;
        case 'ready':
        case 'rolling-out':
            lines.push(...live(view));
            break;
        case 'failed':
            lines.push(...failed(view));
            break;
        case 'torn-down':
            lines.push(`${HEADING} \`${view.name}\` was torn down: ${view.reason}.`, '', ...(view.removed.length
                ? ['Removed:', ...view.removed.map((r) => `- ${r}`)]
                : ['Nothing of it was left to remove.']), ...(view.kept?.length ? ['', 'Kept:', ...view.kept.map((k) => `- ${k}`)] : []), '', footer(view.runUrl, view.time));
            break;
        case 'sleeping':
            lines.push(view.madeRoomFor === undefined
                ? `${HEADING} \`${view.name}\` is asleep: nobody called it for ${view.idleFor}, so its function was removed to free capacity. The static assets and data are kept.`
                : `${HEADING} \`${view.name}\` is asleep: it was put to sleep to make room for #${view.madeRoomFor} on this full OpenFaaS Community Edition gateway, as nobody had called it for ${view.idleFor}. Its functions were removed; the static assets and data are kept.`, '', view.wake
                ? `It wakes on the next visit to ${view.url}: the first call to its API re-creates the function and waits until it is ready${view.wake.seconds ? ` (its last deploy took about ${view.wake.seconds}s)` : ''}; pages load at once.`
                : `To wake it, push a commit or re-run the preview workflow for this PR; it will answer again at ${view.url}.`, '', footer(view.runUrl, view.time));
            break;
        case 'refused':
            lines.push(...refused(view), '', footer(view.runUrl, view.time));
            break;
    }
    return lines.join('\n');
}
function building(view) {
    const now = view.existed === false
        ? `This PR's first preview will answer at ${view.url} once its function is ready`
        : `The previous preview of this PR${view.existed ? '' : ', if any,'} answers at ${view.url} until the new function is deployed`;
    const files = view.staticFiles
        ? "; this commit's static files other than HTML upload while the image builds, its pages once the new function is ready"
        : '';
    return [
        `${HEADING} of \`${comment_text_short(view.sha)}\` is being built and deployed by [this run](${view.runUrl}).`,
        '',
        `${now}${files}. This comment says when the new one is ready.`,
        '',
        footer(view.runUrl, view.time),
    ];
}
function fateOf(t) {
    if (t.kind === 'credentials')
        return 'refused';
    if (t.kind === 'unreachable')
        return 'unreached';
    if (t.kind === 'timeout')
        return 'unanswered';
    return undefined;
}
function answering(step, b, t) {
    if (b.existed === undefined)
        return 'unknown';
    if (step === 'assets')
        return 'this';
    if (!b.existed || b.gone)
        return 'nothing';
    if (step === 'deploy' && b.provider !== 'faas-netes') {
        const fate = fateOf(t);
        if (!fate)
            return 'nothing';
        return fate === 'unanswered' || b.updated !== 0 ? 'unknown' : 'previous';
    }
    if (step === 'readiness' && b.provider !== 'faas-netes')
        return 'nothing';
    return 'previous';
}
const BEFORE_WRITE = new Set(['stack', 'gateway', 'state', 'build', 'image']);
/** What is still true of the preview that ran before, said only from what the run knew. */
function previousText(step, b, t) {
    if (BEFORE_WRITE.has(step)) {
        if (b.existed === false)
            return 'The function was not touched; this PR had no preview before, so nothing answers at its URL yet.';
        return `The function was not touched: the previous preview of this PR${b.existed ? '' : ', if any,'} runs as it did.`;
    }
    if (step === 'data')
        return b.existed
            ? 'The function was not touched: the previous version keeps running, with the database as the failed step left it.'
            : undoneText(b.undone);
    if (step === 'assets')
        return b.existed
            ? "The function of this commit runs, but the pages may still be the previous commit's, or incomplete."
            : 'This PR had no preview before: the function of this commit runs, but its pages may be missing or incomplete.';
    if (!b.existed)
        return 'This PR had no preview before, so nothing else answers at its URL.';
    if (b.provider !== 'faas-netes') {
        const fate = step === 'deploy' ? fateOf(t) : undefined;
        if (fate)
            return faasdUnsentText(fate, b.updated);
        return 'faasd replaces a function on update, so the previous version of this preview no longer runs.';
    }
    if (b.gone)
        return 'The function was deleted while this run waited for it, so nothing answers at its URL.';
    return 'faas-netes rolls updates out: the previous version of this preview keeps answering until a new one is ready.';
}
/**
 * faasd replaces a function only when the gateway accepts its update: a request refused or never received changed
 * nothing, one left unanswered may or may not have been applied. Functions accepted before it were replaced.
 */
function faasdUnsentText(fate, updated) {
    if (updated === 0)
        return {
            refused: 'The gateway refused the credentials, so it changed nothing: faasd replaces a function only when the gateway accepts its update, and the previous version of this preview still runs.',
            unreached: 'The request did not reach the gateway, so it changed nothing: faasd replaces a function only when the gateway accepts its update, and the previous version of this preview still runs.',
            unanswered: 'The gateway did not answer in time, so whether faasd applied the update is not known: the previous version of this preview may still run, or may have been replaced.',
        }[fate];
    const n = updated === undefined ? 'the functions' : updated === 1 ? '1 function' : `${updated} functions`;
    const next = {
        refused: 'it refused the credentials for the next',
        unreached: 'the next request could not reach it',
        unanswered: 'it did not answer the next request in time',
    }[fate];
    const rest = fate === 'unanswered'
        ? 'whether faasd applied that next update is not known, and the functions after it still run their previous versions'
        : 'the others still run their previous versions';
    const gone = updated === 1 ? 'its previous version no longer runs' : 'their previous versions no longer run';
    return `faasd replaced ${n} of this preview that the gateway accepted before ${next}: ${gone}; ${rest}.`;
}
/** "the database `x` and the secrets `a`, `b`", and how many they are. */
function itemsText(i) {
    const parts = [];
    if (i.database)
        parts.push(`the database \`${i.database}\``);
    if (i.secrets.length)
        parts.push(`the secret${i.secrets.length === 1 ? '' : 's'} ${i.secrets.map((n) => `\`${n}\``).join(', ')}`);
    return { text: parts.join(' and '), count: i.secrets.length + (i.database ? 1 : 0) };
}
/** A first deploy's data step failed: "removed" only of what was, and what is left, and what removes it. */
function undoneText(u) {
    const first = "This was the preview's first deploy";
    if (!u)
        return `${first}; whether the database and secrets it had created are gone is in the run's log: what is left goes with the teardown when the PR is closed, or the sweeper if no teardown does.`;
    const removed = itemsText(u.removed);
    const left = itemsText(u.left);
    const parts = [];
    if (removed.count)
        parts.push(`${removed.text} ${removed.count === 1 ? 'was' : 'were'} removed`);
    if (left.count) {
        const one = left.count === 1;
        parts.push(`${left.text} could not be removed (the run's log says why) and ${one ? 'is' : 'are'} left until the PR is closed: the teardown removes ${one ? 'it' : 'them'} then, or the sweeper if no teardown does`);
    }
    if (!removed.count && !left.count)
        parts.push('it had created no database or secret yet');
    let text = `${first}: ${parts.join('; ')}`;
    if (u.kept)
        text += `. The database \`${u.kept}\` was there before this run and is kept: the next push uses it and does not seed it again`;
    else if (!left.count)
        text += ', so the next push starts clean';
    return `${text}.`;
}
/** Files of this commit that went up before the deploy stopped: on pages only when there were pages before. */
function earlyUploadText(b) {
    const n = b.earlyUploads ?? 0;
    if (n === 0)
        return '';
    const files = `${n === 1 ? '1 static file' : `${n} static files`} of this commit (none of them HTML) had already been uploaded while the image built`;
    return b.existed === false
        ? ` ${files}; no page of this preview loads them yet.`
        : ` ${files}; the pages are still the previous commit's${b.existed ? '' : ', if any,'} and may load them.`;
}
const ANSWERING_STATE = {
    previous: '❌ Failed; the previous version answers',
    this: "❌ Failed; this commit's function answers",
    nothing: '❌ Failed; nothing answers',
    unknown: '❌ Failed',
};
function failed(view) {
    const answers = answering(view.step, view.before, view.trouble);
    const where = answers === 'nothing' ? '—' : comment_text_link(view.url, 'Visit preview');
    return [
        `${HEADING} of \`${comment_text_short(view.sha)}\` failed: ${stepText(view.step, view.trouble)}.`,
        '',
        '| Function | State | Link | Commit | Updated |',
        '|---|---|---|---|---|',
        `| \`${view.name}\` | ${ANSWERING_STATE[answers]} | ${where} | \`${comment_text_short(view.sha)}\` | ${when(view, 'after')} |`,
        '',
        `**What to do:** ${whatToDo(view.trouble)}.`,
        '',
        (0,untrusted/* codeBlock */.DV)(view.error),
        '',
        previousText(view.step, view.before, view.trouble) + earlyUploadText(view.before),
        '',
        `See [the run](${view.runUrl}) for the full log.`,
        '',
        footer(view.runUrl, view.time),
    ];
}
function refused(view) {
    const many = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;
    const head = view.why === 'community-edition'
        ? `${HEADING} was not created: this OpenFaaS Community Edition gateway runs ${view.used} of the ${view.limit} functions it allows, and this preview needs ${many(view.needed, 'free slot')} (one per function). Every function counts: ${view.used - view.foreign} of the ${view.used} are previews of this repository, ${view.foreign} are not.`
        : `${HEADING} was not created: this repository already has ${many(view.used, 'preview')} on this gateway and the limit is ${view.limit} (input \`max-previews\`).`;
    const holder = (h) => {
        const used = h.lastUsedAt ? `last used ${humanTime(h.lastUsedAt)}; ` : '';
        const stays = h.stays === undefined ? '' : `: ${used}${h.stays}`;
        return `- #${h.pr} (\`${h.name}\`${h.functions === 1 ? '' : `, ${h.functions} functions`})${stays}`;
    };
    // Making room was tried: each holder says why it stays, and what would change that.
    const tried = view.holders.some((h) => h.stays !== undefined);
    return [
        head,
        '',
        ...(view.holders.length ? ['Previews of this repository holding slots:', ...view.holders.map(holder), ''] : []),
        tried
            ? 'A preview unused for `idle-after` is put to sleep to make room for a new one, least recently used first; these cannot free enough now. Close one of those PRs, or push or re-run the workflow once enough are idle.'
            : 'Close one of those PRs (or wait for the idle sweeper to put idle previews to sleep), then push or re-run the workflow.',
    ];
}

;// CONCATENATED MODULE: ./src/github/comment.ts
/**
 * The one PR comment per preview. It is ours only when it carries the hidden marker AND was written by the identity
 * behind `github-token`: anybody can post a comment starting with the marker, and a token with write access may
 * edit anybody's comment, so the marker alone would let a stranger's comment be overwritten (and ours never posted).
 *
 * Identity: GraphQL `viewer { login }`, which answers for installation tokens (GITHUB_TOKEN, GitHub Apps) as well
 * as user tokens; REST `GET /user` refuses installation tokens. REST spells a bot author `name[bot]` with type Bot.
 *
 * Two runs for one PR can both find no comment and both create one: after creating, the comments are listed again
 * and only the oldest of ours survives (ours included, if it is the younger), so concurrent runs converge on one.
 * A run's later writes edit the comment it found or kept without listing again; one deleted meanwhile (404) is looked
 * for again, and created when none is left.
 */


/** GitHub refuses longer comment bodies with 422. */
const MAX_BODY = 65_536;
/** Whether a REST comment author is the token's identity, however GraphQL spelled the viewer's login. */
function isAuthor(author, viewer) {
    if (!author)
        return false;
    const base = viewer.replace(/\[bot\]$/, '').toLowerCase();
    const login = author.login.toLowerCase();
    return author.type === 'Bot' ? login === `${base}[bot]` : login === base;
}
async function viewerLogin(octokit) {
    try {
        const data = await octokit.graphql('{ viewer { login } }');
        if (data.viewer?.login)
            return data.viewer.login;
    }
    catch {
        // GHES without GraphQL for this token: a user token still answers GET /user.
    }
    try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
    }
    catch (err) {
        throw new Error(`could not tell which account 'github-token' belongs to (GraphQL viewer and GET /user both failed: ${err.message}); the PR comment is only edited when it is the token's own`, { cause: err });
    }
}
class PreviewComment {
    octokit;
    repo;
    pr;
    name;
    log;
    viewer;
    /** Our comment, once this object found, edited or created it. */
    known;
    constructor(octokit, repo, pr, name, log) {
        this.octokit = octokit;
        this.repo = repo;
        this.pr = pr;
        this.name = name;
        this.log = log;
    }
    who() {
        this.viewer ??= viewerLogin(this.octokit);
        return this.viewer;
    }
    /** Ids of our comments for this preview, oldest first; markers in other people's comments are logged once and left alone. */
    async ours() {
        const viewer = await this.who();
        const marker = (0,naming/* commentMarker */.Ql)(this.name);
        const listed = (await this.octokit.paginate(this.octokit.rest.issues.listComments, {
            ...this.repo,
            issue_number: this.pr,
            per_page: 100,
        }));
        const ids = [];
        for (const c of listed) {
            if (!c.body?.startsWith(marker))
                continue;
            if (isAuthor(c.user, viewer))
                ids.push(c.id);
            else
                this.log(`comment ${c.id} by ${c.user?.login ?? '(deleted user)'} carries the marker of ${this.name} but was not written by ${viewer}; left alone`);
        }
        return ids.sort((a, b) => a - b);
    }
    /**
     * Edits our comment, or creates it (unless `updateOnly`). Returns the id written, or undefined when `updateOnly`
     * found none. Secrets and internal addresses leave the body whatever produced it.
     */
    async write(body, o = {}) {
        const text = (0,untrusted/* publicText */.jk)(body).slice(0, MAX_BODY);
        if (this.known !== undefined) {
            // the comment this run wrote before: edited without listing again, unless it was deleted meanwhile
            try {
                await this.update(this.known, text);
                return this.known;
            }
            catch (err) {
                if (err.status !== 404)
                    throw err;
                this.known = undefined;
            }
        }
        const [first] = await this.ours();
        if (first !== undefined) {
            await this.update(first, text);
            return (this.known = first);
        }
        if (o.updateOnly)
            return undefined;
        const created = (await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: this.pr, body: text }))
            .data.id;
        return (this.known = await this.converge(created, text));
    }
    async update(id, text) {
        await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: id, body: text });
    }
    /** After a create: keep the oldest of ours, delete the rest; the survivor gets this run's body. */
    async converge(created, text) {
        const [keep, ...extra] = await this.ours();
        if (keep === undefined)
            return created;
        // The other run converges the same way and may have deleted some of them already: 404 is fine.
        for (const id of extra)
            await this.octokit.rest.issues
                .deleteComment({ ...this.repo, comment_id: id })
                .catch((err) => {
                if (err.status !== 404)
                    throw err;
            });
        if (keep !== created) {
            this.log(`another run created the preview comment at the same time; kept comment ${keep}, removed ${extra.join(', ')}`);
            await this.update(keep, text);
        }
        return keep;
    }
}

;// CONCATENATED MODULE: ./src/state/visits.ts
/**
 * When the edge last let a request of a preview through, `<state-prefix>/visited/<name>.json`: pages served from the
 * bucket never reach the gateway, so invocation counts alone take a preview someone is reading for an idle one.
 * The edge service writes it (at most once per preview every few minutes, src/waker/visits.ts); the sweeper reads it.
 */


const visitKey = (statePrefix, name) => stateKey(statePrefix, `visited/${name}.json`);
async function saveVisit(store, name, at) {
    await writeTime(store, visitKey(store.statePrefix, name), 'at', at);
}
/** Epoch ms of the last visit the edge recorded, or undefined when none (or the object is not one of ours). */
async function readVisit(store, name) {
    return store_readTime(store, visitKey(store.statePrefix, name), 'at');
}
async function deleteVisit(store, name) {
    await deleteJson(store, visitKey(store.statePrefix, name));
}
/** Visit marks read at once: a sweep of many previews does not wait on them one by one. */
const VISIT_READS = 8;
/**
 * The last visit of each of `names`, epoch ms by name, for the sweeper and for making room (action and edge
 * service). A mark that cannot be read counts as no visit and is passed to `unreadable`: the other signs of use
 * still count.
 */
async function readVisits(store, names, unreadable) {
    const visits = new Map();
    await forEachLimited(names, VISIT_READS, async (name) => {
        const at = await readVisit(store, name).catch((err) => void unreadable(name, err));
        if (at !== undefined)
            visits.set(name, at);
    });
    return visits;
}

;// CONCATENATED MODULE: ./src/state/sweeper.ts
/**
 * The sweeper's bucket I/O: its state object (`<state-prefix>/sweeper.json`: last seen invocation count and when it
 * last changed, per function) and the list of top-level preview prefixes for garbage collection.
 */

const STATE_VERSION = 1;
function sweeperKey(statePrefix) {
    return stateKey(statePrefix, 'sweeper.json');
}
/** Where idleness comes from; throws when neither source is configured. */
function idleSource(settings) {
    if (settings.sweep.prometheusUrl)
        return 'prometheus';
    if (settings.assets?.bucket)
        return 'state';
    throw new Error("command 'sweep' needs to know when previews were last used: set input 'prometheus-url' (the OpenFaaS Prometheus), " +
        "or input 'bucket' (with 's3-endpoint' and credentials as for the assets) so the sweeper can remember invocation counts in " +
        `'${sweeperKey(settings.sweep.statePrefix)}'`);
}
function isMemory(v) {
    const m = v;
    return (typeof m === 'object' &&
        m !== null &&
        typeof m.count === 'number' &&
        Number.isFinite(m.count) &&
        typeof m.changedAt === 'string');
}
/**
 * Parses a stored state object. Anything unreadable yields an empty memory and a warning: every function then counts
 * as first seen (active now), which delays sleeping by one `idle-after` but never sleeps a preview in use.
 */
function parseState(raw) {
    const file = raw;
    if (raw === undefined)
        return { memory: {} };
    if (typeof file !== 'object' ||
        file === null ||
        typeof file.functions !== 'object' ||
        file.functions === null ||
        Array.isArray(file.functions)) {
        return { memory: {}, warning: 'the sweeper state is not an object with "functions"; starting afresh' };
    }
    if (file.version !== STATE_VERSION)
        return {
            memory: {},
            warning: `the sweeper state has version ${String(file.version)}, expected ${STATE_VERSION}; starting afresh`,
        };
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
async function loadState(store) {
    const { bucket } = store;
    const key = sweeperKey(store.statePrefix);
    let raw;
    try {
        raw = await store_readJson(store, key);
    }
    catch (err) {
        // A corrupt object must not stop the sweep forever; an unreachable bucket must stop it.
        if (err instanceof SyntaxError)
            return {
                memory: {},
                found: true,
                warning: `s3://${bucket}/${key} is not JSON (${err.message}); starting afresh`,
            };
        throw err;
    }
    return { ...parseState(raw), found: raw !== undefined };
}
async function saveState(store, memory, now) {
    const file = { version: STATE_VERSION, updatedAt: now.toISOString(), functions: memory };
    await store_writeJson(store, sweeperKey(store.statePrefix), file);
}
/** Top-level "directories" of the bucket (`<name>/`), every page of a delimited listing. */
async function listTopPrefixes(store) {
    return (await store.objects.list('', '/')).prefixes;
}

;// CONCATENATED MODULE: ./src/sweep/prometheus.ts
/**
 * Idleness from the OpenFaaS Prometheus: one instant query of the invocation increase per function over the
 * `idle-after` window. The gateway labels series with `function_name`, which carries a `.<namespace>` suffix on
 * recent gateways (`shop-pr-2.openfaas-fn`) and none on older ones.
 */

const DEFAULT_NAMESPACE = 'openfaas-fn';
const PROM_UNITS = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
];
/** A Prometheus range duration: the largest unit that divides exactly ('30m', '90s', '1d', '1500ms'). */
function promDuration(ms) {
    const whole = Math.round(ms);
    if (!(whole >= 1))
        throw new Error(`a Prometheus range needs a positive duration, got ${ms}ms`);
    const [unit, size] = PROM_UNITS.find(([, s]) => whole % s === 0);
    return `${whole / size}${unit}`;
}
function increaseQuery(idleAfterMs) {
    return `sum by (function_name) (increase(gateway_function_invocation_total[${promDuration(idleAfterMs)}]))`;
}
/**
 * Vector result → increase per function name of `namespace` (empty: the default namespace). Samples of other
 * namespaces are left out; `name` and `name.<namespace>` add up; NaN and negative values count as 0.
 */
function increasesByFunction(samples, namespace) {
    const ns = namespace || DEFAULT_NAMESPACE;
    const out = new Map();
    for (const s of samples) {
        const label = s.metric?.function_name;
        if (!label)
            continue;
        const dot = label.indexOf('.');
        const name = dot < 0 ? label : label.slice(0, dot);
        if (dot >= 0 && label.slice(dot + 1) !== ns)
            continue;
        const value = Number(s.value?.[1]);
        out.set(name, (out.get(name) ?? 0) + (Number.isFinite(value) && value > 0 ? value : 0));
    }
    return out;
}
/** Runs the increase query (bounded and retried like every other call); errors name the input and the call. */
async function queryIncreases(target, idleAfterMs, namespace) {
    const url = new URL(target.url.replace(/\/+$/, '') + '/api/v1/query');
    const query = increaseQuery(idleAfterMs);
    url.searchParams.set('query', query);
    const headers = { accept: 'application/json' };
    if (target.auth)
        headers.authorization =
            'Basic ' + Buffer.from(`${target.auth.username}:${target.auth.password}`).toString('base64');
    let res;
    try {
        res = await (0,call/* callWithRetry */.ZG)({
            method: 'GET',
            url,
            headers,
            timeoutMs: target.timeoutMs,
            accept: () => true,
            log: target.log,
        });
    }
    catch (err) {
        throw new Error(`Prometheus (input 'prometheus-url') did not answer: ${err.message}`, { cause: err });
    }
    let body;
    try {
        body = JSON.parse(res.text);
    }
    catch {
        throw new Error(`${res.call} (input 'prometheus-url') answered ${res.status} with something that is not JSON${res.status === 401 ? " (check 'prometheus-username' and 'prometheus-password')" : ''}`);
    }
    if (res.status !== 200 || body.status !== 'success') {
        throw new Error(`Prometheus query failed (${res.status}${body.errorType ? ` ${body.errorType}` : ''}): ${body.error ?? ''}; query: ${query}`);
    }
    if (body.data?.resultType !== 'vector' || !Array.isArray(body.data.result)) {
        throw new Error(`Prometheus answered a ${body.data?.resultType ?? 'missing'} result to an instant query, expected a vector`);
    }
    return increasesByFunction(body.data.result, namespace);
}

;// CONCATENATED MODULE: ./src/commands/sleep.ts
/**
 * Putting a Community Edition preview to sleep, for the sweeper (idle for `idle-after`) and for a deploy that makes
 * room for a new preview (issue 23): sweep/put-to-sleep.ts saves the specs of all the preview's functions for the
 * waker and deletes the functions (assets, secrets and data stay), then the PR is told why and how it wakes. Also
 * where both read last use from: the sweeper's source (Prometheus, or its memory in the bucket) and the edge's visit
 * marks.
 */








/** Last use as the sweeper sees it: Prometheus increases over `idle-after` by function, or the sweeper's memory. */
async function readActivity(s) {
    const { settings } = s;
    const sw = settings.sweep;
    if (idleSource(settings) === 'prometheus') {
        const increases = await queryIncreases({ url: sw.prometheusUrl, auth: sw.prometheusAuth, timeoutMs: settings.requestTimeoutMs, log: log/* log */.R.info }, sw.idleAfterMs, settings.gateway.namespace);
        return { increases };
    }
    const loaded = await loadState(s.state);
    if (loaded.warning)
        log/* log */.R.warning(loaded.warning);
    return { previous: loaded.memory };
}
/**
 * The edge's last visit of each preview (state/visits.ts), epoch ms by name; none without a bucket. A mark that
 * cannot be read counts as no visit, with a warning: the invocations still count.
 */
async function sleep_readVisits(s, names) {
    const store = s.state;
    if (!store)
        return new Map();
    return readVisits(store, names, (name, err) => log/* log */.R.warning(`the edge's last visit of ${name} could not be read (${err.message}); on radosgw the bucket policy must let the action read <state-prefix>/visited/ (docs/private-previews.md)`));
}
async function sleepPreview(s, p, fns) {
    const slept = await putToSleep({ gateway: s.gateway, store: s.state }, p.name, fns, s.now());
    const main = fns.find((f) => f.name === p.name) ?? fns[0];
    const comment = s.settings.github.comment
        ? await tellPr(s, p, { url: addressOf(s, p, main), readyMs: slept.readyMs, saved: slept.saved })
        : '';
    const deleted = fns.length === 1
        ? slept.gone
            ? 'function deleted'
            : 'function was already gone'
        : `${slept.gone} of ${fns.length} functions deleted`;
    return `${deleted}, assets kept${comment}`;
}
/** The preview's address as its deploy gave it (annotation), else from the template; from a listing or a saved spec. */
function addressOf(s, p, main) {
    return (main?.annotations?.[naming/* ANNOTATIONS */.BC.url] ||
        (0,naming/* previewUrl */.e6)(s.settings.urlTemplate, p.name, p.pr, main?.labels?.[naming/* LABELS */.kg.sha] ?? ''));
}
/** The PR's comment says it sleeps, why, and how it wakes; a comment that could not be edited is only a warning. */
async function tellPr(s, p, o) {
    return writeSleepComment(s, p, o).then(() => ', PR comment says it sleeps', (err) => {
        log/* log */.R.warning(`${p.name}: could not update the PR comment: ${err.message}`);
        return `, PR comment not updated (${err.message})`;
    });
}
/**
 * The sleeping comment. Also for a preview the edge service put to sleep to make room for a wake (it cannot reach
 * GitHub): the sweeper writes it from the edge's note (made-room-notes.ts).
 */
async function writeSleepComment(s, p, o) {
    const { settings, ctx } = s;
    // Without a saved spec there is nothing to wake from, waker or not.
    const wake = settings.sweep.waker && o.saved
        ? { seconds: o.readyMs === undefined ? undefined : Math.max(1, Math.round(o.readyMs / 1000)) }
        : undefined;
    const body = renderComment({
        state: 'sleeping',
        name: p.name,
        url: o.url,
        runUrl: ctx.runUrl,
        time: s.now().toISOString(),
        idleFor: p.idleFor,
        wake,
        ...(p.madeRoomFor === undefined ? {} : { madeRoomFor: p.madeRoomFor }),
    });
    await new PreviewComment(s.octokit, ctx.repo, p.pr, p.name, log/* log */.R.info).write(body);
}

;// CONCATENATED MODULE: ./src/commands/make-room.ts






/** Whether idle previews could make room now: the refusal, each holder saying why it stays, or allow. Nothing is touched. */
async function roomPossible(s, q, listed) {
    const { plan } = await evictionFor(s, q, listed);
    return plan.kind === 'refuse' ? plan.refusal : { kind: 'allow' };
}
/**
 * The refusal, each holder saying why it stays, when no eviction can make room; else the victims sleep and, once
 * the gateway no longer lists them, the slots are free.
 */
async function makeRoom(s, q, listed, pr) {
    const { plan, members } = await evictionFor(s, q, listed);
    if (plan.kind === 'refuse')
        return plan.refusal;
    for (const v of plan.victims) {
        const idleFor = v.judged.idleFor;
        const result = await sleepPreview(s, { name: v.name, pr: v.pr, idleFor, madeRoomFor: pr }, members.get(v.name));
        log/* log */.R.notice(`Made room for #${pr}: ${v.name} (PR #${v.pr}, ${v.functions} function${v.functions === 1 ? '' : 's'}, idle for ${idleFor}) was put to sleep: ${result}`);
    }
    // The slots are free once the gateway stops listing the victims: faas-netes deletes in the foreground, and a
    // Deployment counts against the cap until its pods have terminated (seconds); faasd before it answers.
    const timeoutMs = s.settings.fn.readyTimeoutMs;
    const victims = new Set(plan.victims.flatMap((v) => members.get(v.name).map((f) => f.name)));
    await untilGone(s.gateway, victims, Date.now() + timeoutMs).catch((err) => {
        throw new Error(`${err.message} (waited ${Math.round(timeoutMs / 1000)}s, input 'ready-timeout')`, { cause: err });
    });
    return { kind: 'allow' };
}
async function evictionFor(s, q, listed) {
    const { candidates, members } = await make_room_judge(s, listed);
    const plan = evictionPlan(q, candidates, { idleAfterMs: s.settings.sweep.idleAfterMs, now: s.now().getTime() });
    return { plan, members };
}
const ours = (s) => (f) => (0,naming/* isManagedBy */.xr)(f.labels, s.ctx.repo.owner, s.ctx.repo.repo);
/**
 * This repository's previews with the sweeper's judgment of each (none where last use is unknown), and each
 * preview's functions.
 */
async function make_room_judge(s, listed) {
    const { settings } = s;
    const activity = await readActivity(s).catch((err) => {
        log/* log */.R.warning(`cannot tell which previews are idle (${err.message}); none is put to sleep to make room`);
        return undefined;
    });
    const groups = groupPreviews(settings.app, listed.filter(ours(s)), activity?.increases);
    // Pages read from the bucket count as use too: a preview someone is reading is not put to sleep.
    const visits = await sleep_readVisits(s, groups.previews.map((p) => p.name));
    const candidates = judgeCandidates({
        app: settings.app,
        groups,
        previous: activity?.previous,
        readable: activity !== undefined,
        visits,
        now: s.now().getTime(),
        idleAfterMs: settings.sweep.idleAfterMs,
    });
    return { candidates, members: groups.members };
}

;// CONCATENATED MODULE: ./src/github/deployments.ts
/** GitHub refuses longer status descriptions with 422. */
const MAX_DESCRIPTION = 140;
function clip(text) {
    return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}
async function createDeployment(octokit, repo, mark) {
    // auto_merge false and an empty required_contexts: a preview must deploy the PR's commit as it is, even when the
    // branch is behind the default branch or its checks are still running.
    const created = await octokit.rest.repos.createDeployment({
        ...repo,
        ref: mark.sha,
        environment: mark.environment,
        transient_environment: true,
        production_environment: false,
        required_contexts: [],
        auto_merge: false,
        description: clip(mark.description),
    });
    if (created.status !== 201 || !('id' in created.data)) {
        throw new Error(`GitHub did not create the deployment for ${mark.environment}: ${JSON.stringify(created.data).slice(0, 200)}`);
    }
    return created.data.id;
}
/** A new deployment for this commit, `in_progress` while the run builds and deploys it; returns its id. */
async function startDeployment(octokit, repo, mark) {
    const id = await createDeployment(octokit, repo, mark);
    await octokit.rest.repos.createDeploymentStatus({
        ...repo,
        deployment_id: id,
        state: 'in_progress',
        log_url: mark.logUrl,
        description: clip(mark.description),
        auto_inactive: false,
    });
    return id;
}
/** The deployment's final state; `success` also retires the older ones. */
async function finishDeployment(octokit, repo, id, mark, state) {
    await octokit.rest.repos.createDeploymentStatus({
        ...repo,
        deployment_id: id,
        state,
        ...(state === 'success' ? { environment_url: mark.url } : {}),
        log_url: mark.logUrl,
        description: clip(mark.description),
        // GitHub's auto_inactive skips transient environments; older deployments are retired below instead.
        auto_inactive: false,
    });
    if (state !== 'success')
        return;
    // in this order: retireIfOvertaken marks this deployment REPLACED, where a later walk of markInactive stops, so the
    // older ones must be retired first
    await markInactive(octokit, repo, mark.environment, mark.logUrl, { olderThan: id });
    await retireIfOvertaken(octokit, repo, id, mark);
}
/**
 * A newer run that already succeeded may have retired this deployment before this success was written, which made
 * it active again: then it is retired once more. Each run writes its success before it looks at the others, so of
 * two racing runs at least one sees the other's success, and one deployment stays active.
 */
async function retireIfOvertaken(octokit, repo, id, mark) {
    const { data } = await octokit.rest.repos.listDeployments({ ...repo, environment: mark.environment, per_page: 100 });
    for (const d of data) {
        if (d.id <= id)
            continue;
        const [latest] = (await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 }))
            .data;
        if (latest?.state !== 'success')
            continue;
        await octokit.rest.repos.createDeploymentStatus({
            ...repo,
            deployment_id: id,
            state: 'inactive',
            log_url: mark.logUrl,
            description: REPLACED,
        });
        return;
    }
}
/** A new deployment for this commit with a final state at once (a failure before the run had started one). */
async function markDeployment(octokit, repo, mark, state) {
    const id = await createDeployment(octokit, repo, mark);
    await finishDeployment(octokit, repo, id, mark, state);
    return id;
}
const TORN_DOWN = 'Preview torn down';
const REPLACED = 'Replaced by a newer deployment';
/**
 * Marks the environment's deployments inactive (only those older than `olderThan` when given); returns how many
 * changed. Deployments come newest first and each walk retires all older ones, so the first one a walk retired
 * (its description says so) ends the next walk: a PR with fifty pushes costs a few requests, not a hundred. A
 * deployment retired otherwise (a run overtaken by a newer push) proves nothing about older ones: the walk goes on.
 */
async function markInactive(octokit, repo, environment, logUrl, o = {}) {
    let changed = 0;
    const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, { ...repo, environment, per_page: 100 });
    for await (const page of pages) {
        for (const d of page.data) {
            if (o.olderThan !== undefined && d.id >= o.olderThan)
                continue;
            const [latest] = (await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 }))
                .data;
            if (latest?.state === 'inactive') {
                if (latest.description === TORN_DOWN || latest.description === REPLACED)
                    return changed;
                continue;
            }
            await octokit.rest.repos.createDeploymentStatus({
                ...repo,
                deployment_id: d.id,
                state: 'inactive',
                log_url: logUrl,
                description: o.olderThan === undefined ? TORN_DOWN : REPLACED,
            });
            changed++;
        }
    }
    return changed;
}

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 21 modules
var github = __webpack_require__(1758);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(9735);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(6856);
// EXTERNAL MODULE: ./node_modules/bottleneck/light.js
var light = __webpack_require__(3251);
var light_default = /*#__PURE__*/__webpack_require__.n(light);
;// CONCATENATED MODULE: ./src/github/client.ts
/**
 * Octokit as the action uses it: against GITHUB_API_URL (GHES and the test emulator rely on it), every request
 * bounded by `request-timeout`, transient failures retried by @octokit/plugin-retry (5xx, network errors, 429) and
 * rate limits honoured by @octokit/plugin-throttling (primary: `x-ratelimit-remaining: 0` until `x-ratelimit-reset`;
 * secondary: `retry-after`), the same pair actions/github-script uses. A retry is logged once per call, and a final
 * error names the call (method and path) and GitHub's answer.
 *
 * plugin-throttling paces every write at one a second by default, which GitHub asks of clients making many
 * content-creating requests. A deploy makes a handful, so only the sweeper (`pacedWrites`) keeps that pace.
 */




/** Longest rate-limit wait worth sitting through inside a job; beyond it the call fails and says why. */
const MAX_RATE_LIMIT_WAIT_S = 120;
/** `GitHub METHOD /path` of a request, route parameters filled in (the base URL adds nothing to a message). */
function callName(octokit, options) {
    const { method, url } = octokit.request.endpoint(options);
    return `GitHub ${method} ${decodeURIComponent(new URL(url, 'http://github.invalid').pathname)}`;
}
/** fetch with a deadline per attempt; a network failure carries the OS's cause, which @octokit/request reports. */
function timedFetch(timeoutMs, onTransient) {
    return async (input, init) => {
        const what = `${init?.method ?? 'GET'} ${new URL(String(input instanceof Request ? input.url : input)).pathname}`;
        const signal = init?.signal
            ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
            : AbortSignal.timeout(timeoutMs);
        try {
            const res = await fetch(input, { ...init, signal });
            if (res.status >= 500 || res.status === 429)
                onTransient(what, `answered ${res.status}`);
            return res;
        }
        catch (err) {
            const e = err;
            const why = e.name === 'TimeoutError'
                ? `no answer within ${timeoutMs / 1000}s (input 'request-timeout')`
                : e.cause?.code
                    ? `${e.cause.code}${e.cause.address ? ` ${e.cause.address}:${e.cause.port}` : ''}`
                    : e.message;
            onTransient(what, why);
            // The shape fetch itself throws, which @octokit/request reports; the cause is the reason already worded.
            // eslint-disable-next-line preserve-caught-error
            throw new TypeError('fetch failed', { cause: why });
        }
    };
}
/**
 * The `permissions:` entry a call needs, by the route that failed: GitHub answers a GITHUB_TOKEN (or an app token)
 * that lacks it with 403 "Resource not accessible by integration" and names nothing.
 */
function permissionFor(method, path) {
    const access = method === 'GET' ? 'read' : 'write';
    if (/\/issues\/(\d+\/)?comments/.test(path))
        return `pull-requests: ${access}`;
    if (/\/deployments(\/|$)/.test(path))
        return `deployments: ${access}`;
    if (/\/packages(\/|$)/.test(path))
        return `packages: ${access}`;
    if (/\/pulls(\/|$)/.test(path))
        return 'pull-requests: read';
    if (/\/(contents|commits|git)(\/|$)/.test(path))
        return 'contents: read';
    return undefined;
}
const NOT_ACCESSIBLE = 'Resource not accessible by integration';
/**
 * When GitHub said the token may not (403 "Resource not accessible by integration"): the entry the call needs, and
 * the hint for the error's message.
 */
function missingPermission(status, message, call) {
    if (status !== 403 || !message.includes(NOT_ACCESSIBLE))
        return undefined;
    const [, method, path] = /^GitHub (\S+) (\S+)/.exec(call) ?? [];
    const need = method && path ? permissionFor(method, path) : undefined;
    const packages = need?.startsWith('packages: write')
        ? " (deleting a package version also needs the token's account to be an admin of the package)"
        : '';
    const hint = need
        ? `; the workflow's token lacks a permission: add \`${need}\` under \`permissions:\`${packages}`
        : "; the workflow's token lacks a permission this call needs (see the action's permissions in the README)";
    return { need, hint };
}
/** The `permissions:` entry a failed GitHub call lacked, as the client found it, or undefined. */
function lackedPermission(err) {
    const need = err?.missingPermission;
    return typeof need === 'string' ? need : undefined;
}
function createOctokit(token, o) {
    const logged = new Set();
    const once = (key, line) => {
        if (logged.has(key))
            return;
        logged.add(key);
        o.log(line);
    };
    const onLimit = (kind) => (after, options, octokit, retryCount) => {
        const retrying = retryCount < 2 && after <= MAX_RATE_LIMIT_WAIT_S;
        const what = callName(octokit, options);
        once(`${kind} ${what}`, `${what} hit GitHub's ${kind} rate limit; ${retrying ? `retrying in ${after}s` : `not retrying (reset in ${after}s)`}`);
        return retrying;
    };
    const octokit = (0,github/* getOctokit */.Q)(token, {
        baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
        request: { fetch: timedFetch(o.timeoutMs, (what, why) => once(what, `GitHub ${what}: ${why}; retrying`)) },
        // plugin-retry waits (n + 1)² × this between attempts: 0.5 s, 2 s, 4.5 s.
        retry: { retryAfterBaseValue: 500 },
        throttle: {
            onRateLimit: onLimit('primary'),
            onSecondaryRateLimit: onLimit('secondary'),
            ...(o.pacedWrites ? {} : { write: new (light_default()).Group({ maxConcurrent: 8, minTime: 0 }) }),
        },
    }, dist_bundle/* retry */.L, plugin_throttling_dist_bundle/* throttling */.A);
    // Registered after the plugins, so it wraps them: it sees the error that remains after every retry.
    octokit.hook.wrap('request', async (request, options) => {
        try {
            return await request(options);
        }
        catch (err) {
            const e = err;
            if (e instanceof Error && !e.message.startsWith('GitHub ')) {
                const call = callName(octokit, options);
                const missing = missingPermission(e.status, e.message, call);
                if (missing?.need)
                    Object.assign(e, { missingPermission: missing.need });
                e.message = `${call}${e.status && e.status !== 500 ? ` answered ${e.status}` : ' failed'}: ${e.message}${missing?.hint ?? ''}`;
            }
            throw err;
        }
    });
    return octokit;
}

;// CONCATENATED MODULE: ./src/commands/trouble.ts
/**
 * A deploy's error read into what went wrong (decide/advice.ts words what to do about it): the HTTP status or the
 * network cause the call got, which server it went to, an S3 code. Errors carry their cause chain (retries wrap the
 * last attempt's error), so the chain is searched, the outermost first.
 */






/** The error and every error it wraps, outermost first. */
function chain(err) {
    const out = [];
    for (let e = err; e !== undefined && out.length < 10;) {
        out.push(e);
        e = e instanceof retry/* RetriesExhausted */.w1 ? e.last : e instanceof Error ? e.cause : undefined;
    }
    return out;
}
/** Which server a failed call (`METHOD url`) went to. */
function targetOf(call, s) {
    const url = call.replace(/^[A-Z]+ /, '');
    if (url.startsWith(s.gateway.url))
        return 'gateway';
    if (s.assets?.endpoint && url.startsWith(s.assets.endpoint))
        return 'bucket';
    return 'server';
}
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** What one error in the chain says, when it says something specific. */
function troubleOf(e, s) {
    const code = e.Code ?? e.name;
    if (code === 'NoSuchBucket' || (e instanceof S3OperationError && e.code === 'NoSuchBucket'))
        return { kind: 'bucket-missing' };
    if (e instanceof S3OperationError && ['InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(e.code ?? ''))
        return { kind: 'credentials', target: 'bucket' };
    const need = lackedPermission(e);
    if (need)
        return { kind: 'permission', need };
    if (e instanceof call/* StatusError */.Xs && e.status === 401)
        return { kind: 'credentials', target: targetOf(e.call, s) };
    if (e instanceof errors/* InputError */.dz)
        return { kind: 'input', input: e.input };
    if (e instanceof call/* NetworkError */.Dr) {
        const target = targetOf(e.call, s);
        if (e.code === 'ETIMEDOUT')
            return { kind: 'timeout', target };
        if (UNREACHABLE.has(e.code))
            return { kind: 'unreachable', target };
    }
    return undefined;
}
function troubleFor(step, err, c) {
    for (const e of chain(err)) {
        const t = troubleOf(e, c.settings);
        if (t)
            return t;
    }
    if (step === 'image')
        return { kind: 'image-pull' };
    if (step === 'readiness' || err instanceof NotReady) {
        const functions = err instanceof NotReady && err.fn ? [err.fn] : c.functions;
        return {
            kind: 'never-ready',
            provider: c.provider,
            functions,
            namespace: c.settings.gateway.namespace || 'openfaas-fn',
        };
    }
    return { kind: 'step', step };
}

;// CONCATENATED MODULE: ./src/commands/pr-status.ts
/**
 * What a deploy tells the PR: the comment, the GitHub deployment, the outputs and the job summary, always from the
 * same facts. The rules that keep it truthful live here:
 * - a failure says which step failed and what is still true of the previous version, and never claims more;
 * - when GitHub itself fails, the run fails but nothing claims the preview failed (it may be live);
 * - a comment that cannot be written is a warning on the failure path (the run fails anyway, with the first error).
 */









/** GitHub deployment state of a failed step: `failure` when the change itself is at fault, `error` otherwise. */
const DEPLOYMENT_STATE = {
    stack: 'failure',
    gateway: 'error',
    state: 'error',
    build: 'failure',
    image: 'failure',
    data: 'failure',
    deploy: 'error',
    readiness: 'failure',
    assets: 'error',
};
class PrStatus {
    s;
    facts;
    comment;
    /** The deployment `building()` started, when it could. */
    deployment;
    /** `building()`'s writes: the deploy goes on while they are on their way, and every later write waits for them. */
    started = Promise.resolve();
    /** When the run began to deploy: a comment says how long it took, which stays true, unlike "2 minutes ago". */
    since;
    constructor(s, facts) {
        this.s = s;
        this.facts = facts;
        if (s.settings.github.comment)
            this.comment = new PreviewComment(s.octokit, s.ctx.repo, facts.pr, facts.name, (line) => log/* log */.R.info(line));
        this.since = s.now().getTime();
    }
    view(state) {
        const { name, url, sha } = this.facts;
        const now = this.s.now();
        return {
            state,
            name,
            url,
            sha,
            runUrl: this.s.ctx.runUrl,
            time: now.toISOString(),
            tookMs: now.getTime() - this.since,
        };
    }
    /**
     * The run starts: the comment says this commit is being built (with the run link) and the deployment is in
     * progress, written together while the build goes on; every later write waits for them, so none is overtaken by
     * "building". They only inform, so a failure here is a warning; the run's later writes report it.
     */
    building(existed) {
        const { sha } = this.facts;
        if (this.s.settings.github.deployment) {
            this.deployment = startDeployment(this.s.octokit, this.s.ctx.repo, this.mark(`Building #${this.facts.pr} at ${sha.slice(0, 7)}`)).catch((err) => {
                log/* log */.R.warning(`could not start the GitHub deployment: ${err.message}`);
                return undefined;
            });
        }
        const comment = this.comment
            ?.write(renderComment({
            ...this.view('building'),
            existed,
            staticFiles: this.s.settings.assets?.staticDir !== undefined,
        }))
            .catch((err) => log/* log */.R.warning(`could not post the building comment: ${err.message}`));
        this.started = Promise.all([this.deployment, comment]);
        return this.started;
    }
    /** Ends the deployment started by `building()`, or makes a finished one when none was started. */
    finish(description, state) {
        const mark = this.mark(description);
        return (async () => {
            const id = await this.deployment;
            if (id === undefined)
                return markDeployment(this.s.octokit, this.s.ctx.repo, mark, state);
            return finishDeployment(this.s.octokit, this.s.ctx.repo, id, mark, state);
        })();
    }
    /** A newer push or a close overtook the run: its own deployment is retired, the newer run reports. */
    async overtaken(reason) {
        await this.started;
        if ((await this.deployment) === undefined)
            return;
        await this.finish(reason, 'inactive').catch((err) => log/* log */.R.warning(`could not retire this run's deployment: ${err.message}`));
    }
    /** `text`: the refusal in one line (decide/quota.ts), for the job summary as for the log. */
    async refused(decision, text) {
        await this.comment?.write(renderComment({ ...this.view('refused'), ...decision }));
        await (0,src_report/* writeOutputs */.K)({ result: 'refused', name: this.facts.name }, 'Preview refused', [['Why', text]]);
    }
    /**
     * The deploy failed at `step`; `previously` is what the run knew of the preview before it. Tells the PR and returns
     * the error to throw: the same error, its message ending with what to do, so the run's annotation carries the whole
     * advice the comment gives. Never throws.
     */
    async failed(step, err, previously, functions) {
        await this.started;
        const provider = previously.provider && (previously.provider.rolling ? 'faas-netes' : 'faasd');
        const trouble = troubleFor(step, err, { settings: this.s.settings, provider, functions });
        const advice = whatToDo(trouble);
        const error = err instanceof Error ? err.message : String(err);
        const before = { ...previously, provider };
        const writes = [];
        if (this.comment)
            writes.push(this.comment.write(renderComment({ ...this.view('failed'), step, error, trouble, before })));
        if (this.s.settings.github.deployment)
            writes.push(this.finish(`Failed: ${error}`, DEPLOYMENT_STATE[step]));
        for (const r of await Promise.allSettled(writes)) {
            if (r.status === 'rejected')
                log/* log */.R.warning(`could not tell the PR about the failure: ${r.reason.message}`);
        }
        await (0,src_report/* writeOutputs */.K)({ result: 'failed', name: this.facts.name, image: this.facts.image }, 'Preview failed', [
            ['Step', step],
            ['What to do', advice],
        ]).catch(() => undefined);
        const thrown = err instanceof Error ? err : new Error(error);
        thrown.message = `${error.replace(/\.$/, '')}. What to do: ${advice}`;
        return thrown;
    }
    /** The preview is live; GitHub failures here fail the run (thrown) but are never reported as a failed preview. */
    async live(readiness, extra, bucketPrefix) {
        await this.started;
        const { name, url, sha, image, pr } = this.facts;
        const ready = readiness.state === 'ready';
        const writes = [];
        if (this.comment)
            writes.push(this.comment.write(renderComment({ ...this.view(readiness.state), checks: readiness.checks, ...extra })));
        if (this.s.settings.github.deployment)
            writes.push(this.finish(`Preview of #${pr} at ${sha.slice(0, 7)}${ready ? '' : ', rolling out'}`, 'success'));
        const failures = (await Promise.allSettled(writes)).filter((r) => r.status === 'rejected');
        log/* log */.R.info(`${ready ? 'Preview ready' : 'Preview deployed, rolling out'}: ${url} (${readiness.evidence})`);
        await (0,src_report/* writeOutputs */.K)({ result: ready ? 'deployed' : 'rolling-out', name, url, image, bucketPrefix }, ready ? 'Preview ready' : 'Preview rolling out', [
            ['Commit', { code: sha.slice(0, 7) }],
            ...readiness.checks.map((c) => ['Checked', checkLine(c)]),
        ]);
        if (failures.length) {
            throw new Error(`the preview is live at ${url}, but telling the PR failed: ${failures.map((f) => f.reason.message).join('; ')}`);
        }
    }
    mark(description) {
        return {
            environment: (0,naming/* environmentName */.VE)(this.facts.name),
            sha: this.facts.sha,
            url: this.facts.url,
            logUrl: this.s.ctx.runUrl,
            // A description is public (the PR's deployments): no internal address in it.
            description: (0,untrusted/* publicText */.jk)(description),
        };
    }
}
/** One ready check for the job summary: the path, the status, the commit. */
function checkLine(c) {
    return `${c.name}: GET ${c.path} answered ${c.status} from ${c.sha.slice(0, 7)}${c.proof === 'unproven' ? ' (not proven this commit)' : ''}`;
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ./src/stack/errors.ts
var stack_errors = __webpack_require__(2573);
// EXTERNAL MODULE: ./src/stack/files.ts
var files = __webpack_require__(3207);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
;// CONCATENATED MODULE: ./src/stack/git.ts
/**
 * Fetching a template repository named by `configuration.templates[].source`, as faas-cli's `template pull`
 * does: `git clone <url> <dir> --depth=1 --config core.autocrlf=false [-b <ref>]` (versioncontrol/git.go), with the
 * ref pinned by `<url>#<ref>` (versioncontrol/parse.go: the pin character is '#'; a branch or tag, since `-b`
 * takes no commit SHA).
 *
 * The URL comes from the pull request, so: only https, http, ssh, git and `git@host:path` remotes (the schemes
 * faas-cli recognises) plus `file://` inside the workspace (faas-cli also clones a local path); git runs with the
 * allow-listed child environment, no terminal prompt, only those protocols (GIT_ALLOW_PROTOCOL, which also covers
 * redirects), outside any repository (so no checkout's credential config applies), bounded in time; and the URL's
 * userinfo never reaches an error or the log.
 */







const REMOTE = /^(?:(?:https?|ssh|git):\/\/|git@[-\w.]+:)[^\s#]+$/;
const REF = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)(?!.*\/$)[-\w./]+$/;
const ACCEPTED = "a git URL (https://, ssh://, git://, git@host:path, or file:// inside the workspace), optionally pinned with '#<branch or tag>'";
/** The repository and ref of a `source`; a message (without the URL's credentials) when it is not one. */
function parseSource(source, workspace) {
    const hash = source.indexOf('#');
    const url = hash < 0 ? source : source.slice(0, hash);
    const ref = hash < 0 ? undefined : source.slice(hash + 1);
    const display = `${(0,errors/* showUrl */.jr)(url).slice(1, -1)}${ref === undefined ? '' : `#${ref}`}`;
    if (ref !== undefined && !REF.test(ref))
        return `${(0,errors/* show */.WU)(ref)} is not a branch or tag name git accepts; ${ACCEPTED}`;
    const pinned = ref === undefined ? {} : { ref };
    if (url.startsWith('file://')) {
        let local;
        try {
            local = (0,paths/* containedPath */.fX)('source', (0,external_node_url_.fileURLToPath)(url), {
                base: workspace,
                workspace,
                kind: 'directory',
                mustExist: true,
            });
        }
        catch (err) {
            return `${(0,errors/* showUrl */.jr)(url)}: ${err instanceof errors/* InputError */.dz ? err.problem : err.message}`;
        }
        return { url: (0,external_node_url_.pathToFileURL)(local).href, display, ...pinned };
    }
    if (!REMOTE.test(url))
        return `${(0,errors/* showUrl */.jr)(url)} is not ${ACCEPTED}`;
    return { url, display, ...pinned };
}
/**
 * Clones `repo` into `dir` (which must not exist yet); rejects with a message naming the display URL. git runs in
 * its own process group, so the timeout also ends the transport helper it starts (git-remote-http).
 */
function cloneRepo(repo, dir, o) {
    const args = [
        'clone',
        '--depth=1',
        '--config',
        'core.autocrlf=false',
        ...(repo.ref ? ['-b', repo.ref] : []),
        '--',
        repo.url,
        dir,
    ];
    const env = childEnv({ GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file' }, o.parent);
    const what = `git clone of ${repo.display}`;
    return new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.spawn)('git', args, { env, cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        let timedOut = false;
        child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-git_STDERR_TAIL)));
        const timer = setTimeout(() => {
            timedOut = true;
            killGroup(child.pid, 'SIGKILL'); // an empty group would throw from this timer and end the run
        }, o.timeoutMs);
        child.on('error', (err) => {
            clearTimeout(timer);
            reject(new Error(err.code === 'ENOENT' ? `${what} failed: git is not installed` : `${what} failed: ${err.message}`));
        });
        child.on('close', (code) => {
            clearTimeout(timer);
            if (timedOut)
                return reject(new Error(`${what} did not finish within ${Math.round(o.timeoutMs / 1000)} s and was stopped`));
            if (code === 0)
                return resolve();
            const said = (0,untrusted/* sanitize */.aj)(redact(stderr).split('\n').filter(Boolean).slice(-3).join(' | '), { max: 500 });
            reject(new Error(`${what} failed (exit code ${code}): ${said || 'no message'}`));
        });
    });
}
const git_STDERR_TAIL = 8_192;
/** userinfo in any URL git may echo. */
function redact(text) {
    return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
}

;// CONCATENATED MODULE: ./src/stack/templates.ts
/**
 * Where each template comes from: template/<lang>/ beside the stack file when it is there (faas-cli's templates
 * live in ./template/ and a pull never overwrites one), otherwise the repository a `configuration.templates` entry
 * of that name gives as its `source`, cloned once per run into a temporary directory (git.ts). A template found
 * in neither is an error with the one-line fix.
 */









class Templates {
    stack;
    o;
    clones = new Map();
    dirs = [];
    constructor(stack, o = {}) {
        this.stack = stack;
        this.o = o;
    }
    /** The real path of template `lang`'s directory; `where` names the function that needs it. */
    async dir(lang, where) {
        if ((0,external_node_fs_.existsSync)(external_node_path_.join(this.stack.dir, 'template', lang)))
            return (0,files/* contained */.k)(external_node_path_.join('template', lang), 'directory', this.stack, where);
        const entry = this.stack.templates.find((t) => t.name === lang && t.source);
        if (!entry?.source) {
            throw new stack_errors/* StackError */.L(where, `template ${(0,errors/* show */.WU)(lang)} is not in ${external_node_path_.join(external_node_path_.dirname(this.stack.display), 'template', lang)} and no configuration.templates entry named ${(0,errors/* show */.WU)(lang)} has a source; run \`faas-cli template store pull ${lang}\` next to ${external_node_path_.basename(this.stack.display)} and commit template/${lang}`);
        }
        const source = {
            file: this.stack.display,
            field: `configuration.templates.${this.stack.templates.indexOf(entry)}.source`,
        };
        const repo = parseSource(entry.source, this.stack.workspace);
        if (typeof repo === 'string')
            throw new stack_errors/* StackError */.L(source, repo);
        const clone = await this.clone(repo).catch((err) => {
            throw new stack_errors/* StackError */.L(source, err.message);
        });
        const dir = external_node_path_.join(clone, 'template', lang);
        if (!(0,external_node_fs_.existsSync)(dir))
            throw new stack_errors/* StackError */.L(where, `template ${(0,errors/* show */.WU)(lang)} is not in ${repo.display}: it has no template/${lang}`);
        try {
            return (0,paths/* containedPath */.fX)('source', dir, { base: clone, workspace: clone, kind: 'directory', mustExist: true });
        }
        catch {
            throw new stack_errors/* StackError */.L(where, `template/${lang} of ${repo.display} is a link out of the repository`);
        }
    }
    clone(repo) {
        const key = `${repo.url}#${repo.ref ?? ''}`;
        let clone = this.clones.get(key);
        if (clone === undefined) {
            clone = this.fetch(repo);
            this.clones.set(key, clone);
        }
        return clone;
    }
    async fetch(repo) {
        const parent = await (0,promises_.mkdtemp)(external_node_path_.join(this.o.tmp ?? (0,external_node_os_.tmpdir)(), 'faas-preview-templates-'));
        this.dirs.push(parent);
        this.o.log?.(`Fetching templates from ${repo.display}`);
        const dir = external_node_path_.join(parent, 'repo');
        await cloneRepo(repo, dir, { timeoutMs: this.o.cloneTimeoutMs ?? 120_000, parent: this.o.parent });
        return (0,external_node_fs_.realpathSync)(dir);
    }
    /** Removes every clone. */
    async cleanup() {
        await Promise.all(this.dirs.splice(0).map((d) => (0,promises_.rm)(d, { recursive: true, force: true })));
    }
}

;// CONCATENATED MODULE: ./src/commands/rollout.ts
/**
 * The functions of one deploy, from image to "ready": each unit's image (built, retagged, reused or prebuilt, one
 * after another: builds compete for the runner's CPU), then each function's spec on the gateway (skipped when it
 * runs that spec already), then the readiness of all of them together (readiness.ts).
 */






async function prepareImages(s, units, running, 
/** Called as a build command starts (buildImage's `building`), for each unit built. */
building) {
    const stack = s.settings.stack?.parsed;
    const templates = stack
        ? new Templates(stack, { tmp: process.env.RUNNER_TEMP, log: log/* log */.R.info, cloneTimeoutMs: 120_000 })
        : undefined;
    try {
        const out = [];
        for (const unit of units) {
            try {
                out.push({ unit, ...(await prepareImage(s, unit, running(unit.name), templates, building)) });
            }
            catch (err) {
                throw unit.fn ? new Error(`function '${unit.fn}': ${err.message}`, { cause: err }) : err;
            }
        }
        return out;
    }
    finally {
        await templates?.cleanup();
    }
}
/**
 * Sends each spec, one after the other, unless the function already runs it: only when the build digest proved the
 * image the same (a prebuilt image's tag may have moved, so it is always sent again) and the spec digest proves the
 * rest. `sent` fills as the gateway accepts each: when a later one fails, it holds those the gateway took before.
 */
async function sendSpecs(s, specs, running, sent = []) {
    const { settings } = s;
    for (const { unit, spec, backend } of specs) {
        const current = running(unit.name);
        if (backend.how === 'reused' && unchangedFunction(current, spec)) {
            log/* log */.R.info(`Function ${unit.name} already runs this spec and image (deployed for ${(current.labels?.[naming/* LABELS */.kg.sha] ?? '').slice(0, 7)}): not updated`);
            sent.push({ unit, spec, how: 'unchanged', running: current });
            continue;
        }
        // faasd pulls the image inside the deploy request, so it may take as long as the readiness wait.
        const how = await s.gateway.deploy(spec, Math.max(settings.requestTimeoutMs, settings.fn.readyTimeoutMs));
        log/* log */.R.info(`Function ${unit.name} ${how} on the gateway; waiting until ${settings.fn.readyPath} answers`);
        sent.push({ unit, spec, how });
    }
    return sent;
}
/** All functions ready (or rolling out): one verdict for the preview, with each function's evidence. */
async function awaitReady(s, provider, sent, sha) {
    const { settings } = s;
    const wait = (x) => {
        // An untouched function is judged as what it is: the image and commit it was deployed for.
        const target = x.running
            ? {
                name: x.unit.name,
                image: x.running.image,
                sha: x.running.labels?.[naming/* LABELS */.kg.sha] ?? '',
                readyPath: settings.fn.readyPath,
                created: false,
            }
            : { name: x.unit.name, image: x.spec.image, sha, readyPath: settings.fn.readyPath, created: x.how === 'created' };
        return waitUntilReady(s.gateway, provider, target, {
            timeoutMs: settings.fn.readyTimeoutMs,
            requestTimeoutMs: settings.requestTimeoutMs,
        });
    };
    const all = await Promise.all(sent.map(wait));
    if (all.length === 1)
        return all[0];
    const state = all.every((r) => r.state === 'ready') ? 'ready' : 'rolling-out';
    return {
        state,
        evidence: sent.map((x, i) => `${x.unit.name}: ${all[i].evidence}`).join('; '),
        checks: all.flatMap((r) => r.checks),
    };
}

;// CONCATENATED MODULE: ./src/image/ghcr.ts


function ownerPath(owner, type, tokenLogin) {
    if (type === 'Organization')
        return { path: '/orgs/{org}', params: { org: owner } };
    if (tokenLogin && tokenLogin.toLowerCase() === owner.toLowerCase())
        return { path: '/user', params: {} };
    return { path: '/users/{username}', params: { username: owner } };
}
async function deleteGhcrPrTags(octokit, pkg, pr) {
    const where = await resolveOwner(octokit, pkg.owner);
    const versions = await listVersions(octokit, where, pkg);
    // A PR whose first build failed never pushed: a teardown must not fail on the package it never had.
    if (!versions) {
        return {
            deleted: [],
            kept: [],
            unsupported: `GitHub knows no package ghcr.io/${pkg.owner}/${pkg.name} visible to 'github-token' (404): nothing was deleted. If it exists, ${listHint(pkg)}`,
        };
    }
    const plan = planVersionDeletes(versions, pr);
    const result = { deleted: [], kept: plan.kept };
    for (const v of plan.deletes) {
        const outcome = await deleteVersion(octokit, where, pkg, v, result.deleted);
        if (outcome === 'deleted')
            result.deleted.push(...v.tags);
        else
            result.kept.push(...v.tags.map((tag) => ({ tag, reason: outcome.refused })));
    }
    return result;
}
async function resolveOwner(octokit, owner) {
    const account = await octokit.request('GET /users/{username}', { username: owner }).catch((err) => {
        throw explain(err, `ghcr.io/${owner}: GitHub has no user or organization '${owner}'`, [404]);
    });
    const type = String(account.data.type);
    return ownerPath(owner, type, type === 'User' ? await tokenLogin(octokit) : undefined);
}
/** The token's own login; undefined for an Actions token, an app installation that GitHub refuses at GET /user. */
async function tokenLogin(octokit) {
    try {
        return (await octokit.request('GET /user')).data.login;
    }
    catch (err) {
        if (statusOf(err) === undefined)
            throw err;
        return undefined;
    }
}
/** The package's versions; undefined when GitHub answers 404 (no such package, or one the token cannot see). */
async function listVersions(octokit, where, pkg) {
    const route = `GET ${where.path}/packages/container/{package_name}/versions`;
    const versions = [];
    try {
        for await (const page of octokit.paginate.iterator(route, {
            ...where.params,
            package_name: pkg.name,
            state: 'active',
            per_page: 100,
        })) {
            for (const v of page.data) {
                if (typeof v.id !== 'number' || typeof v.name !== 'string')
                    continue;
                const tags = v.metadata?.container?.tags;
                versions.push({
                    id: v.id,
                    name: v.name,
                    tags: Array.isArray(tags) ? tags.filter((t) => typeof t === 'string') : [],
                });
            }
        }
    }
    catch (err) {
        if (statusOf(err) === 404)
            return undefined;
        throw explain(err, listHint(pkg));
    }
    return versions;
}
async function deleteVersion(octokit, where, pkg, v, before) {
    const params = { ...where.params, package_name: pkg.name, package_version_id: v.id };
    const path = `${where.path}/packages/container/{package_name}/versions/{package_version_id}`;
    try {
        await octokit.request(`DELETE ${path}`, params);
        return 'deleted';
    }
    catch (err) {
        const status = statusOf(err);
        // GitHub's own rules (the last tagged version of a package, a public version with over 5,000 downloads).
        if (status === 400)
            return { refused: `GitHub refused to delete package version ${v.id}${messageOf(err)}` };
        // A 404 is a version someone else deleted, or GitHub hiding the version from a token that may not delete it.
        if (status === 404 && !(await stillThere(octokit, path, params)))
            return 'deleted';
        const done = before.length ? `; deleted before this: ${quoteTags(before)}` : '';
        throw explain(err, deleteHint(pkg) + done);
    }
}
async function stillThere(octokit, path, params) {
    try {
        await octokit.request(`GET ${path}`, params);
        return true;
    }
    catch (err) {
        return statusOf(err) !== 404;
    }
}
function listHint(pkg) {
    return (`reading the versions of ghcr.io/${pkg.owner}/${pkg.name} needs the job permission 'packages: read' ('packages: write' to delete them) ` +
        `and access to the package (a package this repository's workflow published has it; otherwise add the repository under the package's ` +
        `settings → Manage Actions access); a personal access token needs the read:packages scope`);
}
function deleteHint(pkg) {
    return (`deleting versions of ghcr.io/${pkg.owner}/${pkg.name} needs the job permission 'packages: write' and the Admin role for this ` +
        `repository on the package (package settings → Manage Actions access; a package this repository's workflow published has it); ` +
        `a personal access token needs the read:packages and delete:packages scopes and admin access to the package`);
}
function statusOf(err) {
    const status = err?.status;
    return typeof status === 'number' ? status : undefined;
}
/** ` (GitHub's message)`, sanitized: it is outside text. */
function messageOf(err) {
    const message = err?.response?.data?.message;
    return typeof message === 'string' && message ? ` (${(0,untrusted/* sanitize */.aj)(message, { max: 200 })})` : '';
}
/** A 403/404 as an error that names the call and says what is missing; other failures pass unchanged. */
function explain(err, hint, statuses = [403, 404]) {
    const status = statusOf(err);
    const request = err?.request;
    if (status === undefined || !statuses.includes(status) || !request?.url)
        return err;
    return new Error(`GitHub ${request.method ?? ''} ${new URL(request.url).pathname} answered ${status}${messageOf(err)}: ${hint}`, { cause: err });
}

;// CONCATENATED MODULE: ./src/image/tag-cleanup.ts




async function deletePrTags(b, pr, deps) {
    const repo = (0,image_reference/* parseRepository */.SU)(b.repository);
    switch (repo.kind) {
        case 'ghcr':
            return { registry: repo.kind, ...(await deleteGhcrPrTags(deps.octokit, (0,image_reference/* ghcrPackage */.RG)(repo), pr)) };
        case 'docker-hub':
            return { registry: repo.kind, deleted: [], kept: [], unsupported: dockerHubNotice(repo, pr) };
        case 'distribution':
            return { registry: repo.kind, ...(await deleteDistributionPrTags(distributionClient(b, repo, deps), pr)) };
    }
}
function dockerHubNotice(repo, pr) {
    return (`Docker Hub cannot delete tags through the registry API (it answers DELETE with 405), so no tag of docker.io/${repo.path} was deleted; ` +
        `remove this PR's pr-${pr}-* tags on hub.docker.com`);
}
function distributionClient(b, repo, deps) {
    return new RegistryClient({
        origin: new URL(`${b.registryInsecure ? 'http' : 'https'}://${repo.host}`),
        name: repo.path,
        username: b.registryUsername,
        password: b.registryPassword,
        timeoutMs: deps.timeoutMs,
        log: deps.log,
    });
}

;// CONCATENATED MODULE: ./src/state/made-room.ts
/**
 * A note the edge service leaves for the action, `<state-prefix>/made-room/<name>.json`: it put preview `name` to
 * sleep to make room for a wake of another preview. The edge service cannot reach GitHub, so the sweeper's next run
 * tells the evicted PR (its comment: "put to sleep to make room for #n") and deletes the note
 * (commands/made-room-notes.ts); a teardown deletes the note of the preview it removes.
 */

const NOTE_VERSION = 1;
const made_room_folder = (statePrefix) => stateKey(statePrefix, 'made-room/');
const noteKey = (statePrefix, name) => `${made_room_folder(statePrefix)}${name}.json`;
async function saveMadeRoom(store, note) {
    await writeJson(store, noteKey(store.statePrefix, note.name), {
        version: NOTE_VERSION,
        ...note,
    });
}
/** The note of `name`, or undefined when there is none or the object is not one of ours. */
async function readMadeRoom(store, name) {
    const raw = await store_readJson(store, noteKey(store.statePrefix, name));
    const ok = raw?.version === NOTE_VERSION &&
        raw.name === name &&
        Number.isSafeInteger(raw.pr) &&
        typeof raw.forName === 'string' &&
        Number.isSafeInteger(raw.forPr) &&
        typeof raw.at === 'string' &&
        typeof raw.idleFor === 'string';
    return ok ? raw : undefined;
}
async function deleteMadeRoom(store, name) {
    await deleteJson(store, noteKey(store.statePrefix, name));
}
/** Names of the previews with a note. */
async function listMadeRoom(store) {
    return (await listJsonNames(store, made_room_folder(store.statePrefix))).map((o) => o.name);
}

;// CONCATENATED MODULE: ./src/commands/teardown.ts
/**
 * teardown: the saved sleeping spec (read, then forgotten, so no waker brings it back) → function → data
 * (on-teardown hook, secrets, database) → assets → image tags → deployments → comment → the preview's record, which
 * becomes a tombstone the edge answers 410 from (state/closed.ts). Every step tolerates "already gone", so it
 * succeeds when nothing was deployed and when it runs twice. A step that fails does not stop
 * the others (a registry that refuses deletes must not keep a deployment active); the run then fails naming every
 * failed step, and the record stays, so the sweeper finishes the job later (sweep.ts).
 * The comment ends as a receipt of what this teardown removed, and of what it kept and why.
 */















const teardown_plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** `listed`: the gateway's functions when the caller has just listed them (the sweeper lists once per run). */
async function teardownPreview(s, pr, reason, listed) {
    const { settings, ctx, octokit } = s;
    const name = (0,naming/* previewName */.gz)(settings.app, pr);
    const r = {
        name,
        functionsDeleted: [],
        objectsDeleted: 0,
        tagsDeleted: [],
        deploymentsInactivated: 0,
        commented: false,
        removed: [],
        kept: [],
    };
    const failures = [];
    const step = async (what, fn) => {
        try {
            await fn();
        }
        catch (err) {
            failures.push(`${what}: ${err.message}`);
            log/* log */.R.error(`teardown of ${name}: ${what} failed: ${err.message}`);
        }
    };
    const store = s.state;
    // What a sleeping preview saved is read before it is forgotten: its images name the repositories to clean.
    let saved = { specs: [], repositories: [] };
    if (store)
        await step('reading the saved specs', async () => void (saved = await savedSpecs(store, name)));
    // Then forgotten, so that a waker can no longer bring a closed PR's preview back while the rest goes.
    if (store)
        await step('forgetting the sleeping preview', () => deleteSleeping(store, name));
    // What the edge service wrote of the preview (a wake's mark, its last visit, a note that it was put to sleep to make
    // room for a wake) goes with it: the sweeper would only delete a closed PR's note anyway.
    if (store)
        await step("forgetting the edge's marks", async () => {
            await Promise.all([clearWaking(store, name), deleteVisit(store, name), deleteMadeRoom(store, name)]);
        });
    const images = saved.specs.map((x) => x.image);
    await step('deleting the functions', async () => void images.push(...(await removeFunctions(s, saved.specs, r, listed))));
    await step('removing the preview data', async () => {
        const sha = s.ctx.pr?.number === pr ? s.ctx.pr.headSha : '';
        r.removed.push(...(await removeData(s, { name, pr, sha, url: (0,naming/* previewUrl */.e6)(settings.urlTemplate, name, pr, sha) })));
    });
    const s3 = s.bucket;
    if (settings.assets && s3) {
        const { bucket } = settings.assets;
        await step('deleting the static assets', async () => {
            r.objectsDeleted = (await deletePrefix(s3, bucket, (0,naming/* bucketPrefix */.TU)(name))).deleted;
            log/* log */.R.info(`Deleted ${r.objectsDeleted} objects under s3://${bucket}/${(0,naming/* bucketPrefix */.TU)(name)}`);
            if (r.objectsDeleted)
                r.removed.push(`${teardown_plural(r.objectsDeleted, 'static asset')} under \`${(0,naming/* bucketPrefix */.TU)(name)}\``);
        });
    }
    if (settings.build.deleteImage && settings.build.builder !== 'none')
        await step('deleting the image tags', () => deleteTags(s, pr, tagRepositories(settings.build.repository, images, pr, saved.repositories), r));
    if (settings.github.deployment) {
        await step('marking the deployment inactive', async () => {
            r.deploymentsInactivated = await markInactive(octokit, ctx.repo, (0,naming/* environmentName */.VE)(name), ctx.runUrl);
            if (r.deploymentsInactivated)
                r.removed.push(`the deployment \`${(0,naming/* environmentName */.VE)(name)}\` (marked inactive)`);
        });
    }
    if (settings.github.comment) {
        await step('updating the PR comment', async () => {
            // Only edit an existing comment: a PR that never had a preview gets no comment on close.
            const body = renderComment({
                state: 'torn-down',
                name,
                runUrl: ctx.runUrl,
                time: s.now().toISOString(),
                reason,
                removed: r.removed,
                kept: r.kept,
            });
            r.commented =
                (await new PreviewComment(octokit, ctx.repo, pr, name, (line) => log/* log */.R.info(line)).write(body, {
                    updateOnly: true,
                })) !== undefined;
        });
    }
    if (failures.length)
        throw new Error(`teardown of ${name} is incomplete (the sweeper finishes it from its record): ${failures.join('; ')}`);
    if (store) {
        // The edge answers the preview's address with 410 and this reason from now on (state/closed.ts).
        const githubRepository = `${ctx.repo.owner}/${ctx.repo.repo}`;
        await saveClosed(store, { name, pr, githubRepository, reason, closedAt: s.now().toISOString() });
        await deleteRecord(store, name);
    }
    return r;
}
/** What the preview's record and its sleeping state hold (a stack's functions; a sleeping preview has no other trace). */
async function savedSpecs(store, name) {
    const [record, sleeping] = await Promise.all([readRecord(store, name), readSleeping(store, name)]);
    return { specs: [...(record?.specs ?? []), ...(sleeping?.specs ?? [])], repositories: recordRepositories(record) };
}
/**
 * This preview's functions: `<name>` always (removing a function that is not there is harmless), the stack's
 * `<name>-<fn>` the gateway lists with this repository's labels, and any other the saved specs name. The gateway and
 * the record are asked, not the stack file: a close event's checkout may lack the file, or hold a later version.
 */
function previewFunctions(s, name, saved, all) {
    const { settings, ctx } = s;
    const listed = (0,naming/* functionsOfPreview */.FY)(all, { ...ctx.repo, app: settings.app }, name);
    const names = new Set([
        name,
        ...listed.map((f) => f.name),
        ...saved.map((x) => x.service).filter((n) => n.startsWith(`${name}-`)),
    ]);
    return [...names].map((n) => ({ name: n, image: listed.find((f) => f.name === n)?.image ?? '' }));
}
/** Deletes the preview's functions, noting each in the receipt; returns the images they ran. */
async function removeFunctions(s, saved, r, listed) {
    const fns = previewFunctions(s, r.name, saved, listed ?? (await s.gateway.list()));
    for (const f of fns) {
        const deleted = await s.gateway.remove(f.name);
        log/* log */.R.info(deleted ? `Function ${f.name} deleted` : `Function ${f.name} was not on the gateway`);
        if (!deleted)
            continue;
        r.functionsDeleted.push(f.name);
        r.removed.push(`the function \`${f.name}\``);
    }
    return fns.map((f) => f.image);
}
/**
 * The build repository, every other repository a function of this PR ran a `pr-<n>-` tag of (a stack's), and the
 * repositories the PR's deploys recorded pushing to (`pushed`: functions that never ran or were dropped since).
 */
function tagRepositories(buildRepository, images, pr, pushed = []) {
    const tagged = images
        .map((image) => image.match(new RegExp(`^(.+):pr-${pr}-[0-9a-f]{7}$`))?.[1])
        .filter((r) => r !== undefined);
    return [...new Set([buildRepository, ...tagged, ...pushed].filter(Boolean))];
}
/** This PR's tags in each repository; named with their repository when several repositories had some. */
async function deleteTags(s, pr, repositories, r) {
    const deleted = [];
    for (const repository of repositories) {
        const cleanup = await deletePrTags({ ...s.settings.build, repository }, pr, {
            octokit: s.octokit,
            timeoutMs: s.settings.requestTimeoutMs,
            log: (line) => log/* log */.R.info(line),
        });
        deleted.push(...cleanup.deleted.map((tag) => ({ repository, tag })));
        if (cleanup.unsupported) {
            log/* log */.R.warning(cleanup.unsupported);
            r.kept.push(`image tags: ${(0,untrusted/* inlineCode */.ti)(cleanup.unsupported, 400)}`);
        }
        for (const k of cleanup.kept)
            r.kept.push(`image tag \`${k.tag}\`: ${(0,untrusted/* inlineCode */.ti)(k.reason, 300)}`);
    }
    const several = new Set(deleted.map((d) => d.repository)).size > 1;
    r.tagsDeleted = deleted.map((d) => (several ? `${d.repository}:${d.tag}` : d.tag));
    log/* log */.R.info(`Deleted image tags: ${r.tagsDeleted.join(', ') || 'none'}`);
    if (r.tagsDeleted.length)
        r.removed.push(`${teardown_plural(r.tagsDeleted.length, 'image tag')} ${r.tagsDeleted.map((t) => `\`${t}\``).join(', ')}`);
}
async function teardown(s) {
    const pr = s.ctx.pr;
    if (!pr)
        throw new Error(`command 'teardown' needs a pull_request or pull_request_target event, got '${s.ctx.eventName}'`);
    const report = await teardownPreview(s, pr.number, pr.merged ? `PR #${pr.number} was merged` : `PR #${pr.number} was closed`);
    await (0,src_report/* writeOutputs */.K)({ result: 'torn-down', name: report.name, bucketPrefix: s.settings.assets ? (0,naming/* bucketPrefix */.TU)(report.name) : undefined }, 'Preview torn down', [
        ['Functions deleted', report.functionsDeleted.join(', ') || 'none (already gone)'],
        ['Objects deleted', String(report.objectsDeleted)],
        ['Image tags deleted', report.tagsDeleted.join(', ') || 'none'],
        ['Deployments marked inactive', String(report.deploymentsInactivated)],
    ]);
}

// EXTERNAL MODULE: ./src/stack/tree.ts
var tree = __webpack_require__(6546);
;// CONCATENATED MODULE: ./src/stack/template.ts
/**
 * A language template's template.yml (faas-cli stack/schema.go LanguageTemplate) and what faas-cli derives from it
 * when it builds (builder/build.go): the folder the handler goes into (`handler_folder`, default `function`), the
 * `fprocess` deploy sends when the function sets none, and the packages of the `build_options` a function asks for,
 * passed as the build arg ADDITIONAL_PACKAGE.
 */






/** faas-cli's build arg for build_options (builder.AdditionalPackageBuildArg). */
const ADDITIONAL_PACKAGE = 'ADDITIONAL_PACKAGE';
function readTemplate(dir, where) {
    const file = external_node_path_.join(dir, 'template.yml');
    if (!(0,external_node_fs_.existsSync)(file))
        throw new stack_errors/* StackError */.L(where, `the template in ${dir} has no template.yml; faas-cli needs one in every template`);
    const w = { ...where, field: `${where.field} (template.yml)` };
    const root = (0,tree/* mapping */.pq)((0,tree/* parseYaml */.hN)((0,files/* readSmall */.o)(file, w), w), w);
    const folder = (0,tree/* text */.Qq)(root.get('handler_folder'), (0,tree.at)(w, 'handler_folder')) || 'function';
    const normal = external_node_path_.normalize(folder).replace(/(.)\/+$/, '$1');
    if (external_node_path_.isAbsolute(normal) || normal === '..' || normal.startsWith(`..${external_node_path_.sep}`) || normal === '.') {
        throw new stack_errors/* StackError */.L((0,tree.at)(w, 'handler_folder'), `${(0,errors/* show */.WU)(folder)} is not a folder inside the template`);
    }
    const language = (0,tree/* text */.Qq)(root.get('language'), (0,tree.at)(w, 'language'));
    const fprocess = (0,tree/* text */.Qq)(root.get('fprocess'), (0,tree.at)(w, 'fprocess'));
    return {
        ...(language ? { language } : {}),
        ...(fprocess ? { fprocess } : {}),
        handlerFolder: normal,
        buildOptions: buildOptions(root.get('build_options'), (0,tree.at)(w, 'build_options')),
    };
}
function buildOptions(node, where) {
    if (node === undefined || node === null)
        return [];
    if (!Array.isArray(node))
        throw new stack_errors/* StackError */.L(where, "must be a list of '- name: <option>' entries with 'packages'");
    return node.map((entry, i) => {
        const m = (0,tree/* mapping */.pq)(entry, (0,tree.at)(where, String(i)));
        return {
            name: (0,tree/* requiredText */.$4)(m.get('name'), (0,tree.at)(where, `${i}.name`), 'give the option a name'),
            packages: (0,tree/* texts */.Te)(m.get('packages'), (0,tree.at)(where, `${i}.packages`)),
        };
    });
}
/**
 * The build args of a function, as faas-cli passes them (builder/build.go buildFlagSlice): its build_args overridden
 * by the action's; ADDITIONAL_PACKAGE then holds the packages of the requested build_options followed by the words
 * of any ADDITIONAL_PACKAGE build arg, each package once.
 */
function templateBuildArgs(o) {
    const packages = [];
    for (const name of o.requested) {
        const option = o.template?.buildOptions.find((b) => b.name === name);
        if (!option) {
            const available = o.template?.buildOptions.map((b) => b.name) ?? [];
            throw new stack_errors/* StackError */.L(o.where, `asks for ${(0,errors/* show */.WU)(name)}, which template ${o.lang} does not offer (template/${o.lang}/template.yml has ${available.length ? available.join(', ') : 'no build_options'})`);
        }
        packages.push(...option.packages);
    }
    const { [ADDITIONAL_PACKAGE]: extra, ...rest } = o.args;
    if (extra !== undefined)
        packages.push(...extra.split(' ').filter(Boolean));
    const unique = [...new Set(packages)];
    return unique.length > 0 ? { ...rest, [ADDITIONAL_PACKAGE]: unique.join(' ') } : rest;
}

;// CONCATENATED MODULE: ./src/stack/context.ts
/**
 * Build contexts as faas-cli makes them (builder/build.go createBuildContext), in a fresh temporary directory,
 * ready for any of the action's builders (a directory and a Dockerfile):
 * - `lang: dockerfile`: the handler directory's entries;
 * - any other lang: template/<lang>/ (beside the stack file, or fetched from configuration.templates), with the
 *   handler's entries overlaid into its handler folder (`function/` unless template.yml says otherwise).
 * Either way the handler's own `build/` and `template/` entries are left out, `configuration.copy` paths are added
 * to the function's folder, and symbolic links are copied as links, never followed: a link in a pull request
 * must not carry a file of the runner into an image.
 */





/** Skipped in the handler, as faas-cli does: its own output and templates never enter the image. */
const SKIPPED = ['build', 'template'];
async function prepareBuild(stack, fn, templates, o = {}) {
    const where = { file: stack.display, fn: fn.name, field: 'lang' };
    if (fn.skipBuild)
        throw new Error(`function ${fn.name} has skip_build: true; deploy ${fn.imageReference} without building it`);
    const template = fn.lang === 'dockerfile' ? undefined : await templates.dir(fn.lang, where);
    const language = template === undefined ? undefined : readTemplate(template, where);
    const args = { ...fn.buildArgs, ...o.buildArgs };
    const buildArgs = templateBuildArgs({
        requested: fn.buildOptions,
        template: language,
        args,
        lang: fn.lang,
        where: { ...where, field: 'build_options' },
    });
    const context = await (0,promises_.mkdtemp)(external_node_path_.join(o.tmp ?? (0,external_node_os_.tmpdir)(), `faas-preview-build-${fn.name}-`));
    const cleanup = () => (0,promises_.rm)(context, { recursive: true, force: true });
    try {
        if (template !== undefined)
            await copy(template, context);
        const folder = external_node_path_.join(context, language?.handlerFolder ?? '');
        await (0,promises_.mkdir)(folder, { recursive: true });
        for (const entry of await (0,promises_.readdir)(fn.handler)) {
            if (!SKIPPED.includes(entry))
                await copy(external_node_path_.join(fn.handler, entry), external_node_path_.join(folder, entry));
        }
        for (const extra of stack.copy)
            await copy(extra.from, external_node_path_.join(folder, extra.to));
        const dockerfile = external_node_path_.join(context, 'Dockerfile');
        await requireDockerfile(dockerfile, template === undefined
            ? `the handler ${external_node_path_.relative(stack.workspace, fn.handler) || '.'}`
            : `template ${fn.lang}`, where);
        return {
            fn: fn.name,
            context,
            dockerfile,
            buildArgs,
            ...(language?.fprocess ? { fprocess: language.fprocess } : {}),
            cleanup,
        };
    }
    catch (err) {
        await cleanup();
        throw err;
    }
}
function copy(from, to) {
    return (0,promises_.cp)(from, to, { recursive: true, force: true, dereference: false, verbatimSymlinks: true });
}
/** A regular file: a link could point the builder at a file outside the context and echo it into the log. */
async function requireDockerfile(file, owner, where) {
    const stat = await (0,promises_.lstat)(file).catch(() => undefined);
    if (stat?.isFile())
        return;
    throw new stack_errors/* StackError */.L(where, stat
        ? `${owner} has a Dockerfile that is not a regular file (a link or a directory); make it a file`
        : `${owner} has no Dockerfile at its top; faas-cli builds from one there`);
}

// EXTERNAL MODULE: ./src/stack/names.ts
var stack_names = __webpack_require__(2444);
;// CONCATENATED MODULE: ./src/commands/units.ts
/**
 * The functions of a preview, each one "unit" of the deploy: without a stack file, one function built from
 * `context`/`dockerfile` (or the prebuilt `image`); with one (issue 12), every selected function of the file. The
 * default function is deployed as `<name>` and answers at `api-path`; every other one as `<name>-<fn>` at
 * `<functions-path>/<fn>` (stack/names.ts), which the edge routes without per-PR configuration.
 */




function unitsOf(settings, preview, pr, sha) {
    const stack = settings.stack?.parsed;
    if (!stack) {
        const built = settings.build.builder !== 'none';
        return [
            {
                fn: '',
                name: preview,
                route: settings.apiPath,
                isDefault: true,
                tag: built ? (0,naming/* imageTag */.I_)(settings.build.repository, pr, sha) : settings.build.prebuiltImage,
                build: built ? settings.build : undefined,
            },
        ];
    }
    const defaultFn = settings.stack.defaultFunction ?? stack.functions[0].name;
    return stack.functions.map((fn) => {
        const isDefault = fn.name === defaultFn;
        const built = !fn.skipBuild && settings.build.builder !== 'none';
        return {
            fn: fn.name,
            name: (0,stack_names/* deployedName */.yc)(preview, fn.name, isDefault),
            route: (0,stack_names/* functionRoute */._F)(fn.name, isDefault, {
                apiPath: settings.apiPath,
                functionsPath: settings.stack.functionsPath,
            }),
            isDefault,
            tag: built ? (0,naming/* imageTag */.I_)(fn.image, pr, sha) : fn.imageReference,
            build: built ? { ...settings.build, repository: fn.image } : undefined,
            context: built
                ? (templates) => prepareBuild(stack, fn, templates, { buildArgs: settings.build.buildArgs, tmp: process.env.RUNNER_TEMP })
                : undefined,
            stackSpec: stackSpec(fn),
        };
    });
}
/**
 * What the deploy says in the log about the stack file: each field it ignores, and a `provider.gateway` that is not
 * `gateway-url` (the same file serves faas-cli, so neither is an error).
 */
function stackNotes(settings) {
    const stack = settings.stack?.parsed;
    if (!stack)
        return [];
    const notes = [...stack.warnings];
    const trim = (url) => url.replace(/\/+$/, '');
    if (stack.gateway !== undefined && trim(stack.gateway) !== trim(settings.gateway.url)) {
        notes.push(`stack file ${stack.display}, field 'provider.gateway': ${(0,errors/* show */.WU)(stack.gateway)} is not used; the preview deploys to the gateway of input 'gateway-url'`);
    }
    return notes;
}
function stackSpec(fn) {
    const has = (r) => r.memory !== undefined || r.cpu !== undefined;
    return {
        envVars: fn.environment,
        labels: fn.labels,
        annotations: fn.annotations,
        secrets: fn.secrets,
        ...(has(fn.limits) ? { limits: fn.limits } : {}),
        ...(has(fn.requests) ? { requests: fn.requests } : {}),
        ...(fn.readonlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
        ...(fn.fprocess ? { envProcess: fn.fprocess } : {}),
    };
}

;// CONCATENATED MODULE: ./src/commands/deploy.ts





















function skip(reason) {
    log/* log */.R.notice(reason);
    return (0,src_report/* writeOutputs */.K)({ result: 'skipped' }, 'Preview skipped', [['Reason', reason]]);
}
/** `undefined` when the PR is still open at this run's commit, else why this run must stop. */
async function overtaken(s, pr) {
    const live = await getPull(s.octokit, s.ctx.repo, pr.number);
    if (live.state !== 'open')
        return 'closed';
    if (live.headSha !== pr.headSha)
        return `superseded: PR #${pr.number} head is now ${live.headSha.slice(0, 7)}, this run is for ${pr.headSha.slice(0, 7)}; the newer push deploys`;
    return undefined;
}
async function deploy(s) {
    const pr = requirePr(s.ctx);
    const { settings, ctx } = s;
    const guard = (0,decide_event/* deployGuard */.fi)({
        eventName: ctx.eventName,
        baseRepo: `${ctx.repo.owner}/${ctx.repo.repo}`,
        headRepo: pr.headRepo,
        labels: pr.labels,
        gateLabel: settings.label,
        allowForkBuilds: settings.allowForkBuilds,
    });
    if (guard.kind === 'skip') {
        if (guard.level === 'warning')
            log/* log */.R.warning(guard.reason);
        return skip(guard.reason);
    }
    // The gateway's facts are read and the build digest computed while GitHub is asked about the PR: reads only; a run
    // that stops here waits for the digest before it exits. A stack's build contexts are made later, and digested then.
    const onGateway = gatewayFacts(s);
    onGateway.catch(() => undefined); // awaited in the 'gateway' step
    if (!settings.stack)
        void digestAhead(settings.build);
    // The event may be minutes old (queued runs, re-runs): deploy only what the PR's head still is.
    const early = await overtaken(s, pr);
    if (early)
        return skip(early === 'closed' ? `PR #${pr.number} is closed; a closed PR gets no preview` : early);
    const name = (0,naming/* previewName */.gz)(settings.app, pr.number);
    const facts = {
        name,
        url: (0,naming/* previewUrl */.e6)(settings.urlTemplate, name, pr.number, pr.headSha),
        sha: pr.headSha,
        image: '',
        pr: pr.number,
    };
    if (settings.stack?.problem)
        return stackRefused(s, facts, settings.stack.problem);
    for (const note of stackNotes(settings))
        log/* log */.R.info(note);
    const units = unitsOf(settings, name, pr.number, pr.headSha);
    facts.image = units.find((u) => u.isDefault).tag;
    await new DeployRun(s, facts, units, new PrStatus(s, facts), onGateway).run();
}
/** The provider and the functions, read together; when both fail, the provider's error (the first call) is the one. */
async function gatewayFacts(s) {
    const [provider, functions] = await Promise.allSettled([s.gateway.provider(), s.gateway.list()]);
    if (provider.status === 'rejected')
        throw provider.reason;
    if (functions.status === 'rejected')
        throw functions.reason;
    return [provider.value, functions.value];
}
/**
 * This commit's stack file cannot be deployed: the PR that changed it is told (the job log alone would not reach
 * its author), and nothing is touched.
 */
async function stackRefused(s, facts, problem) {
    throw await new PrStatus(s, facts).failed('stack', new Error(problem), {}, []);
}
function requirePr(ctx) {
    if (!ctx.pr)
        throw new Error(`command 'deploy' needs a pull_request or pull_request_target event, got '${ctx.eventName}'`);
    return ctx.pr;
}
/** Thrown by a step that failed because the PR was closed meanwhile (the teardown removed what it deployed). */
class ClosedMeanwhile extends Error {
}
/** Steps that run after the gateway was written to: a close in the meantime explains their failure. */
const AFTER_DEPLOY = new Set(['deploy', 'readiness', 'assets']);
/** One deploy after the guards: the steps in order, each failure reported as what it is. */
class DeployRun {
    s;
    facts;
    units;
    status;
    gatewayFacts;
    provider;
    existed = false;
    functions = [];
    /** The record of the deploy before this one, read before this one overwrites it. */
    previous;
    /** This deploy's record is in the bucket. */
    recorded = false;
    assets;
    /** What the undo of a failed first deploy's data step removed and left. */
    undone;
    /** The functions the gateway accepted in the deploy step, so far. */
    sending = [];
    /** The gateway was full before the build, and idle previews can make room: they sleep just before the create. */
    roomNeeded = false;
    constructor(s, facts, units, status, gatewayFacts) {
        this.s = s;
        this.facts = facts;
        this.units = units;
        this.status = status;
        this.gatewayFacts = gatewayFacts;
    }
    /** Runs `fn`; a failure is reported on the PR as a failed `step` and rethrown. */
    async step(step, fn, gone) {
        try {
            return await fn();
        }
        catch (err) {
            if (AFTER_DEPLOY.has(step) &&
                (await overtaken(this.s, { number: this.facts.pr, headSha: this.facts.sha }).catch(() => undefined)) ===
                    'closed') {
                log/* log */.R.info(`${step} failed (${err.message}), and the PR was closed meanwhile`);
                throw new ClosedMeanwhile();
            }
            const earlyUploads = step === 'assets' ? 0 : ((await this.assets?.abandon()) ?? 0);
            await this.recordFailure(step);
            const { provider, existed } = this;
            const before = {
                provider,
                existed: provider ? existed : undefined,
                gone: gone?.(err),
                earlyUploads,
                ...(step === 'data' && this.undone ? { undone: this.undone } : {}),
                ...(step === 'deploy' ? { updated: this.sending.filter((x) => x.how === 'updated').length } : {}),
            };
            const functions = this.units.map((u) => u.name);
            throw await this.status.failed(step, err, before, functions);
        }
    }
    async run() {
        try {
            await this.steps();
        }
        catch (err) {
            if (err instanceof ClosedMeanwhile)
                return this.closedMeanwhile();
            throw err;
        }
        finally {
            await this.assets?.abandon(); // a run that stopped early leaves no upload running; after finish() a no-op
        }
    }
    running = (name) => this.functions.find((f) => f.name === name);
    async steps() {
        const { s, facts } = this;
        const [provider, functions] = await this.step('gateway', () => this.gatewayFacts);
        this.provider = provider;
        this.functions = functions;
        this.existed = this.running(facts.name) !== undefined;
        const wanted = this.quotaInput(provider);
        let quota = quotaDecision(wanted);
        // A full Community Edition gateway: idle previews of this repository may make room (make-room.ts). Only asked
        // here, so a deploy no eviction can help is refused before it builds; they sleep in the deploy step (send).
        if (quota.kind === 'refuse' && provider.edition === 'community') {
            quota = await this.step('gateway', () => roomPossible(s, wanted, this.functions));
            this.roomNeeded = quota.kind === 'allow';
        }
        if (quota.kind === 'refuse')
            return this.refuse(quota);
        const building = this.status.building(this.existed);
        this.assets = this.startAssets();
        await this.record();
        const images = await this.step('build', () => prepareImages(s, this.units, this.running, () => this.assets?.begin()));
        this.assets?.begin(); // nothing was built: reused, retagged or prebuilt
        facts.image = images.find((x) => x.unit.isDefault).image;
        // Community Edition on Kubernetes runs public images only, and says nothing when it cannot (see image/public.ts).
        if (provider.edition === 'community' && provider.rolling)
            await this.step('image', () => this.checkPublic(provider, images));
        const before = await overtaken(s, { number: facts.pr, headSha: facts.sha });
        if (before === 'closed' && this.assets)
            return this.closedMeanwhile(); // its early uploads went to a torn-down prefix
        if (before)
            return this.stop(before === 'closed' ? `PR #${facts.pr} was closed while this run built it; not deployed` : before);
        await building;
        const data = await this.step('data', () => prepareData(s, facts, !this.existed, (u) => (this.undone = u)));
        const sent = await this.step('deploy', () => this.send(provider, this.specs(provider, images, data)));
        const started = Date.now();
        const readiness = await this.step('readiness', () => awaitReady(s, provider, sent, facts.sha), (err) => err instanceof NotReady && err.gone);
        const bookkeeping = Promise.all([this.awake(sent, Date.now() - started), this.prune()]); // both only warn
        const assets = await this.step('assets', async () => this.assets?.finish()).finally(() => bookkeeping);
        // asked after the last write to the bucket: a close meanwhile is seen, and the run tears down what it wrote
        const after = await overtaken(s, { number: facts.pr, headSha: facts.sha });
        if (after === 'closed')
            return this.closedMeanwhile();
        if (after)
            return this.stop(`${after} (this run's functions were deployed; the newer run replaces them)`);
        const fns = images.map((x) => ({ name: x.unit.name, route: x.unit.route, image: x.image, backend: x.backend }));
        await this.status.live(readiness, { assets, data, functions: fns }, this.s.settings.assets ? (0,naming/* bucketPrefix */.TU)(facts.name) : undefined);
    }
    /**
     * Sends the specs. Room is made first when the gateway was full before the build: only now, with the images built
     * and the data ready, is it certain that this deploy creates functions, so a failed build or data step has put no
     * preview to sleep. On Community Edition the room may still be gone when the specs arrive: something (another
     * deploy, usually) took the freed slot meanwhile, and the gateway refuses the create (400). When the gateway, listed
     * again, is indeed full, room is made once more (the other deploy's new preview is never a candidate: it was
     * deployed within idle-after) and the rest is sent once more; otherwise the error stands.
     */
    async send(provider, specs) {
        const { s, facts } = this;
        if (this.roomNeeded) {
            const room = await this.roomNow(provider, `the gateway is full: making room for ${facts.name} now that it is built`);
            if (room?.kind === 'refuse')
                throw new Error(`the gateway is full, and no room can be made now (when the build began, idle previews could have made it): ${refusalText(room)}`);
        }
        try {
            return await sendSpecs(s, specs, this.running, this.sending);
        }
        catch (err) {
            if (provider.edition !== 'community' || !(err instanceof call/* StatusError */.Xs && err.status === 400))
                throw err;
            const room = await this.roomNow(provider, this.roomNeeded
                ? `the gateway is full again (the slot made for ${facts.name} was taken meanwhile): making room once more`
                : `the gateway filled up after the check before the build: making room for ${facts.name}`);
            if (!room)
                throw err;
            if (room.kind === 'refuse')
                throw new Error(`${err.message}; no room could be made again: ${refusalText(room)}`, { cause: err });
            const done = new Set(this.sending.map((x) => x.unit.name));
            return sendSpecs(s, specs.filter((x) => !done.has(x.unit.name)), this.running, this.sending);
        }
    }
    /**
     * Lists the gateway again (the listing before the build may be minutes old) and, when this deploy's new functions
     * do not fit, says `why` and makes room: undefined when they fit, else what making room decided.
     */
    async roomNow(provider, why) {
        this.functions = await this.s.gateway.list();
        const wanted = this.quotaInput(provider);
        if (quotaDecision(wanted).kind !== 'refuse')
            return undefined;
        log/* log */.R.info(why);
        return makeRoom(this.s, wanted, this.functions, this.facts.pr);
    }
    /** This repository's previews and how many functions this deploy adds, against max-previews and CE's cap. */
    quotaInput(provider) {
        const { settings, ctx } = this.s;
        const managed = this.functions.filter((f) => (0,naming/* isManagedBy */.xr)(f.labels, ctx.repo.owner, ctx.repo.repo));
        const previews = new Map();
        for (const f of managed) {
            const name = (0,naming/* previewOfFunction */.wU)(settings.app, f)?.preview ?? f.name;
            previews.set(name, (previews.get(name) ?? 0) + 1);
        }
        return {
            name: this.facts.name,
            app: settings.app,
            previews: [...previews].map(([name, functions]) => ({ name, functions })),
            total: this.functions.length,
            needed: this.units.filter((u) => !this.running(u.name)).length,
            maxPreviews: settings.sweep.maxPreviews,
            edition: provider.edition,
        };
    }
    async refuse(quota) {
        const text = refusalText(quota);
        log/* log */.R.warning(`preview ${this.facts.name} refused: ${text}`);
        const { kind: _, ...decision } = quota;
        await this.status.refused(decision, text);
    }
    specs(provider, images, data) {
        const { settings, ctx } = this.s;
        return images.map((x) => ({
            unit: x.unit,
            backend: x.backend,
            spec: functionSpec(settings, {
                unit: x.unit,
                image: x.image,
                data,
                buildDigest: x.backend.how === 'prebuilt' ? undefined : x.backend.digest,
                envProcess: x.envProcess,
                preview: this.facts,
                owner: ctx.repo.owner,
                repo: ctx.repo.repo,
                edition: provider.edition,
                now: this.s.now(),
            }),
        }));
    }
    /** Overtaken by a newer push or a close: say so, retire this run's deployment, report nothing else. */
    async stop(reason) {
        await this.status.overtaken(reason);
        return skip(reason);
    }
    /** Refuses an image the registry itself denies to anonymous pulls; one it could not ask about is only a warning. */
    async checkPublic(provider, images) {
        const { settings } = this.s;
        for (const { image } of images) {
            const pull = await anonymousPull(image, {
                insecure: settings.build.registryInsecure,
                timeoutMs: settings.requestTimeoutMs,
                log: log/* log */.R.info,
            });
            if (pull.kind === 'unverified') {
                log/* log */.R.warning(`could not verify that ${image} can be pulled without credentials, as ${provider.name} (OpenFaaS Community Edition on Kubernetes) needs: the registry gave no answer that decides it (${pull.why}). ` +
                    'Deploying anyway: the gateway pulls from where it runs, and the readiness check reports an image it cannot pull');
                continue;
            }
            if (pull.kind === 'public')
                continue;
            throw new Error(`${provider.name} (OpenFaaS Community Edition on Kubernetes) only runs images anyone can pull, and the registry refuses ${image} to a pull without credentials (${pull.why}). ` +
                'Make the image public (GHCR: the package settings → Change visibility → Public), deploy to faasd, which pulls with its own credentials, or use OpenFaaS Pro with image pull secrets');
        }
    }
    /** The preview's record in the bucket, before the first gateway write (teardown finishes from it). */
    async record() {
        const store = this.s.state;
        if (!store)
            return;
        await this.step('state', async () => {
            // Only what this deploy keeps from its predecessor (repositories, untouched specs) comes from it: an unreadable
            // record costs that, not the deploy.
            this.previous = await readRecord(store, this.facts.name).catch((err) => {
                log/* log */.R.warning(`the preview's previous record could not be read (${err.message}); deploying without it`);
                return undefined;
            });
            // A reopened PR's preview is no longer the removed one the edge answers 410 for.
            await Promise.all([saveRecord(store, this.recordOf({})), deleteClosed(store, this.facts.name)]);
            this.recorded = true;
        });
    }
    /**
     * The record says the deploy failed, so the edge does not show "being built" for ever; best effort. Not after
     * readiness (the assets step): the functions were seen ready and the record already says so.
     */
    async recordFailure(step) {
        const store = this.s.state;
        if (!store || !this.recorded || step === 'assets')
            return;
        await saveRecord(store, this.recordOf({ failedStep: step })).catch((err) => log/* log */.R.warning(`the preview's record in the bucket does not say that the deploy failed: ${err.message}`));
    }
    /** This deploy's record, with the repositories of every deploy of the PR so far (PreviewRecord.repositories). */
    recordOf(extra) {
        const { name, pr, sha, image, url } = this.facts;
        const previous = this.previous;
        // Records written before readyAt existed had specs only once a deploy was ready.
        const readyAt = previous?.readyAt ?? (previous?.specs ? previous.updatedAt : undefined);
        const pushed = this.units.flatMap((u) => (u.build ? [u.build.repository] : []));
        const repositories = [...new Set([...recordRepositories(this.previous), ...pushed])];
        return {
            name,
            pr,
            sha,
            image,
            url,
            githubRepository: `${this.s.ctx.repo.owner}/${this.s.ctx.repo.repo}`,
            updatedAt: this.s.now().toISOString(),
            ...(readyAt ? { readyAt } : {}),
            ...extra,
            ...(repositories.length ? { repositories } : {}),
        };
    }
    /**
     * Once the functions are ready: the record gains their specs (what the sweeper saves when the preview sleeps; an
     * untouched function keeps the one it runs) and how long readiness took (what a wake costs), and a saved sleeping
     * spec goes (the preview is awake, on a newer spec). The preview is live either way: a failure here is a warning.
     */
    async awake(sent, readyMs) {
        const store = this.s.state;
        if (!store)
            return;
        const specs = sent.map((x) => (x.how === 'unchanged' ? untouchedSpec(this.previous?.specs, x.running) : x.spec));
        await Promise.all([
            saveRecord(store, this.recordOf({ specs, readyMs, readyAt: this.s.now().toISOString() })),
            deleteSleeping(store, this.facts.name),
        ]).catch((err) => log/* log */.R.warning(`the preview is live, but its record in the bucket was not updated: ${err.message}`));
    }
    /**
     * Functions of this preview that this deploy no longer has (a stack function removed from the file or from
     * `functions`) go once the rest is ready; their image tags go with the teardown (the record keeps their
     * repositories). The preview is live either way: a failure here is a warning, and the teardown removes what is left.
     */
    async prune() {
        const { settings, ctx, gateway } = this.s;
        const keep = new Set(this.units.map((u) => u.name));
        const ours = (0,naming/* functionsOfPreview */.FY)(this.functions, { ...ctx.repo, app: settings.app }, this.facts.name);
        for (const f of ours.filter((f) => !keep.has(f.name))) {
            await gateway.remove(f.name).then(() => log/* log */.R.info(`Function ${f.name} is no longer part of this preview: deleted`), (err) => log/* log */.R.warning(`function ${f.name} is no longer part of this preview, but deleting it failed: ${err.message}`));
        }
    }
    /** The static files' early stages, when this preview has a static-dir. */
    startAssets() {
        const a = this.s.settings.assets;
        if (!a?.staticDir || !this.s.bucket)
            return undefined;
        return AssetStages.start(this.s.bucket, {
            bucket: a.bucket,
            prefix: (0,naming/* bucketPrefix */.TU)(this.facts.name),
            dir: a.staticDir,
            includeDotfiles: a.includeDotfiles,
            cacheControl: a.cacheControl,
            cacheControlFingerprinted: a.cacheControlFingerprinted,
            concurrency: a.concurrency,
            // Always: a push then proves unchanged files by SHA-256 (manifest.ts). Nothing to opt out of: a manifest that
            // cannot be read, written or verified is a log line, and the files are compared by MD5 as without one.
            contentManifest: true,
            log: (line) => log/* log */.R.info(line),
        });
    }
    /** The PR closed while this run deployed: the teardown run may already be over, so this run tears down itself. */
    async closedMeanwhile() {
        await this.assets?.abandon(); // before the teardown empties the prefix, not while uploads still fill it
        await this.status.overtaken(`PR #${this.facts.pr} was closed during the deploy`);
        log/* log */.R.notice(`PR #${this.facts.pr} was closed during this deploy; tearing the preview down again`);
        const report = await teardownPreview(this.s, this.facts.pr, `PR #${this.facts.pr} was closed during a deploy`);
        await (0,src_report/* writeOutputs */.K)({ result: 'torn-down', name: report.name }, 'Preview torn down (PR closed during the deploy)');
    }
}

;// CONCATENATED MODULE: ./src/assets/s3.ts

/** Static credentials: the settings', else the variables the SDK's chain reads first; none when incomplete. */
function staticCredentials(a, env) {
    if (a.accessKeyId && a.secretAccessKey)
        return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
    const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token } = env;
    // with a profile named, the SDK's chain skips these variables: so does this
    if (!id || !secret || env.AWS_PROFILE)
        return undefined;
    return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
}
/** `<endpoint>/<bucket>` as the SDK resolves a custom endpoint with path-style addressing; undefined otherwise. */
function pathStyleUrl(endpoint, bucket) {
    if (!endpoint)
        return undefined;
    let url;
    try {
        url = new URL(endpoint);
    }
    catch {
        return undefined; // the SDK reports it in its own words
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username)
        return undefined;
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${bucket}`;
    return url;
}
function s3Connection(settings, o = {}) {
    const requestTimeoutMs = o.requestTimeoutMs ?? call/* DEFAULT_TIMEOUT_MS */.t1;
    const env = o.env ?? process.env;
    let made = o.client && Promise.resolve(o.client);
    return {
        settings,
        requestTimeoutMs,
        client: () => (made ??= Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(927)]).then(__webpack_require__.bind(__webpack_require__, 8927)).then((m) => m.createS3Client(settings, { requestTimeoutMs }))),
        direct(bucket) {
            const url = pathStyleUrl(settings.endpoint, bucket);
            const credentials = url && staticCredentials(settings, env);
            return url && credentials ? { url, region: settings.region || 'us-east-1', credentials } : undefined;
        },
        destroy: () => void made?.then((c) => c.destroy()),
    };
}

;// CONCATENATED MODULE: ./src/openfaas/client.ts
/**
 * Client for the OpenFaaS gateway's /system API. Status handling follows faas-netes and faasd (docs/architecture.md, "Provider facts"): deploy
 * is PUT then POST on 404 like faas-cli, 200/201/202 are success, a missing function on delete is fine.
 *
 * Every call is bounded by `request-timeout` and retried with the one policy when the failure is transient; a POST
 * (create) is not idempotent, so before repeating one the function is looked up: a create that did land is not
 * sent twice (faas-netes would answer 500, faasd 400 "already exists").
 */

const OK = new Set([200, 201, 202, 204]);
function client_hint(path) {
    return (status) => {
        if (status === 401)
            return " (check 'gateway-username' and 'gateway-password')";
        if (status === 404 && path === '/system/info')
            return " (is 'gateway-url' the OpenFaaS gateway?)";
        return '';
    };
}
class GatewayClient {
    settings;
    o;
    auth;
    constructor(settings, o) {
        this.settings = settings;
        this.o = o;
        this.auth = 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64');
    }
    get namespace() {
        return this.settings.namespace;
    }
    get url() {
        return this.settings.url;
    }
    /** `limit`: a longer budget per attempt (deploys: faasd pulls the image inside the request), or a deadline for all attempts. */
    request(method, path, accept, body, limit = {}) {
        return (0,call/* callWithRetry */.ZG)({
            method,
            url: this.settings.url + path,
            headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            body: body === undefined ? undefined : JSON.stringify(body),
            timeoutMs: limit.timeoutMs ?? this.o.timeoutMs,
            deadline: limit.deadline,
            accept,
            hint: client_hint(path),
            log: this.o.log,
        });
    }
    nsQuery() {
        return this.settings.namespace ? `?namespace=${encodeURIComponent(this.settings.namespace)}` : '';
    }
    parse(res) {
        try {
            return JSON.parse(res.text);
        }
        catch {
            throw new call/* StatusError */.Xs(res.call, res.status, res.text, res.headers, ' (not JSON: is this the OpenFaaS gateway?)');
        }
    }
    async info() {
        return this.parse(await this.request('GET', '/system/info', (s) => OK.has(s)));
    }
    /**
     * Community Edition names its provider `*-ce` (faas-netes-ce, faasd-ce). Releases before 2023 (faas-netes) and
     * 2024 (faasd) did not: such a CE gateway is taken for Pro here, which is why the sweeper verifies a scale to zero.
     */
    async provider() {
        const p = (await this.info()).provider ?? {};
        const name = p.provider ?? '';
        const orchestration = p.orchestration ?? '';
        return {
            name,
            edition: name.endsWith('-ce') ? 'community' : 'pro',
            orchestration,
            rolling: orchestration === 'kubernetes',
        };
    }
    async list() {
        const path = `/system/functions${this.nsQuery()}`;
        try {
            return this.parse(await this.request('GET', path, (s) => OK.has(s))) ?? [];
        }
        catch (err) {
            // The real gateway's list handler panics when its Prometheus cannot be reached: the connection just drops.
            if (err instanceof Error && /socket hang up|ECONNRESET/.test(err.message)) {
                throw new Error(`${err.message}; the OpenFaaS gateway drops this request when it cannot reach its Prometheus (invocation counts come from there): check the prometheus deployment of the OpenFaaS installation`, { cause: err });
            }
            throw err;
        }
    }
    async get(name, deadline) {
        const path = `/system/function/${encodeURIComponent(name)}${this.nsQuery()}`;
        const res = await this.request('GET', path, (s) => OK.has(s) || s === 404, undefined, { deadline });
        return res.status === 404 ? undefined : this.parse(res);
    }
    /**
     * Update in place when the function exists, create it otherwise; returns which one happened. `timeoutMs` bounds
     * the whole deploy, retries included (faasd pulls the image inside the request, so it may need long).
     */
    async deploy(spec, timeoutMs) {
        const body = this.inNamespace(spec);
        const deadline = Date.now() + timeoutMs;
        const update = () => this.request('PUT', '/system/functions', (s) => OK.has(s) || s === 404, body, { timeoutMs, deadline });
        if ((await update()).status !== 404)
            return 'updated';
        const created = await this.post(body, deadline);
        if (created)
            return 'created';
        // Another run created it between our PUT and POST (faasd 400 "already exists", faas-netes 500): update it.
        if ((await update()).status !== 404)
            return 'updated';
        throw new Error(`${(0,call/* describeCall */.GC)('POST', this.settings.url + '/system/functions')} and PUT both failed: the function ${spec.service} neither could be created nor exists`);
    }
    /**
     * Create only, never update: true when this call created the function, false when it exists (the waker must not
     * overwrite a newer version that a deploy created meanwhile).
     */
    async create(spec, timeoutMs) {
        return this.post(this.inNamespace(spec), Date.now() + timeoutMs);
    }
    inNamespace(spec) {
        return this.settings.namespace ? { ...spec, namespace: this.settings.namespace } : spec;
    }
    /**
     * POST, repeated once after a transient failure, but only after looking (see the header comment). True when this
     * call created it; false when the function exists anyway (created by another run at the same moment).
     */
    async post(body, deadline) {
        const url = this.settings.url + '/system/functions';
        const send = () => (0,call/* call */.T1)({
            method: 'POST',
            url,
            headers: { authorization: this.auth, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            timeoutMs: Math.max(1, deadline - Date.now()),
        });
        for (let attempt = 1;; attempt++) {
            let res;
            let failure;
            try {
                res = await send();
                if (OK.has(res.status))
                    return true;
                failure = new call/* StatusError */.Xs(res.call, res.status, res.text, res.headers, client_hint('/system/functions')(res.status));
            }
            catch (err) {
                failure = err;
            }
            // It exists: another run's create, or ours that landed before the failure. Either way the caller updates it.
            if (await this.get(body.service, deadline).catch(() => undefined))
                return false;
            const transient = failure instanceof call/* NetworkError */.Dr || (res !== undefined && (res.status >= 500 || res.status === 429));
            if (!transient || attempt >= 2 || Date.now() >= deadline)
                throw failure;
            this.o.log?.(`${(0,call/* describeCall */.GC)('POST', url)} failed (${failure.message}) and the function does not exist; sending it once more`);
        }
    }
    /** Deletes the function; false when it did not exist. faas-netes reads the namespace from the query, faasd from the body. */
    async remove(name) {
        const path = `/system/functions${this.nsQuery()}`;
        const body = { functionName: name };
        if (this.settings.namespace)
            body.namespace = this.settings.namespace;
        const res = await this.request('DELETE', path, (s) => OK.has(s) || s === 404, body);
        return res.status !== 404;
    }
    async scale(name, replicas) {
        const path = `/system/scale-function/${encodeURIComponent(name)}${this.nsQuery()}`;
        const body = { serviceName: name, replicas };
        if (this.settings.namespace)
            body.namespace = this.settings.namespace;
        await this.request('POST', path, (s) => OK.has(s), body);
    }
    /** Names of the secrets in the function namespace (the gateway never returns values). */
    async secretNames() {
        const res = await this.request('GET', `/system/secrets${this.nsQuery()}`, (s) => OK.has(s));
        return (this.parse(res) ?? []).map((x) => x.name ?? '').filter(Boolean);
    }
    /** Creates the secret, or updates it when it exists (faas-netes answers 409 to a create; faasd's create overwrites). */
    async putSecret(name, value) {
        const body = { name, value, ...(this.settings.namespace ? { namespace: this.settings.namespace } : {}) };
        const created = await this.request('POST', '/system/secrets', (s) => OK.has(s) || s === 409, body);
        if (created.status === 409)
            await this.request('PUT', '/system/secrets', (s) => OK.has(s), body);
    }
    /** Deletes a secret that exists (list first: faasd answers 500, not 404, for a missing one). */
    async deleteSecret(name) {
        const body = { name, ...(this.settings.namespace ? { namespace: this.settings.namespace } : {}) };
        await this.request('DELETE', `/system/secrets${this.nsQuery()}`, (s) => OK.has(s) || s === 404, body);
    }
    /** One GET through the gateway's invoke route, as a visitor's request would travel (no auth, no retry). */
    async invoke(name, path, timeoutMs) {
        const target = this.settings.namespace ? `${name}.${this.settings.namespace}` : name;
        return (0,call/* call */.T1)({
            method: 'GET',
            url: `${this.settings.url}/function/${encodeURIComponent(target)}${path}`,
            timeoutMs,
        });
    }
}

;// CONCATENATED MODULE: ./src/commands/services.ts
/** The clients every command works through, built once from Settings; tests and the sweeper build their own. */





function createServices(settings, ctx, o = {}) {
    const { assets } = settings;
    const bucket = assets && s3Connection(assets, { requestTimeoutMs: settings.requestTimeoutMs });
    return {
        settings,
        ctx,
        gateway: new GatewayClient(settings.gateway, { timeoutMs: settings.requestTimeoutMs, log: log/* log */.R.info }),
        octokit: createOctokit(settings.github.token, {
            timeoutMs: settings.requestTimeoutMs,
            log: log/* log */.R.info,
            pacedWrites: o.pacedWrites,
        }),
        bucket,
        state: bucket && createStateStore(bucket, assets.bucket, settings.sweep.statePrefix, { log: log/* log */.R.info }),
        now: () => new Date(),
    };
}

;// CONCATENATED MODULE: ./src/sweep/made-room-plan.ts
function noteFate(f) {
    const n = f.note;
    if (!n)
        return { kind: 'forget', why: 'not a note of this action' };
    if (!f.open)
        return { kind: 'forget', why: `PR #${n.pr} is closed` };
    if (f.onGateway)
        return { kind: 'forget', why: 'woken again since: its functions run, the comment stays' };
    if (f.sleepingSince === undefined)
        return { kind: 'forget', why: 'no longer asleep: no saved specs' };
    if (Date.parse(f.sleepingSince) !== Date.parse(n.at))
        return { kind: 'forget', why: `put to sleep again since (${f.sleepingSince}), which told the PR itself` };
    return { kind: 'tell', note: n };
}

;// CONCATENATED MODULE: ./src/commands/made-room-notes.ts
/**
 * The sweeper's part of a wake that made room (issue 23): the edge service put a preview to sleep for another one's
 * wake and, unable to reach GitHub, left a note in the bucket (state/made-room.ts). Each sweep turns the notes of
 * this app's previews into their PRs' comments ("put to sleep to make room for #n; wakes on its next visit") and
 * deletes them; a note whose sleep is over (sweep/made-room-plan.ts) is only deleted. A comment that cannot be
 * written keeps its note for the next sweep.
 */







/**
 * One item per note of this app's previews. `running`: the previews with a function on the gateway; `openPulls`:
 * the open PRs, both from the sweep's one look at each.
 */
async function noteItems(s, running, openPulls) {
    const store = s.state;
    if (!store)
        return [];
    const names = (await listMadeRoom(store)).filter((n) => (0,naming/* prFromName */.OS)(s.settings.app, n) !== undefined);
    const items = [];
    for (const name of names) {
        const pr = (0,naming/* prFromName */.OS)(s.settings.app, name);
        const [note, sleeping] = await Promise.all([readMadeRoom(store, name), readSleeping(store, name)]);
        const fate = noteFate({
            note,
            open: openPulls.has(pr),
            onGateway: running.has(name),
            sleepingSince: sleeping?.since,
        });
        items.push(item(s, store, name, pr, fate, note));
    }
    return items;
}
function item(s, store, name, pr, fate, note) {
    const lastActivity = note ? `idle for ${note.idleFor} when put to sleep at ${note.at}` : '(no note)';
    if (fate.kind === 'forget')
        return {
            name,
            pr,
            lastActivity,
            decision: `forget the edge's note that it made room with this preview: ${fate.why}`,
            run: async () => (await deleteMadeRoom(store, name), 'note deleted, comment untouched'),
        };
    return {
        name,
        pr,
        lastActivity,
        decision: `tell PR #${pr} its preview was put to sleep by the edge service to make room for #${fate.note.forPr}`,
        run: () => tell(s, store, fate.note),
    };
}
/** The comment, then the note goes; with comments off, only the note goes. */
async function tell(s, store, note) {
    if (s.settings.github.comment) {
        const [sleeping, record] = await Promise.all([readSleeping(store, note.name), readRecord(store, note.name)]);
        const main = sleeping?.specs.find((x) => x.service === note.name) ?? sleeping?.specs[0];
        const p = { name: note.name, pr: note.pr, idleFor: note.idleFor, madeRoomFor: note.forPr };
        const failed = await writeSleepComment(s, p, {
            url: addressOf(s, p, main),
            readyMs: record?.readyMs,
            saved: true,
        }).then(() => undefined, (err) => err);
        if (failed) {
            log/* log */.R.warning(`${note.name}: could not update the PR comment (${failed.message}); the note stays for the next sweep`);
            return `PR comment not updated (${failed.message}); note kept`;
        }
    }
    await deleteMadeRoom(store, note.name);
    return s.settings.github.comment ? 'PR comment says it sleeps; note deleted' : 'note deleted (comments are off)';
}

;// CONCATENATED MODULE: ./src/commands/sweep.ts
/**
 * sweep: take stock once (one function listing, the open PRs, the sweeper's memory, the bucket's prefixes and preview
 * records, the previews' databases and secrets) → decide (sweep/plan.ts, pure) → act, one gateway write per
 * acted-on function: scale to zero on Pro/Edge, sleep on Community Edition (delete the function, keep the assets and
 * data, say so on the PR), full teardown for closed PRs and expired previews, finish teardowns that died half-way
 * (from the preview records), delete orphan prefixes, databases and secrets, and tell the PRs of previews the edge
 * service put to sleep to make room for a wake (made-room-notes.ts). `dry-run` decides and changes nothing.
 *
 * A scale to zero is read back: a Community Edition gateway that does not call itself `-ce` (releases before 2023/24)
 * answers 200 and clamps the request to one replica, so the sweeper only says "scaled to 0" when it saw 0, and
 * sleeps the preview instead otherwise.
 */


















/** Acted-on previews handled at once: enough to sweep hundreds quickly, few enough for GitHub's secondary limits. */
const ACT_CONCURRENCY = 4;
function bucketOf(s) {
    return s.settings.assets && s.bucket && s.state
        ? { s3: s.bucket, state: s.state, name: s.settings.assets.bucket }
        : undefined;
}
/** Everything the decision needs, each source read once. */
async function inventory(s) {
    const { settings, ctx, gateway } = s;
    const bucket = bucketOf(s);
    // Before anything is asked: a sweep without a source of idleness stops here, naming the inputs.
    idleSource(settings);
    // The only function listing of the run: everything below works from it.
    const listed = await gateway.list();
    const { edition } = await gateway.provider();
    const ours = listed.filter((f) => (0,naming/* isManagedBy */.xr)(f.labels, ctx.repo.owner, ctx.repo.repo));
    const { increases, previous } = await readActivity(s);
    const groups = groupPreviews(settings.app, ours, increases);
    const visits = await sleep_readVisits(s, groups.previews.map((p) => p.name));
    for (const f of groups.strays)
        log/* log */.R.info(`${f}: managed by this repository but no preview named ${settings.app}-pr-<n> (input 'app'); left alone`);
    const inv = {
        edition,
        total: listed.length,
        ours,
        managed: groups.previews,
        members: groups.members,
        increases: groups.increases,
        previous,
        visits,
        openPulls: await listOpenPulls(s.octokit, ctx.repo),
        prefixes: [],
        records: [],
        tombstones: [],
        databases: [],
        secrets: [],
        notes: [],
    };
    if (bucket) {
        inv.prefixes = await listTopPrefixes(bucket.state);
        inv.records = await listRecords(s.state);
        inv.tombstones = await oldTombstones(s, s.now());
        inv.notes = await noteItems(s, new Set(groups.members.keys()), inv.openPulls);
    }
    inv.secrets = await gateway.secretNames();
    inv.databases = await listDatabases(s);
    return inv;
}
async function oldTombstones(s, now) {
    const before = new Date(now.getTime() - CLOSED_KEEP_DAYS * 86_400_000);
    const names = await closedBefore(s.state, before);
    return names.flatMap((name) => {
        const pr = (0,naming/* prFromName */.OS)(s.settings.app, name);
        return pr === undefined ? [] : [{ name, pr }];
    });
}
async function listDatabases(s) {
    return (await withDatabases(s, (dbs) => dbs.list(s.settings.app))) ?? [];
}
async function sweep(s) {
    const sw = s.settings.sweep;
    const inv = await inventory(s);
    const now = s.now();
    const plan = planSweep({
        ...inv,
        functions: inv.managed,
        app: s.settings.app,
        now: now.getTime(),
        idleAfterMs: sw.idleAfterMs,
        maxAgeMs: sw.maxAgeMs,
    });
    const items = workItems(s, plan, inv);
    const dry = sw.dryRun ? '[dry-run] ' : '';
    const where = inv.increases ? 'Prometheus' : `s3://${bucketOf(s).name}/${sweeperKey(sw.statePrefix)}`;
    log/* log */.R.info(`${dry}Sweeping ${inv.managed.length} previews on a ${inv.edition === 'pro' ? 'Pro/Edge' : 'Community Edition'} gateway, ${inv.openPulls.size} open PRs, idleness from ${where}, idle-after ${formatDuration(sw.idleAfterMs)}`);
    for (const i of items)
        log/* log */.R.info(`${dry}${i.name} (PR #${i.pr}): ${i.decision}; last activity ${i.lastActivity}`);
    const results = new Map();
    const errors = [];
    if (!sw.dryRun) {
        await forEachLimited(items.filter((i) => i.run), ACT_CONCURRENCY, async (i) => {
            try {
                results.set(i, await i.run());
                log/* log */.R.info(`${i.name}: ${results.get(i)}`);
            }
            catch (err) {
                errors.push(`${i.name}: ${err.message}`);
                log/* log */.R.error(`${i.name} (${i.decision}): ${err.message}`);
                results.set(i, `failed: ${err.message}`);
            }
        });
        const failedRemovals = new Set(items.filter((i) => i.removesFunction && results.get(i)?.startsWith('failed:')).map((i) => i.name));
        await remember(s, plan, inv.previous, failedRemovals, now);
    }
    await report(s, inv, items, results, errors.length, where);
    if (errors.length)
        throw new Error(`${errors.length} of ${items.filter((i) => i.run).length} sweep actions failed; first: ${errors[0]}`);
}
/** The plan as a list of things to do, each with its action. */
function workItems(s, plan, inv) {
    const covered = new Set([...inv.managed.map((f) => f.name), ...plan.unfinished.map((u) => u.name)]);
    const data = orphanData({
        app: s.settings.app,
        openPulls: inv.openPulls,
        covered,
        databases: inv.databases,
        secrets: inv.secrets,
    });
    const bucket = bucketOf(s);
    const none = '(no function)';
    return [
        ...plan.actions.map((a) => ({
            name: a.name,
            pr: a.pr,
            lastActivity: a.lastActivity,
            decision: `${a.decision}: ${a.reason}`,
            run: actsOn(a.decision) ? () => act(s, a, inv.members.get(a.name), inv.ours) : undefined,
            removesFunction: removesFunction(a.decision),
            functions: inv.members.get(a.name).length,
        })),
        ...plan.unfinished.map((u) => ({
            name: u.name,
            pr: u.pr,
            lastActivity: none,
            decision: `finish teardown: PR #${u.pr} is closed, its record is left`,
            run: async () => `teardown finished: ${receipt((await teardownPreview(s, u.pr, `PR #${u.pr} is closed (an earlier teardown did not finish)`, inv.ours)).removed)}`,
        })),
        ...plan.orphans.map((o) => ({
            name: o.prefix,
            pr: o.pr,
            lastActivity: none,
            decision: `delete orphan prefix: PR #${o.pr} is closed`,
            run: async () => `${(await deletePrefix(bucket.s3, bucket.name, o.prefix)).deleted} objects deleted`,
        })),
        ...inv.tombstones.map((t) => ({
            name: t.name,
            pr: t.pr,
            lastActivity: none,
            decision: `forget the removed preview: its address has answered 410 for over ${CLOSED_KEEP_DAYS} days`,
            run: async () => (await deleteClosed(s.state, t.name), 'tombstone deleted'),
        })),
        ...data.databases.map((d) => ({
            name: d.preview,
            pr: d.pr,
            lastActivity: none,
            decision: `drop orphan database: PR #${d.pr} is closed`,
            run: () => dropDatabase(s, d.preview),
        })),
        ...data.secrets.map((x) => ({
            name: x.name,
            pr: x.pr,
            lastActivity: none,
            decision: `delete orphan secret: PR #${x.pr} is closed`,
            run: async () => (await s.gateway.deleteSecret(x.name), 'deleted'),
        })),
        ...inv.notes,
    ];
}
const receipt = (removed) => (removed.length ? removed.join(', ') : 'nothing was left');
async function dropDatabase(s, preview) {
    const dropped = await withDatabases(s, (dbs) => dropPreviewDatabase(dbs, preview));
    return dropped ? `dropped database ${dropped.name}${dropped.role ? ' and its role' : ''}` : 'nothing was left';
}
/** The sweeper's memory, written only when it changed (state mode). */
async function remember(s, plan, previous, failedRemovals, now) {
    if (plan.mode !== 'state')
        return;
    const store = s.state;
    const key = sweeperKey(store.statePrefix);
    const state = finalState(plan.actions, previous, failedRemovals);
    if (!state.changed) {
        log/* log */.R.info(`State unchanged; s3://${store.bucket}/${key} not rewritten`);
        return;
    }
    await saveState(store, state.next, now);
    log/* log */.R.info(`State written to s3://${store.bucket}/${key} (${Object.keys(state.next).length} functions)`);
}
const sleeper = (s, a) => ({
    name: a.name,
    pr: a.pr,
    idleFor: a.idleFor ?? formatDuration(s.settings.sweep.idleAfterMs),
});
/** One acted-on preview: one gateway write per function (scale or delete; a scale that did not reach zero adds the delete). */
async function act(s, a, fns, listed) {
    switch (a.decision) {
        case 'scale-to-zero': {
            for (const f of fns)
                await s.gateway.scale(f.name, 0);
            const after = await Promise.all(fns.map(async (f) => ({ name: f.name, replicas: (await s.gateway.get(f.name))?.replicas ?? 0 })));
            const awake = after.filter((x) => x.replicas > 0);
            if (!awake.length)
                return `scaled to 0 replicas${fns.length > 1 ? ` (${fns.length} functions)` : ''}; the next request wakes it`;
            const seen = `the gateway answered the scale to 0 but reports ${awake.map((x) => `${fns.length > 1 ? `${x.name} ` : ''}replicas=${x.replicas}`).join(', ')}`;
            log/* log */.R.warning(`${a.name}: ${seen}, which a Community Edition gateway does (it clamps to 1); putting it to sleep instead`);
            return `${seen}; ${await sleepPreview(s, sleeper(s, a), fns)}`;
        }
        case 'sleep':
            return sleepPreview(s, sleeper(s, a), fns);
        case 'teardown':
            return `torn down: ${receipt((await teardownPreview(s, a.pr, a.reason, listed)).removed)}`;
        default:
            return 'nothing to do';
    }
}
/** The count against the limit, the outputs, and the summary's decision table. */
async function report(s, inv, items, results, failures, where) {
    const sw = s.settings.sweep;
    const removed = sw.dryRun
        ? []
        : items.filter((i) => i.removesFunction && results.has(i) && !results.get(i).startsWith('failed:'));
    const removedFunctions = removed.reduce((n, i) => n + (i.functions ?? 1), 0);
    const functions = inv.ours.length - removedFunctions;
    const previews = inv.managed.length - removed.length;
    const remaining = previews === functions ? String(previews) : `${previews} (${functions} functions)`;
    const limit = effectiveLimit(sw.maxPreviews, inv.edition);
    const count = limit > 0 ? `${remaining} of ${limit} (max-previews)` : `${remaining} (no limit)`;
    log/* log */.R.info(`Previews of this repository on the gateway: ${count}`);
    // What decides whether the next preview fits on Community Edition: every function, whoever deployed it.
    const cap = inv.edition === 'community'
        ? `${inv.total - removedFunctions} of ${CE_FUNCTION_LIMIT} (Community Edition counts every function; ${functions} are previews of this repository)`
        : undefined;
    if (cap)
        log/* log */.R.info(`Functions on the gateway: ${cap}`);
    const acted = items.filter((i) => i.run).length;
    await (0,src_report/* writeOutputs */.K)({ result: 'swept' }, sw.dryRun ? 'Preview sweep (dry run: nothing changed)' : 'Preview sweep', [
        [
            'Edition',
            inv.edition === 'pro' ? 'Pro / Edge (scale to zero)' : 'Community Edition (sleep = delete function, keep assets)',
        ],
        ['Idleness from', inv.increases ? where : { code: where }],
        ['Previews of this repository', count],
        ...(cap ? [['Functions on the gateway', cap]] : []),
        ['Acted on', `${acted}${failures ? ` (${failures} failed)` : ''}`],
    ]);
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    const result = (i) => (!i.run ? 'nothing to do' : sw.dryRun ? 'dry run: not applied' : (results.get(i) ?? ''));
    const header = ['Function', 'PR', 'Last activity', 'Decision', 'Result'].map((data) => ({ data, header: true }));
    const body = items.map((i) => [
        (0,src_report/* cellHtml */.q)({ code: i.name }),
        (0,untrusted/* htmlText */.js)(`#${i.pr}`),
        (0,untrusted/* htmlText */.js)(i.lastActivity),
        (0,untrusted/* htmlText */.js)(i.decision),
        (0,untrusted/* htmlText */.js)(result(i)),
    ]);
    await core/* summary */.z
        .addHeading('Decisions', 4)
        .addTable([header, ...(body.length ? body : [['(no managed previews)', '', '', '', '']])])
        .write();
}

;// CONCATENATED MODULE: ./src/commands/run.ts




const COMMANDS = { deploy: deploy, teardown: teardown, sweep: sweep };
async function runCommand(command, settings, ctx) {
    // The sweeper may act on hundreds of previews: its GitHub writes keep GitHub's one-a-second pace.
    await COMMANDS[command](createServices(settings, ctx, { pacedWrites: command === 'sweep' }));
}


/***/ }),

/***/ 2006:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dr: () => (/* binding */ NetworkError),
/* harmony export */   GC: () => (/* binding */ describeCall),
/* harmony export */   T1: () => (/* binding */ call),
/* harmony export */   Xs: () => (/* binding */ StatusError),
/* harmony export */   ZG: () => (/* binding */ callWithRetry),
/* harmony export */   fO: () => (/* binding */ transientStatus),
/* harmony export */   t1: () => (/* binding */ DEFAULT_TIMEOUT_MS)
/* harmony export */ });
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_https__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9809);
/**
 * One HTTP request to a server we do not control (gateway, registry, Prometheus, the function itself), bounded in
 * time, with an error that names the call: method, URL without credentials, and the HTTP status or the network
 * cause as the OS said it (`ECONNREFUSED 127.0.0.1:1`, `socket hang up`, `no answer within 30s`).
 *
 * node:http rather than fetch: fetch refuses the WHATWG "bad ports" (1, 6000, 10080…) with a bare "fetch failed"
 * and wraps every network error the same way; node:http reports the real cause. Keep-alive agents are shared.
 */



const DEFAULT_TIMEOUT_MS = 30_000;
/** Bodies are read up to this size; the rest is dropped (error bodies go into logs and comments, clipped anyway). */
const MAX_BODY = 8 * 1024 * 1024;
const agents = {
    'http:': new node_http__WEBPACK_IMPORTED_MODULE_0__.Agent({ keepAlive: true, maxSockets: 16 }),
    'https:': new node_https__WEBPACK_IMPORTED_MODULE_1__.Agent({ keepAlive: true, maxSockets: 16 }),
};
/** The URL as it may be printed: no user or password. */
function safeUrl(url) {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    return u.toString();
}
function describeCall(method, url) {
    return `${method} ${safeUrl(url)}`;
}
/** A call that got no HTTP answer: refused, reset, timed out, name not found. */
class NetworkError extends Error {
    call;
    code;
    constructor(call, code, cause) {
        super(`${call}: ${cause}`);
        this.call = call;
        this.code = code;
        this.name = 'NetworkError';
    }
}
/** A call that got an HTTP answer the caller did not accept. */
class StatusError extends Error {
    call;
    status;
    body;
    headers;
    constructor(call, status, body, headers = {}, hint = '') {
        const text = body.trim().replace(/\s+/g, ' ').slice(0, 300);
        super(`${call} answered ${status}${text ? `: ${text}` : ''}${hint}`);
        this.call = call;
        this.status = status;
        this.body = body;
        this.headers = headers;
        this.name = 'StatusError';
    }
}
function networkCause(err, timeoutMs) {
    const code = err.code ?? 'ERROR';
    if (code === 'ETIMEDOUT' && err.message === 'faas-preview timeout')
        return { code, text: `no answer within ${formatSeconds(timeoutMs)}` };
    if (code === 'ECONNRESET' && /socket hang up/.test(err.message))
        return { code, text: 'socket hang up (the server closed the connection without answering)' };
    if (err.address)
        return { code, text: `${code} ${err.address}${err.port ? `:${err.port}` : ''}` };
    return { code, text: err.message || code };
}
function formatSeconds(ms) {
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
/** One attempt. Any HTTP status resolves; only a missing answer rejects (NetworkError). */
function call(req) {
    const url = new URL(String(req.url));
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const name = describeCall(req.method, url);
    const lib = url.protocol === 'https:' ? node_https__WEBPACK_IMPORTED_MODULE_1__ : node_http__WEBPACK_IMPORTED_MODULE_0__;
    const agent = agents[url.protocol];
    const headers = { 'user-agent': 'faas-preview', ...req.headers };
    if (req.body !== undefined)
        headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise((resolve, reject) => {
        const r = lib.request(url, { method: req.method, headers, agent });
        const timer = setTimeout(() => r.destroy(Object.assign(new Error('faas-preview timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
        const fail = (err) => {
            clearTimeout(timer);
            const cause = networkCause(err, timeoutMs);
            reject(new NetworkError(name, cause.code, cause.text));
        };
        r.on('error', fail);
        r.on('response', (res) => {
            const chunks = [];
            let size = 0;
            res.on('data', (c) => {
                size += c.length;
                if (size <= MAX_BODY)
                    chunks.push(c);
            });
            res.on('error', fail);
            res.on('end', () => {
                clearTimeout(timer);
                resolve({
                    status: res.statusCode ?? 0,
                    headers: res.headers,
                    text: Buffer.concat(chunks).toString('utf8'),
                    call: name,
                });
            });
        });
        r.end(req.body);
    });
}
/** 408, 429 and 5xx: worth another attempt; `retry-after` (seconds) is honoured when the server sends it. */
function transientStatus(status, headers = {}) {
    if (status !== 408 && status !== 429 && status < 500)
        return false;
    const after = Number(headers['retry-after']);
    return Number.isFinite(after) && after > 0 ? { afterMs: Math.min(after, 60) * 1000 } : {};
}
/**
 * For idempotent calls: retries network failures and transient statuses with the one retry policy, and resolves with
 * the first accepted answer. Anything else becomes a StatusError or NetworkError naming the call.
 */
async function callWithRetry(req) {
    return (0,_retry_js__WEBPACK_IMPORTED_MODULE_2__/* .withRetry */ .bD)(async () => {
        const res = await call({ ...req, timeoutMs: budget(req) });
        if (req.accept(res.status))
            return res;
        throw new StatusError(res.call, res.status, res.text, res.headers, req.hint?.(res.status, res.text) ?? '');
    }, {
        what: describeCall(req.method, req.url),
        transient: (err) => err instanceof NetworkError
            ? {}
            : err instanceof StatusError
                ? transientStatus(err.status, err.headers)
                : false,
        log: req.log,
        policy: req.policy ?? _retry_js__WEBPACK_IMPORTED_MODULE_2__/* .DEFAULT_RETRY */ .vI,
        deadline: req.deadline,
    });
}
/** The per-attempt timeout, shortened so that no attempt runs past the caller's deadline. */
function budget(req) {
    const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (req.deadline === undefined)
        return timeout;
    return Math.max(1, Math.min(timeout, req.deadline - Date.now()));
}


/***/ }),

/***/ 9809:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bD: () => (/* binding */ withRetry),
/* harmony export */   vI: () => (/* binding */ DEFAULT_RETRY),
/* harmony export */   w1: () => (/* binding */ RetriesExhausted)
/* harmony export */ });
/* unused harmony export backoffMs */
/**
 * The one retry policy of the action: a few attempts with exponential backoff and full jitter, for failures the
 * caller classifies as transient, never past a deadline. A retry is logged once per call (the first one), not per
 * attempt, so a flaky minute does not flood the log; the final error says how many attempts were made.
 *
 * Octokit's own plugins (plugin-retry, plugin-throttling) retry GitHub calls; everything else comes through here.
 */
const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 500, maxDelayMs: 4000 };
class RetriesExhausted extends Error {
    attempts;
    last;
    constructor(attempts, last) {
        super(`${last instanceof Error ? last.message : String(last)} (after ${attempts} attempts)`);
        this.attempts = attempts;
        this.last = last;
        this.name = 'RetriesExhausted';
    }
}
/** The error as one line that names the call once, whether or not the error's message already does. */
function describe(what, err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.startsWith(what) ? message : `${what}: ${message}`;
}
const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The wait before attempt `attempt + 1` (attempt counts from 1): full jitter over the capped exponential. */
function backoffMs(policy, attempt, random = Math.random) {
    const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + (random() * cap) / 2);
}
/**
 * Runs `fn` until it succeeds, fails with a non-transient error (rethrown as it is), or the attempts or the deadline
 * run out (then a RetriesExhausted wrapping the last error, whose message ends with the attempt count).
 */
async function withRetry(fn, o) {
    const policy = o.policy ?? DEFAULT_RETRY;
    const sleep = o.sleep ?? realSleep;
    const now = o.now ?? Date.now;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (err) {
            const verdict = o.transient(err);
            if (verdict === false)
                throw err;
            const wait = Math.max(verdict.afterMs ?? 0, backoffMs(policy, attempt, o.random));
            const outOfTime = o.deadline !== undefined && now() + wait >= o.deadline;
            if (attempt >= policy.attempts || outOfTime) {
                if (attempt === 1)
                    throw err;
                throw new RetriesExhausted(attempt, err);
            }
            if (attempt === 1)
                o.log?.(`${describe(o.what, err)}; retrying up to ${policy.attempts - 1} more times`);
            await sleep(wait);
        }
    }
}


/***/ })

};

//# sourceMappingURL=564.index.js.map