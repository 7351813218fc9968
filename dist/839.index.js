export const id = 839;
export const ids = [839];
export const modules = {

/***/ 3839:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SCALE_ZERO_LABEL: () => (/* binding */ SCALE_ZERO_LABEL),
/* harmony export */   deploy: () => (/* binding */ deploy),
/* harmony export */   functionSpec: () => (/* binding */ functionSpec)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3360);
/* harmony import */ var _decide_event_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1384);
/* harmony import */ var _decide_quota_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1504);
/* harmony import */ var _github_comment_text_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7420);
/* harmony import */ var _github_comment_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7318);
/* harmony import */ var _github_deployments_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(6887);
/* harmony import */ var _github_pulls_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(4487);
/* harmony import */ var _image_build_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6489);
/* harmony import */ var _naming_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(8499);
/* harmony import */ var _openfaas_client_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7602);
/* harmony import */ var _report_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(665);
/** deploy: guards → image → function → readiness → assets → comment and deployment → outputs. Orchestration only. */











const SCALE_ZERO_LABEL = 'com.openfaas.scale.zero';
/** The FunctionDeployment body for a preview: user labels first, so ours (the contract) always win. */
function functionSpec(settings, o) {
    const labels = { ...settings.fn.labels, ...(0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .previewLabels */ .wH)(o.owner, o.repo, o.pr, o.sha) };
    // Community Edition refuses com.openfaas.scale.zero* with 400; Pro and Edge wake a function at zero on its next request.
    if (o.edition === 'pro')
        labels[SCALE_ZERO_LABEL] = 'true';
    else
        delete labels[SCALE_ZERO_LABEL];
    return {
        service: o.name,
        image: o.image,
        envVars: settings.fn.envVars,
        labels,
        annotations: { ...settings.fn.annotations, [_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .ANNOTATIONS */ .BC.deployedAt]: o.now.toISOString(), [_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .ANNOTATIONS */ .BC.url]: o.url },
        secrets: settings.fn.secrets,
        limits: { memory: settings.fn.memoryLimit, cpu: settings.fn.cpuLimit },
    };
}
async function deploy(s) {
    const { settings, ctx, gateway, octokit } = s;
    const pr = ctx.pr;
    if (!pr)
        throw new Error(`command 'deploy' needs a pull_request or pull_request_target event, got '${ctx.eventName}'`);
    const guard = (0,_decide_event_js__WEBPACK_IMPORTED_MODULE_1__/* .deployGuard */ .fi)({
        eventName: ctx.eventName,
        baseRepo: `${ctx.repo.owner}/${ctx.repo.repo}`,
        headRepo: pr.headRepo,
        labels: pr.labels,
        gateLabel: settings.label,
        allowForkBuilds: settings.allowForkBuilds,
    });
    if (guard.kind === 'skip')
        return skip(guard.reason, guard.level);
    // The event may be minutes old (queued runs, re-runs): deploy only what the PR's head still is.
    const live = await (0,_github_pulls_js__WEBPACK_IMPORTED_MODULE_9__/* .getPull */ .C)(octokit, ctx.repo, pr.number);
    if (live.state !== 'open')
        return skip(`PR #${pr.number} is ${live.state}; a closed PR gets no preview`, 'notice');
    if (live.headSha !== pr.headSha) {
        return skip(`superseded: PR #${pr.number} head is now ${live.headSha.slice(0, 7)}, this run is for ${pr.headSha.slice(0, 7)}; the newer push deploys`, 'notice');
    }
    const name = (0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .previewName */ .gz)(settings.app, pr.number);
    const url = (0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .previewUrl */ .e6)(settings.urlTemplate, name, pr.number, pr.headSha);
    const edition = await gateway.edition();
    const functions = await gateway.list();
    const quota = (0,_decide_quota_js__WEBPACK_IMPORTED_MODULE_2__/* .quotaDecision */ .J)({
        name,
        app: settings.app,
        managed: functions.filter((f) => (0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .isManagedBy */ .xr)(f.labels, ctx.repo.owner, ctx.repo.repo)).map((f) => f.name),
        maxPreviews: settings.sweep.maxPreviews,
        edition,
    });
    const time = () => s.now().toISOString();
    if (quota.kind === 'refuse') {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`preview ${name} refused: ${quota.holders.length} previews already hold the ${quota.limit} slots (input 'max-previews')`);
        if (settings.github.comment) {
            await (0,_github_comment_js__WEBPACK_IMPORTED_MODULE_4__/* .upsertComment */ .l)(octokit, ctx.repo, pr.number, name, (0,_github_comment_text_js__WEBPACK_IMPORTED_MODULE_3__/* .renderComment */ .w)({ state: 'refused', name, runUrl: ctx.runUrl, time: time(), limit: quota.limit, holders: quota.holders }));
        }
        await (0,_report_js__WEBPACK_IMPORTED_MODULE_8__/* .writeOutputs */ .K)({ result: 'refused', name }, 'Preview refused');
        return;
    }
    const image = settings.build.builder === 'none' ? settings.build.prebuiltImage : (0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .imageTag */ .I_)(settings.build.repository, pr.number, pr.headSha);
    const facts = { name, url, sha: pr.headSha, image, runUrl: ctx.runUrl, time: time() };
    try {
        if (settings.build.builder !== 'none') {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Building ${image} with ${settings.build.builder}`);
            await (0,_image_build_js__WEBPACK_IMPORTED_MODULE_5__/* .buildAndPush */ .sf)(settings.build, image);
        }
        const spec = functionSpec(settings, { name, image, owner: ctx.repo.owner, repo: ctx.repo.repo, pr: pr.number, sha: pr.headSha, url, edition, now: s.now() });
        const how = await gateway.deploy(spec);
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Function ${name} ${how} on the gateway (${edition} edition); waiting for a ready replica`);
        await (0,_openfaas_client_js__WEBPACK_IMPORTED_MODULE_7__/* .waitUntilReady */ .bs)(gateway, name, { timeoutMs: settings.fn.readyTimeoutMs });
        let assets;
        if (settings.assets?.staticDir && s.s3) {
            const { syncAssets } = await Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(86), __webpack_require__.e(370)]).then(__webpack_require__.bind(__webpack_require__, 3370));
            const a = settings.assets;
            const result = await syncAssets(s.s3, {
                bucket: a.bucket,
                prefix: (0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .bucketPrefix */ .TU)(name),
                dir: a.staticDir,
                includeDotfiles: a.includeDotfiles,
                cacheControl: a.cacheControl,
                cacheControlFingerprinted: a.cacheControlFingerprinted,
                concurrency: a.concurrency,
                log: (line) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(line),
            });
            assets = { uploaded: result.uploaded, skipped: result.skipped, deleted: result.deleted };
        }
        if (settings.github.comment) {
            await (0,_github_comment_js__WEBPACK_IMPORTED_MODULE_4__/* .upsertComment */ .l)(octokit, ctx.repo, pr.number, name, (0,_github_comment_text_js__WEBPACK_IMPORTED_MODULE_3__/* .renderComment */ .w)({ state: 'deployed', ...facts, assets }));
        }
        if (settings.github.deployment) {
            await (0,_github_deployments_js__WEBPACK_IMPORTED_MODULE_10__/* .markDeployed */ .q)(octokit, ctx.repo, {
                environment: (0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .environmentName */ .VE)(name),
                sha: pr.headSha,
                url,
                logUrl: ctx.runUrl,
                description: `Preview of #${pr.number} at ${pr.headSha.slice(0, 7)}`,
            });
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Preview ready: ${url}`);
        await (0,_report_js__WEBPACK_IMPORTED_MODULE_8__/* .writeOutputs */ .K)({ result: 'deployed', name, url, image, bucketPrefix: settings.assets ? (0,_naming_js__WEBPACK_IMPORTED_MODULE_6__/* .bucketPrefix */ .TU)(name) : undefined }, 'Preview deployed', [['Commit', `<code>${pr.headSha.slice(0, 7)}</code>`]]);
    }
    catch (err) {
        if (settings.github.comment) {
            await (0,_github_comment_js__WEBPACK_IMPORTED_MODULE_4__/* .upsertComment */ .l)(octokit, ctx.repo, pr.number, name, (0,_github_comment_text_js__WEBPACK_IMPORTED_MODULE_3__/* .renderComment */ .w)({ state: 'failed', ...facts, error: err.message })).catch((e) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`could not update the PR comment after the failure: ${e.message}`));
        }
        throw err;
    }
}
async function skip(reason, level) {
    if (level === 'warning')
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(reason);
    else
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .notice */ .lm(reason);
    await (0,_report_js__WEBPACK_IMPORTED_MODULE_8__/* .writeOutputs */ .K)({ result: 'skipped' }, 'Preview skipped', [['Reason', reason]]);
}


/***/ }),

/***/ 1504:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* binding */ quotaDecision),
/* harmony export */   lm: () => (/* binding */ effectiveLimit)
/* harmony export */ });
/* unused harmony export CE_FUNCTION_LIMIT */
/* harmony import */ var _naming_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8499);

/** Community Edition's hard cap on functions per gateway. */
const CE_FUNCTION_LIMIT = 15;
function effectiveLimit(maxPreviews, edition) {
    return maxPreviews ?? (edition === 'community' ? CE_FUNCTION_LIMIT : 0);
}
function quotaDecision(q) {
    const limit = effectiveLimit(q.maxPreviews, q.edition);
    // Updating an existing preview never needs a new slot.
    if (limit === 0 || q.managed.includes(q.name) || q.managed.length < limit)
        return { kind: 'allow' };
    const holders = q.managed
        .map((name) => ({ name, pr: (0,_naming_js__WEBPACK_IMPORTED_MODULE_0__/* .prFromName */ .OS)(q.app, name) ?? 0 }))
        .sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));
    return { kind: 'refuse', limit, holders };
}


/***/ }),

/***/ 7420:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   w: () => (/* binding */ renderComment)
/* harmony export */ });
/* harmony import */ var _naming_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8499);
/** What the PR comment says, for each state of a preview. Pure: rendering only, no I/O. */

const HEADING = '### Preview';
function footer(runUrl, time) {
    return `<sub>Updated ${time} by [this run](${runUrl}) of faas-preview.</sub>`;
}
/** Keeps user-controlled text from breaking out of a table cell or a code span. */
function cell(text) {
    return text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/`/g, "'");
}
function renderComment(view) {
    const lines = [(0,_naming_js__WEBPACK_IMPORTED_MODULE_0__/* .commentMarker */ .Ql)(view.name)];
    switch (view.state) {
        case 'deployed':
            lines.push(`${HEADING} is ready: **${view.url}**`, '', '| | |', '|---|---|', `| URL | ${view.url} |`, `| Commit | \`${view.sha.slice(0, 7)}\` |`, `| Image | \`${cell(view.image)}\` |`, `| Function | \`${view.name}\` |`);
            if (view.assets) {
                const a = view.assets;
                lines.push(`| Static assets | ${a.uploaded} uploaded, ${a.skipped} unchanged, ${a.deleted} removed |`);
            }
            lines.push(`| Deployed | ${view.time} |`, '', footer(view.runUrl, view.time));
            break;
        case 'failed':
            lines.push(`${HEADING} failed to deploy commit \`${view.sha.slice(0, 7)}\`.`, '', `> ${cell(view.error)}`, '', `See [the run](${view.runUrl}) for the full log. The previous preview, if any, may still answer at ${view.url}.`, '', footer(view.runUrl, view.time));
            break;
        case 'torn-down':
            lines.push(`${HEADING} \`${view.name}\` was torn down: ${view.reason}. Its function, static assets and deployment are gone.`, '', footer(view.runUrl, view.time));
            break;
        case 'sleeping':
            lines.push(`${HEADING} \`${view.name}\` is asleep: nobody called it for ${view.idleFor}, so its function was removed to free capacity. The static assets are kept.`, '', `To wake it, push a commit or re-run the preview workflow for this PR; it will answer again at ${view.url}.`, '', footer(view.runUrl, view.time));
            break;
        case 'refused':
            lines.push(`${HEADING} was not created: this gateway already runs ${view.holders.length} previews and the limit is ${view.limit} (input \`max-previews\`).`, '', 'The slots are held by:', ...view.holders.map((h) => `- #${h.pr} (\`${h.name}\`)`), '', 'Close one of those PRs (or wait for the idle sweeper to clean up), then push or re-run the workflow.', '', footer(view.runUrl, view.time));
            break;
    }
    return lines.join('\n');
}


