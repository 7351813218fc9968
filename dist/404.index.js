export const id = 404;
export const ids = [404];
export const modules = {

/***/ 5404:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createServices: () => (/* binding */ createServices)
});

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
;// CONCATENATED MODULE: ./src/github/client.ts

/** Octokit against GITHUB_API_URL (the runner sets it; GHES and the test emulator rely on it). */
function createOctokit(token) {
    const baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
    return (0,github/* getOctokit */.Q)(token, { baseUrl });
}

// EXTERNAL MODULE: ./src/openfaas/client.ts
var client = __webpack_require__(7602);
;// CONCATENATED MODULE: ./src/commands/services.ts


async function createServices(settings, ctx) {
    // The S3 SDK is the heaviest dependency; load it only for runs that touch a bucket.
    const s3 = settings.assets ? (await Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(735)]).then(__webpack_require__.bind(__webpack_require__, 5735))).createS3Client(settings.assets) : undefined;
    if (!settings.github.token)
        throw new Error("input 'github-token' is empty: pass ${{ github.token }} (the default) or a token with pull-requests and deployments write access");
    return {
        settings,
        ctx,
        gateway: new client/* GatewayClient */.KZ(settings.gateway),
        octokit: createOctokit(settings.github.token),
        s3,
        now: () => new Date(),
    };
}


/***/ }),

/***/ 7602:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   KZ: () => (/* binding */ GatewayClient),
/* harmony export */   bs: () => (/* binding */ waitUntilReady)
/* harmony export */ });
/* unused harmony export GatewayError */
class GatewayError extends Error {
    method;
    path;
    status;
    body;
    constructor(method, path, status, body) {
        super(`OpenFaaS gateway ${method} ${path} answered ${status}${body ? `: ${body.trim().slice(0, 300)}` : ''}${hint(status)}`);
        this.method = method;
        this.path = path;
        this.status = status;
        this.body = body;
        this.name = 'GatewayError';
    }
}
function hint(status) {
    if (status === 401)
        return " (check 'gateway-username' and 'gateway-password')";
    return '';
}
const OK = new Set([200, 201, 202, 204]);
class GatewayClient {
    settings;
    auth;
    constructor(settings) {
        this.settings = settings;
        this.auth = 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64');
    }
    get namespace() {
        return this.settings.namespace;
    }
    async request(method, path, body) {
        const res = await fetch(this.settings.url + path, {
            method,
            headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, text: await res.text() };
    }
    nsQuery() {
        return this.settings.namespace ? `?namespace=${encodeURIComponent(this.settings.namespace)}` : '';
    }
    async info() {
        const res = await this.request('GET', '/system/info');
        if (!OK.has(res.status))
            throw new GatewayError('GET', '/system/info', res.status, res.text);
        return JSON.parse(res.text);
    }
    /** Community Edition names its provider `*-ce` (faas-netes-ce, faasd-ce). */
    async edition() {
        const provider = (await this.info()).provider?.provider ?? '';
        return provider.endsWith('-ce') ? 'community' : 'pro';
    }
    async list() {
        const path = `/system/functions${this.nsQuery()}`;
        const res = await this.request('GET', path);
        if (!OK.has(res.status))
            throw new GatewayError('GET', path, res.status, res.text);
        return JSON.parse(res.text) ?? [];
    }
    async get(name) {
        const path = `/system/function/${encodeURIComponent(name)}${this.nsQuery()}`;
        const res = await this.request('GET', path);
        if (res.status === 404)
            return undefined;
        if (!OK.has(res.status))
            throw new GatewayError('GET', path, res.status, res.text);
        return JSON.parse(res.text);
    }
    /** Update in place when the function exists, create it otherwise; returns which one happened. */
    async deploy(spec) {
        const body = this.settings.namespace ? { ...spec, namespace: this.settings.namespace } : spec;
        const put = await this.request('PUT', '/system/functions', body);
        if (OK.has(put.status))
            return 'updated';
        if (put.status !== 404)
            throw new GatewayError('PUT', '/system/functions', put.status, put.text);
        const post = await this.request('POST', '/system/functions', body);
        if (OK.has(post.status))
            return 'created';
        throw new GatewayError('POST', '/system/functions', post.status, post.text);
    }
    /** Deletes the function; false when it did not exist. faas-netes reads the namespace from the query, faasd from the body. */
    async remove(name) {
        const path = `/system/functions${this.nsQuery()}`;
        const body = { functionName: name };
        if (this.settings.namespace)
            body.namespace = this.settings.namespace;
        const res = await this.request('DELETE', path, body);
        if (res.status === 404)
            return false;
        if (!OK.has(res.status))
            throw new GatewayError('DELETE', path, res.status, res.text);
        return true;
    }
    async scale(name, replicas) {
        const path = `/system/scale-function/${encodeURIComponent(name)}${this.nsQuery()}`;
        const body = { serviceName: name, replicas };
        if (this.settings.namespace)
            body.namespace = this.settings.namespace;
        const res = await this.request('POST', path, body);
        if (!OK.has(res.status))
            throw new GatewayError('POST', path, res.status, res.text);
    }
}
/**
 * Polls until the function reports an available replica (a missing key means 0). On timeout the error carries the
 * last status seen, so the log says whether the function was missing, unscheduled or just slow.
 */
async function waitUntilReady(client, name, opts) {
    const now = opts.now ?? Date.now;
    const sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    const deadline = now() + opts.timeoutMs;
    let interval = opts.intervalMs ?? 250;
    for (;;) {
        const status = await client.get(name);
        if ((status?.availableReplicas ?? 0) >= 1)
            return status;
        if (now() >= deadline) {
            const seen = status
                ? `replicas=${status.replicas ?? 0}, availableReplicas=${status.availableReplicas ?? 0}, image=${status.image}`
                : 'the gateway does not know the function';
            throw new Error(`function '${name}' had no available replica after ${Math.round(opts.timeoutMs / 1000)}s (input 'ready-timeout'); last status: ${seen}`);
        }
        await sleep(Math.min(interval, Math.max(0, deadline - now())));
        interval = Math.min(interval * 2, 2000);
    }
}


/***/ })

};
