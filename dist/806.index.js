export const id = 806;
export const ids = [806,425];
export const modules = {

/***/ 1425:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  teardown: () => (/* binding */ teardown),
  teardownPreview: () => (/* binding */ teardownPreview)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./src/github/comment-text.ts
var comment_text = __webpack_require__(7420);
// EXTERNAL MODULE: ./src/github/comment.ts
var comment = __webpack_require__(7318);
// EXTERNAL MODULE: ./src/github/deployments.ts
var deployments = __webpack_require__(6887);
// EXTERNAL MODULE: ./src/image/build.ts
var build = __webpack_require__(6489);
;// CONCATENATED MODULE: ./src/image/registry.ts

const MANIFEST_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
function target(b) {
    const host = (0,build/* registryHost */.U$)(b.repository);
    return {
        base: `${b.registryInsecure ? 'http' : 'https'}://${host}/v2/`,
        name: b.repository.slice(host.length + 1),
        basic: b.registryUsername && b.registryPassword ? 'Basic ' + Buffer.from(`${b.registryUsername}:${b.registryPassword}`).toString('base64') : undefined,
    };
}
function parseChallenge(header) {
    if (!/^bearer\s/i.test(header))
        return undefined;
    const params = {};
    for (const m of header.matchAll(/(\w+)="([^"]*)"/g))
        params[m[1]] = m[2];
    return params.realm ? params : undefined;
}
class RegistryApi {
    t;
    bearer;
    constructor(t) {
        this.t = t;
    }
    async call(method, path, headers = {}) {
        const send = () => fetch(this.t.base + path, {
            method,
            headers: { ...headers, ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : this.t.basic ? { authorization: this.t.basic } : {}) },
        });
        let res = await send();
        const challenge = res.status === 401 ? parseChallenge(res.headers.get('www-authenticate') ?? '') : undefined;
        if (challenge && !this.bearer) {
            await res.arrayBuffer();
            const scope = `repository:${this.t.name}:pull,delete`;
            const url = new URL(challenge.realm);
            if (challenge.service)
                url.searchParams.set('service', challenge.service);
            url.searchParams.set('scope', scope);
            const tokenRes = await fetch(url, { headers: this.t.basic ? { authorization: this.t.basic } : {} });
            if (!tokenRes.ok)
                throw new Error(`registry token request to ${url.origin} answered ${tokenRes.status}`);
            const body = (await tokenRes.json());
            this.bearer = body.token ?? body.access_token;
            res = await send();
        }
        return res;
    }
}
async function deletePrTags(b, pr) {
    const api = new RegistryApi(target(b));
    const name = target(b).name;
    const tags = [];
    let next = `${name}/tags/list?n=1000`;
    while (next) {
        const res = await api.call('GET', next);
        if (res.status === 404)
            return { deleted: [] };
        if (!res.ok)
            throw new Error(`registry GET ${name}/tags/list answered ${res.status}`);
        tags.push(...((await res.json()).tags ?? []));
        const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
        next = link ? link[1].replace(/^\/v2\//, '') : undefined;
    }
    const prefix = `pr-${pr}-`;
    const deleted = [];
    for (const tag of tags.filter((t) => t.startsWith(prefix))) {
        const head = await api.call('HEAD', `${name}/manifests/${tag}`, { accept: MANIFEST_TYPES });
        if (head.status === 404)
            continue;
        const digest = head.headers.get('docker-content-digest');
        if (!head.ok || !digest)
            throw new Error(`registry HEAD ${name}/manifests/${tag} answered ${head.status} without a digest`);
        const del = await api.call('DELETE', `${name}/manifests/${digest}`);
        if (del.status === 405)
            return { deleted, unsupported: `the registry does not allow deletes (405); ${name}:${tag} stays` };
        if (!del.ok && del.status !== 404)
            throw new Error(`registry DELETE ${name}/manifests/${digest} answered ${del.status}`);
        deleted.push(tag);
    }
    return { deleted };
}

// EXTERNAL MODULE: ./src/naming.ts
var naming = __webpack_require__(8499);
// EXTERNAL MODULE: ./src/report.ts
var src_report = __webpack_require__(665);
;// CONCATENATED MODULE: ./src/commands/teardown.ts
/**
 * teardown: function → assets → image tags → deployments → comment. Every step tolerates "already gone", so it
 * succeeds when nothing was deployed and when it runs twice; the sweeper reuses it for previews of closed PRs.
 */







async function teardownPreview(s, pr, reason) {
    const { settings, ctx, gateway, octokit } = s;
    const name = (0,naming/* previewName */.gz)(settings.app, pr);
    const functionDeleted = await gateway.remove(name);
    core/* info */.pq(functionDeleted ? `Function ${name} deleted` : `Function ${name} was not on the gateway`);
    let objectsDeleted = 0;
    if (settings.assets && s.s3) {
        const { deletePrefix } = await Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(86), __webpack_require__.e(370)]).then(__webpack_require__.bind(__webpack_require__, 3370));
        objectsDeleted = (await deletePrefix(s.s3, settings.assets.bucket, (0,naming/* bucketPrefix */.TU)(name))).deleted;
        core/* info */.pq(`Deleted ${objectsDeleted} objects under s3://${settings.assets.bucket}/${(0,naming/* bucketPrefix */.TU)(name)}`);
    }
    let tagsDeleted = [];
    if (settings.build.deleteImage && settings.build.builder !== 'none') {
        const cleanup = await deletePrTags(settings.build, pr);
        tagsDeleted = cleanup.deleted;
        if (cleanup.unsupported)
            core/* warning */.$e(cleanup.unsupported);
        core/* info */.pq(`Deleted image tags: ${tagsDeleted.join(', ') || 'none'}`);
    }
    let deploymentsInactivated = 0;
    if (settings.github.deployment)
        deploymentsInactivated = await (0,deployments/* markInactive */.d)(octokit, ctx.repo, (0,naming/* environmentName */.VE)(name), ctx.runUrl);
    let commented = false;
    if (settings.github.comment) {
        // Only edit an existing comment: a PR that never had a preview gets no comment on close.
        const body = (0,comment_text/* renderComment */.w)({ state: 'torn-down', name, runUrl: ctx.runUrl, time: s.now().toISOString(), reason });
        commented = (await (0,comment/* upsertComment */.l)(octokit, ctx.repo, pr, name, body, 'update-only')) !== undefined;
    }
    return { name, functionDeleted, objectsDeleted, tagsDeleted, deploymentsInactivated, commented };
}
async function teardown(s) {
    const pr = s.ctx.pr;
    if (!pr)
        throw new Error(`command 'teardown' needs a pull_request or pull_request_target event, got '${s.ctx.eventName}'`);
    const report = await teardownPreview(s, pr.number, pr.merged ? `PR #${pr.number} was merged` : `PR #${pr.number} was closed`);
    await (0,src_report/* writeOutputs */.K)({ result: 'torn-down', name: report.name, bucketPrefix: s.settings.assets ? (0,naming/* bucketPrefix */.TU)(report.name) : undefined }, 'Preview torn down', [
        ['Function', report.functionDeleted ? 'deleted' : 'was already gone'],
        ['Objects deleted', String(report.objectsDeleted)],
        ['Image tags deleted', report.tagsDeleted.join(', ') || 'none'],
        ['Deployments marked inactive', String(report.deploymentsInactivated)],
    ]);
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


/***/ })

};
