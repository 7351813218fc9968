export const id = 96;
export const ids = [96];
export const modules = {

/***/ 96:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  sweep: () => (/* binding */ sweep)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var core = __webpack_require__(3360);
// EXTERNAL MODULE: ./src/decide/quota.ts
var quota = __webpack_require__(1504);
// EXTERNAL MODULE: ./src/github/comment-text.ts
var comment_text = __webpack_require__(7420);
// EXTERNAL MODULE: ./src/github/comment.ts
var github_comment = __webpack_require__(7318);
// EXTERNAL MODULE: ./src/github/pulls.ts
var pulls = __webpack_require__(4487);
// EXTERNAL MODULE: ./src/naming.ts
var naming = __webpack_require__(8499);
// EXTERNAL MODULE: ./src/report.ts
var report = __webpack_require__(665);
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
    return typeof e === 'object' && e !== null && Number.isFinite(e.count) && e.count >= 0 && parseTime(e.changedAt) !== undefined;
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
    return { text: `${when}; ${note}`, at, idle: ago >= i.idleAfterMs, idleFor: formatDuration(Math.max(0, ago)), observed };
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
function planSweep(i) {
    const mode = i.increases ? 'prometheus' : 'state';
    const previous = i.previous ?? {};
    const idleAfter = formatDuration(i.idleAfterMs);
    const actions = [];
    for (const f of [...i.functions].sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name))) {
        const activity = i.increases ? prometheusActivity(f, i.increases, i) : stateActivity(f, previous, i);
        const base = { name: f.name, pr: f.pr, lastActivity: activity.text, lastActivityAt: activity.at, observed: activity.observed };
        const act = (decision, reason, idleFor) => ({ ...base, decision, reason, ...(idleFor ? { idleFor } : {}) });
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
    const orphans = [];
    for (const raw of i.prefixes) {
        const name = raw.replace(/\/+$/, '');
        if (!name || name.includes('/') || seen.has(name))
            continue;
        seen.add(name);
        const pr = (0,naming/* prFromName */.OS)(i.app, name);
        // Open PR without a function: a sleeping Community Edition preview, whose assets are kept on purpose.
        if (pr === undefined || i.openPulls.has(pr) || functionNames.has(name))
            continue;
        orphans.push({ name, pr, prefix: `${name}/` });
    }
    orphans.sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));
    if (mode === 'prometheus')
        return { mode, actions, orphans, changed: false };
    const { next, changed } = finalState(actions, i.previous);
    return { mode, actions, orphans, next, changed };
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

;// CONCATENATED MODULE: ./src/commands/sweep.ts
/**
 * sweep: list managed functions once → decide (sweep/plan.ts, pure) → act, one gateway write per acted-on function:
 * scale to zero on Pro/Edge, sleep on Community Edition (delete the function, keep the assets, say so on the PR),
 * full teardown for closed PRs and expired previews, delete orphan prefixes. `dry-run` decides and changes nothing.
 */








