'use strict';
// The preview's function, written for the OpenFaaS node20 template (of-watchdog, HTTP mode). The edge router
// turns GET https://<name>.<preview-domain>/api/hello into GET /function/<name>/hello on the gateway.
// faas-preview sets FAAS_PREVIEW_NAME, FAAS_PREVIEW_URL, FAAS_PREVIEW_PR and FAAS_PREVIEW_SHA. Answering with the
// X-Faas-Preview-Sha header lets the action's readiness probe confirm that this commit, not the previous one,
// answers (on Kubernetes an update rolls out while the old pod still serves).
module.exports = async (event, context) => {
  const sha = process.env.FAAS_PREVIEW_SHA || 'unknown';
  return context
    .status(200)
    .headers({ 'content-type': 'application/json', 'x-faas-preview-sha': sha })
    .succeed({ message: 'hello from the preview function', path: event.path, preview: process.env.FAAS_PREVIEW_NAME || null, commit: sha });
};
