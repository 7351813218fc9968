export const id = 842;
export const ids = [842];
export const modules = {

/***/ 7842:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   queryIncreases: () => (/* binding */ queryIncreases)
/* harmony export */ });
/* unused harmony exports DEFAULT_NAMESPACE, promDuration, increaseQuery, increasesByFunction */
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
/** Runs the increase query against `baseUrl` (credentials in the URL become Basic auth). */
async function queryIncreases(baseUrl, idleAfterMs, namespace, timeoutMs = 30_000) {
    const url = new URL(baseUrl.replace(/\/+$/, '') + '/api/v1/query');
    const headers = { accept: 'application/json' };
    if (url.username || url.password) {
        headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
        url.username = '';
        url.password = '';
    }
    const query = increaseQuery(idleAfterMs);
    url.searchParams.set('query', query);
    const where = `${url.origin}${url.pathname}`;
    let res;
    try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    }
    catch (err) {
        throw new Error(`Prometheus at ${where} (input 'prometheus-url') did not answer: ${err.message}`);
    }
    const text = await res.text();
    let body;
    try {
        body = JSON.parse(text);
    }
    catch {
        throw new Error(`Prometheus at ${where} (input 'prometheus-url') answered ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok || body.status !== 'success') {
        throw new Error(`Prometheus query failed (${res.status}${body.errorType ? ` ${body.errorType}` : ''}): ${body.error ?? text.slice(0, 200)}; query: ${query}`);
    }
    if (body.data?.resultType !== 'vector' || !Array.isArray(body.data.result)) {
        throw new Error(`Prometheus answered a ${body.data?.resultType ?? 'missing'} result to an instant query, expected a vector`);
    }
    return increasesByFunction(body.data.result, namespace);
}


/***/ })

};
