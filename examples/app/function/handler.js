'use strict';
// The preview's function, written for the OpenFaaS node20 template (of-watchdog, HTTP mode). The edge router
// turns GET https://<name>.<preview-domain>/api/hello into GET /function/<name>/hello on the gateway.
//
// faas-preview sets FAAS_PREVIEW_NAME, FAAS_PREVIEW_URL, FAAS_PREVIEW_PR and FAAS_PREVIEW_SHA. Answering with the
// X-Faas-Preview-Sha header lets the action's readiness probe confirm that this commit, not the previous one,
// answers (on Kubernetes an update rolls out while the old pod still serves).
//
// With `database: postgres` the preview has its own database: its URL is the OpenFaaS secret mounted at
// DATABASE_URL_FILE (never an environment variable). db/migrate.sql creates the table, db/seed.sql the first row.
const fs = require('fs');

let pool;
function database() {
  const file = process.env.DATABASE_URL_FILE;
  if (!file) return undefined;
  if (!pool) {
    const { Pool } = require('pg');
    pool = new Pool({ connectionString: fs.readFileSync(file, 'utf8').trim(), max: 2 });
  }
  return pool;
}

async function countVisit() {
  const db = database();
  if (!db) return null;
  await db.query('INSERT INTO visits DEFAULT VALUES');
  return Number((await db.query('SELECT count(*) AS n FROM visits')).rows[0].n);
}

module.exports = async (event, context) => {
  const sha = process.env.FAAS_PREVIEW_SHA || 'unknown';
  return context
    .status(200)
    .headers({ 'content-type': 'application/json', 'x-faas-preview-sha': sha })
    .succeed({ message: 'hello from the preview function', path: event.path, preview: process.env.FAAS_PREVIEW_NAME || null, commit: sha, visits: await countVisit() });
};
