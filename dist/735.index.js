export const id = 735;
export const ids = [735];
export const modules = {

/***/ 5735:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createS3Client: () => (/* binding */ createS3Client)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3711);
/* harmony import */ var _smithy_node_http_handler__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1279);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_https__WEBPACK_IMPORTED_MODULE_1__);
/**
 * The S3 client for the asset bucket.
 * - Custom endpoint (MinIO, R2, Ceph, s3rver…): path-style addressing, and checksums only when an
 *   operation requires them: with the SDK's default checksums some S3-compatible servers reject uploads and
 *   s3rver stores streamed bodies with their aws-chunked framing (silent corruption).
 * - Credentials from the settings when given, else the SDK default chain (env, OIDC web identity, …).
 * - Keep-alive connections, at most `concurrency` sockets: the sync never has more requests in flight.
 */




function createS3Client(a) {
    const sockets = Math.max(1, Math.floor(a.concurrency) || 1);
    const agent = { keepAlive: true, maxSockets: sockets };
    const config = {
        region: a.region || 'us-east-1',
        requestHandler: new _smithy_node_http_handler__WEBPACK_IMPORTED_MODULE_2__.NodeHttpHandler({
            httpAgent: new node_http__WEBPACK_IMPORTED_MODULE_0__.Agent(agent),
            httpsAgent: new node_https__WEBPACK_IMPORTED_MODULE_1__.Agent(agent),
            connectionTimeout: 10_000,
            requestTimeout: 120_000,
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
    return new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .S3Client */ .YxF(config);
}


/***/ })

};
