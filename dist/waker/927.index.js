export const id = 927;
export const ids = [927];
export const modules = {

/***/ 8927:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AbortMultipartUploadCommand: () => (/* reexport */ dist_cjs/* AbortMultipartUploadCommand */.tfP),
  CompleteMultipartUploadCommand: () => (/* reexport */ dist_cjs/* CompleteMultipartUploadCommand */.Gym),
  CreateMultipartUploadCommand: () => (/* reexport */ dist_cjs/* CreateMultipartUploadCommand */.nG4),
  DeleteObjectCommand: () => (/* reexport */ dist_cjs/* DeleteObjectCommand */.k4j),
  DeleteObjectsCommand: () => (/* reexport */ dist_cjs/* DeleteObjectsCommand */.xvx),
  GetObjectCommand: () => (/* reexport */ dist_cjs/* GetObjectCommand */.jLs),
  ListObjectsV2Command: () => (/* reexport */ dist_cjs/* ListObjectsV2Command */.u6x),
  PutObjectCommand: () => (/* reexport */ dist_cjs/* PutObjectCommand */.wKZ),
  UploadPartCommand: () => (/* reexport */ dist_cjs/* UploadPartCommand */.iVK),
  createS3Client: () => (/* reexport */ createS3Client),
  getEndpointFromInstructions: () => (/* reexport */ endpoints.getEndpointFromInstructions)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(3711);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/endpoints/index.js
var endpoints = __webpack_require__(2085);
// EXTERNAL MODULE: ./node_modules/@smithy/node-http-handler/dist-cjs/index.js
var node_http_handler_dist_cjs = __webpack_require__(1279);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
// EXTERNAL MODULE: ./src/http/call.ts
var call = __webpack_require__(2006);
;// CONCATENATED MODULE: ./src/assets/s3-client.ts
/**
 * The S3 client for the asset bucket.
 * - Custom endpoint (MinIO, R2, Ceph, s3rver…): path-style addressing, and checksums only when an
 *   operation requires them: with the SDK's default checksums some S3-compatible servers reject uploads and
 *   s3rver stores streamed bodies with their aws-chunked framing (silent corruption).
 * - Credentials from the settings when given, else the SDK default chain (env, OIDC web identity, …).
 * - Keep-alive connections, at most `concurrency` sockets: the sync never has more requests in flight.
 * - Time limits from the `request-timeout` input: connecting, and silence on the socket (smithy's `socketTimeout`;
 *   its `requestTimeout` only logs a warning unless `throwOnRequestTimeout`, and a whole-request limit would cut a
 *   large part upload on a slow link that is still making progress). The lean calls (lean.ts) take the same limit
 *   from the connection (s3.ts).
 */





function createS3Client(a, o = {}) {
    const sockets = Math.max(1, Math.floor(a.concurrency) || 1);
    const agent = { keepAlive: true, maxSockets: sockets };
    const timeout = o.requestTimeoutMs ?? call/* DEFAULT_TIMEOUT_MS */.t1;
    const config = {
        region: a.region || 'us-east-1',
        requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler({
            httpAgent: new external_node_http_.Agent(agent),
            httpsAgent: new external_node_https_.Agent(agent),
            connectionTimeout: timeout,
            socketTimeout: timeout,
        }),
    };
    if (a.endpoint) {
        config.endpoint = a.endpoint;
        config.forcePathStyle = true;
        config.requestChecksumCalculation = 'WHEN_REQUIRED';
        config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    if (a.accessKeyId && a.secretAccessKey) {
        config.credentials = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
    }
    return new dist_cjs/* S3Client */.YxF(config);
}

;// CONCATENATED MODULE: ./src/assets/sdk.ts
/**
 * The SDK's parts the asset calls and the state store (state/objects.ts) use, in one module of ours that they import
 * lazily: a run that needs none of them never loads the SDK (s3.ts). Imported statically here, so that bundlers
 * resolve the SDK's CommonJS exports by name.
 */





/***/ })

};

//# sourceMappingURL=927.index.js.map