/***/ }),

/***/ 7318:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   l: () => (/* binding */ upsertComment)
/* harmony export */ });
/* unused harmony export findComment */
/* harmony import */ var _naming_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8499);
/** The one PR comment per preview: found by its hidden marker across every page of comments, edited in place. */

async function findComment(octokit, repo, pr, name) {
    const marker = (0,_naming_js__WEBPACK_IMPORTED_MODULE_0__/* .commentMarker */ .Ql)(name);
    let found;
    await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: pr, per_page: 100 }, (res, done) => {
        const hit = res.data.find((c) => c.body?.startsWith(marker));
        if (hit) {
            found = hit.id;
            done();
        }
        return [];
    });
    return found;
}
/** Returns the comment id, or undefined when mode is update-only and no comment existed. */
async function upsertComment(octokit, repo, pr, name, body, mode = 'create-or-update') {
    const id = await findComment(octokit, repo, pr, name);
    if (id !== undefined) {
        await octokit.rest.issues.updateComment({ ...repo, comment_id: id, body });
        return id;
    }
    if (mode === 'update-only')
        return undefined;
    const created = await octokit.rest.issues.createComment({ ...repo, issue_number: pr, body });
    return created.data.id;
}


/***/ }),

/***/ 6887:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   d: () => (/* binding */ markInactive),
/* harmony export */   q: () => (/* binding */ markDeployed)
/* harmony export */ });
async function markDeployed(octokit, repo, mark) {
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
        description: mark.description,
    });
    if (created.status !== 201 || !('id' in created.data)) {
        throw new Error(`GitHub did not create the deployment for ${mark.environment}: ${JSON.stringify(created.data)}`);
    }
    const id = created.data.id;
    await octokit.rest.repos.createDeploymentStatus({
        ...repo,
        deployment_id: id,
        state: 'success',
        environment_url: mark.url,
        log_url: mark.logUrl,
        description: mark.description,
    });
    // GitHub's auto_inactive skips transient environments, so the previous commit's preview is retired here.
    await markInactive(octokit, repo, mark.environment, mark.logUrl, id);
    return id;
}
/**
 * Marks every deployment of the environment but `keep` inactive; returns how many changed. Safe when there are none.
 * Deployments come newest first and each run retires all older ones, so the first inactive one ends the walk:
 * a PR with fifty pushes costs a few requests, not a hundred.
 */