/** Acted-on previews handled at once: enough to sweep hundreds quickly, few enough for GitHub's secondary limits. */
const ACT_CONCURRENCY = 4;
function deployedAt(f) {
    for (const text of [f.annotations?.[naming/* ANNOTATIONS */.BC.deployedAt], f.createdAt]) {
        const ms = text ? Date.parse(text) : NaN;
        if (Number.isFinite(ms))
            return ms;
    }
    return undefined;
}
async function eachLimited(items, limit, fn) {
    let next = 0;
    const worker = async () => {
        while (next < items.length)
            await fn(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
async function sweep(s) {
    const { settings, ctx, gateway, octokit } = s;
    const sw = settings.sweep;
    const { idleSource, listTopPrefixes, loadState, saveState, stateKey } = await Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(86), __webpack_require__.e(645)]).then(__webpack_require__.bind(__webpack_require__, 7026));
    const source = idleSource(settings);
    const bucket = settings.assets && s.s3 ? { client: s.s3, name: settings.assets.bucket } : undefined;
    const key = stateKey(sw.statePrefix);
    // The only function listing of the run: everything below works from it.
    const listed = await gateway.list();
    const edition = await gateway.edition();
    const ours = listed.filter((f) => (0,naming/* isManagedBy */.xr)(f.labels, ctx.repo.owner, ctx.repo.repo));
    const byName = new Map();
    const managed = [];
    for (const f of ours) {
        const pr = (0,naming/* prFromName */.OS)(settings.app, f.name);
        if (pr === undefined) {
            core/* info */.pq(`${f.name}: managed by this repository but not named ${settings.app}-pr-<n> (input 'app'); left alone`);
            continue;
        }
        byName.set(f.name, f);
        managed.push({ name: f.name, pr, replicas: f.replicas, invocationCount: f.invocationCount, deployedAt: deployedAt(f) });
    }
    const openPulls = await (0,pulls/* listOpenPulls */.j)(octokit, ctx.repo);
    let previous;
    let increases;
    if (source === 'prometheus') {
        const { queryIncreases } = await __webpack_require__.e(/* import() */ 842).then(__webpack_require__.bind(__webpack_require__, 7842));
        increases = await queryIncreases(sw.prometheusUrl, sw.idleAfterMs, settings.gateway.namespace);
    }
    else {
        const loaded = await loadState(bucket.client, bucket.name, key);
        if (loaded.warning)
            core/* warning */.$e(loaded.warning);
        previous = loaded.memory;
    }
    const prefixes = bucket ? await listTopPrefixes(bucket.client, bucket.name) : [];
    const now = s.now();
    const plan = planSweep({
        functions: managed,
        previous,
        increases,
        openPulls,
        prefixes,
        app: settings.app,
        edition,
        now: now.getTime(),
        idleAfterMs: sw.idleAfterMs,
        maxAgeMs: sw.maxAgeMs,
    });
    const dry = sw.dryRun ? '[dry-run] ' : '';
    core/* info */.pq(`${dry}Sweeping ${managed.length} previews on a ${edition === 'pro' ? 'Pro/Edge' : 'Community Edition'} gateway, ${openPulls.size} open PRs, ` +
        `idleness from ${source === 'prometheus' ? 'Prometheus' : `s3://${bucket.name}/${key}`}, idle-after ${formatDuration(sw.idleAfterMs)}`);
    for (const a of plan.actions)
        core/* info */.pq(`${dry}${a.name} (PR #${a.pr}): ${a.decision}: ${a.reason}; last activity ${a.lastActivity}`);
    for (const o of plan.orphans)
        core/* info */.pq(`${dry}${o.prefix}: delete orphan prefix (PR #${o.pr} is closed and has no function)`);
    const results = new Map();
    const failed = new Set();
    const errors = [];
    const fail = (what, err) => {
        const message = err instanceof Error ? err.message : String(err);
        errors.push(`${what}: ${message}`);
        core/* error */.z3(`${what}: ${message}`);
        return `failed: ${message}`;
    };
    if (!sw.dryRun) {
        await eachLimited(plan.actions.filter((a) => actsOn(a.decision)), ACT_CONCURRENCY, async (a) => {
            try {
                results.set(a.name, await act(s, a, byName.get(a.name)));
                core/* info */.pq(`${a.name}: ${results.get(a.name)}`);
            }
            catch (err) {
                failed.add(a.name);
                results.set(a.name, fail(`${a.name} (${a.decision})`, err));
            }
        });
        await eachLimited(plan.orphans, ACT_CONCURRENCY, async (o) => {
            try {
                const { deletePrefix } = await Promise.all(/* import() */[__webpack_require__.e(711), __webpack_require__.e(86), __webpack_require__.e(370)]).then(__webpack_require__.bind(__webpack_require__, 3370));
                const { deleted } = await deletePrefix(bucket.client, bucket.name, o.prefix);
                results.set(o.prefix, `${deleted} objects deleted`);
                core/* info */.pq(`${o.prefix}: ${deleted} objects deleted`);
            }
            catch (err) {
                results.set(o.prefix, fail(`orphan prefix ${o.prefix}`, err));
            }
        });
        if (plan.mode === 'state') {
            const state = finalState(plan.actions, previous, failed);
            if (state.changed) {
                await saveState(bucket.client, bucket.name, key, state.next, now);
                core/* info */.pq(`State written to s3://${bucket.name}/${key} (${Object.keys(state.next).length} functions)`);
            }
            else {
                core/* info */.pq(`State unchanged; s3://${bucket.name}/${key} not rewritten`);
            }
        }
    }
    const removed = plan.actions.filter((a) => removesFunction(a.decision) && !sw.dryRun && !failed.has(a.name)).length;
    const remaining = ours.length - removed;
    const limit = (0,quota/* effectiveLimit */.lm)(sw.maxPreviews, edition);
    const count = limit > 0 ? `${remaining} of ${limit} (max-previews)` : `${remaining} (no limit)`;
    core/* info */.pq(`Previews on the gateway: ${count}`);
    const rows = [
        ...plan.actions.map((a) => ({
            name: a.name,
            pr: a.pr,
            lastActivity: a.lastActivity,
            decision: `${a.decision}: ${a.reason}`,
            result: actsOn(a.decision) ? (sw.dryRun ? 'dry run: not applied' : results.get(a.name) ?? '') : 'nothing to do',
        })),
        ...plan.orphans.map((o) => ({
            name: o.prefix,
            pr: o.pr,
            lastActivity: '(no function)',
            decision: `delete orphan prefix: PR #${o.pr} is closed`,
            result: sw.dryRun ? 'dry run: not applied' : results.get(o.prefix) ?? '',
        })),
    ];
    const acted = plan.actions.filter((a) => actsOn(a.decision)).length + plan.orphans.length;
    await (0,report/* writeOutputs */.K)({ result: 'swept' }, sw.dryRun ? 'Preview sweep (dry run: nothing changed)' : 'Preview sweep', [
        ['Edition', edition === 'pro' ? 'Pro / Edge (scale to zero)' : 'Community Edition (sleep = delete function, keep assets)'],
        ['Idleness from', source === 'prometheus' ? 'Prometheus' : `<code>s3://${sweep_escape(bucket.name)}/${sweep_escape(key)}</code>`],
        ['Previews', count],
        ['Acted on', `${acted}${errors.length ? ` (${errors.length} failed)` : ''}`],
    ]);
    await writeDecisionTable(rows);
    if (errors.length)
        throw new Error(`${errors.length} of ${acted} sweep actions failed; first: ${errors[0]}`);
}
/** One acted-on function: exactly one gateway write (scale or delete), plus the PR comment. */
async function act(s, a, f) {
    const { settings, ctx, gateway, octokit } = s;
    switch (a.decision) {
        case 'scale-to-zero':
            await gateway.scale(a.name, 0);
            return 'scaled to 0 replicas; the next request wakes it';
        case 'sleep': {
            const gone = await gateway.remove(a.name);
            let comment = '';
            if (settings.github.comment) {
                const url = f.annotations?.[naming/* ANNOTATIONS */.BC.url] || (0,naming/* previewUrl */.e6)(settings.urlTemplate, a.name, a.pr, f.labels?.[naming/* LABELS */.kg.sha] ?? '');
                const body = (0,comment_text/* renderComment */.w)({ state: 'sleeping', name: a.name, url, runUrl: ctx.runUrl, time: s.now().toISOString(), idleFor: a.idleFor ?? formatDuration(settings.sweep.idleAfterMs) });
                // The preview is asleep either way; a comment that could not be edited is worth a warning, not a failed sweep.
                comment = await (0,github_comment/* upsertComment */.l)(octokit, ctx.repo, a.pr, a.name, body).then(() => ', PR comment says it sleeps', (err) => {
                    core/* warning */.$e(`${a.name}: could not update the PR comment: ${err.message}`);
                    return `, PR comment not updated (${err.message})`;
                });
            }
            return `${gone ? 'function deleted' : 'function was already gone'}, assets kept${comment}`;
        }
        case 'teardown': {
            const { teardownPreview } = await __webpack_require__.e(/* import() */ 425).then(__webpack_require__.bind(__webpack_require__, 1425));
            const r = await teardownPreview(s, a.pr, a.reason);
            return `torn down: function ${r.functionDeleted ? 'deleted' : 'was already gone'}, ${r.objectsDeleted} objects deleted, ${r.deploymentsInactivated} deployments inactive`;
        }
        default:
            return 'nothing to do';
    }
}
function sweep_escape(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
async function writeDecisionTable(rows) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    const header = ['Function', 'PR', 'Last activity', 'Decision', 'Result'].map((data) => ({ data, header: true }));
    const body = rows.map((r) => [`<code>${sweep_escape(r.name)}</code>`, `#${r.pr}`, sweep_escape(r.lastActivity), sweep_escape(r.decision), sweep_escape(r.result)]);
    await core/* summary */.z
        .addHeading('Decisions', 4)
        .addTable([header, ...(body.length ? body : [['(no managed previews)', '', '', '', '']])])
        .write();
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


/***/ })

};
