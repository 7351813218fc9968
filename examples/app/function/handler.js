'use strict';
// The preview's function, written for the OpenFaaS node20 template (of-watchdog, HTTP mode). The edge router
// turns GET https://<name>.<preview-domain>/api/hello into GET /function/<name>/hello on the gateway.
module.exports = async (event, context) => {
  return context.status(200).headers({ 'content-type': 'application/json' }).succeed({
    message: 'hello from the preview function',
    path: event.path,
    commit: process.env.COMMIT_SHA || 'unknown',
  });
};