async function markInactive(octokit, repo, environment, logUrl, keep) {
    let changed = 0;
    const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, { ...repo, environment, per_page: 100 });
    for await (const page of pages) {
        for (const d of page.data) {
            if (d.id === keep)
                continue;
            const [latest] = (await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 })).data;
            if (latest?.state === 'inactive')
                return changed;
            await octokit.rest.repos.createDeploymentStatus({
                ...repo,
                deployment_id: d.id,
                state: 'inactive',
                log_url: logUrl,
                description: keep === undefined ? 'Preview torn down' : 'Replaced by a newer commit',
            });
            changed++;
        }
    }
    return changed;
}


/***/ }),

/***/ 4487:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C: () => (/* binding */ getPull),
/* harmony export */   j: () => (/* binding */ listOpenPulls)
/* harmony export */ });
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


/***/ }),

/***/ 6489:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   U$: () => (/* binding */ registryHost),
/* harmony export */   sf: () => (/* binding */ buildAndPush)
/* harmony export */ });
/* unused harmony export buildCommands */
/* harmony import */ var _actions_exec__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2876);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/**
 * Build and push the preview image with the builder the user chose. The registry password goes through stdin
 * (`login --password-stdin`), never argv, so it cannot show in the process list or the echoed command line.
 */


const execRun = async (cmd, args, options) => {
    await _actions_exec__WEBPACK_IMPORTED_MODULE_0__/* .exec */ .m(cmd, args, { input: options?.input });
};
function registryHost(repository) {
    return repository.split('/')[0];
}
/** The argv of each step, apart from running them so the choice is testable without a builder. */
function buildCommands(b, tag) {
    if (b.builder === 'none')
        return [];
    const tls = b.registryInsecure && b.builder !== 'docker' ? ['--tls-verify=false'] : [];
    const steps = [];
    if (b.registryUsername && b.registryPassword) {
        steps.push({
            cmd: b.builder,
            args: ['login', ...tls, '--username', b.registryUsername, '--password-stdin', registryHost(b.repository)],
            input: Buffer.from(b.registryPassword),
        });
    }
    const buildArgs = Object.entries(b.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    const dockerfile = node_path__WEBPACK_IMPORTED_MODULE_1__.resolve(b.context, b.dockerfile);
    const verb = b.builder === 'buildah' ? 'bud' : 'build';
    steps.push({ cmd: b.builder, args: [verb, '--file', dockerfile, '--tag', tag, ...buildArgs, b.context] });
    steps.push({ cmd: b.builder, args: ['push', ...tls, tag] });
    return steps;
}
async function buildAndPush(b, tag, run = execRun) {
    for (const step of buildCommands(b, tag)) {
        try {
            await run(step.cmd, step.args, { input: step.input });
        }
        catch (err) {
            throw new Error(`'${step.cmd} ${step.args[0]}' failed for ${tag}: ${err.message}`);
        }
    }
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
