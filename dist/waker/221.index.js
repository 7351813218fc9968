export const id = 221;
export const ids = [221];
export const modules = {

/***/ 5221:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AbortMultipartUploadCommand: () => (/* reexport safe */ _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__.tfP),
/* harmony export */   CompleteMultipartUploadCommand: () => (/* reexport safe */ _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__.Gym),
/* harmony export */   CreateMultipartUploadCommand: () => (/* reexport safe */ _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__.nG4),
/* harmony export */   DeleteObjectsCommand: () => (/* reexport safe */ _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__.xvx),
/* harmony export */   ListObjectsV2Command: () => (/* reexport safe */ _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__.u6x),
/* harmony export */   PutObjectCommand: () => (/* reexport safe */ _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__.wKZ),
/* harmony export */   UploadPartCommand: () => (/* reexport safe */ _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__.iVK),
/* harmony export */   createS3Client: () => (/* reexport safe */ _s3_client_js__WEBPACK_IMPORTED_MODULE_2__.q),
/* harmony export */   getEndpointFromInstructions: () => (/* reexport safe */ _smithy_core_endpoints__WEBPACK_IMPORTED_MODULE_1__.getEndpointFromInstructions)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3711);
/* harmony import */ var _smithy_core_endpoints__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2085);
/* harmony import */ var _s3_client_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6059);
/**
 * The SDK's parts the asset calls use, in one module of ours that they import lazily: a run that needs none of them
 * never loads the SDK (s3.ts). Imported statically here, so that bundlers resolve the SDK's CommonJS exports by name.
 */





/***/ })

};

//# sourceMappingURL=221.index.js.map