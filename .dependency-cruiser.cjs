/**
 * The layering of docs/architecture.md, checked (`npm run lint:deps`). Each rule's comment says which part of the
 * document it keeps true; a new module that breaks one is in the wrong place, or the document needs a new row.
 */

/** Modules that decide and render without I/O: unit-testable with plain values (docs/architecture.md, "Layers"). */
const PURE = [
  '^src/decide/',
  '^src/rules/(?!paths\\.ts)',
  '^src/(naming|settings|preview|concurrency|retry)\\.ts$',
  '^src/[a-z-]+/[a-z-]*plan\\.ts$',
  '^src/github/comment-text\\.ts$',
  '^src/sweep/groups\\.ts$',
  '^src/image/reference\\.ts$',
  '^src/stack/(names|substitute|tree|values|errors)\\.ts$',
  '^src/assets/headers\\.ts$',
  '^src/data/(names|url)\\.ts$',
  '^src/openfaas/types\\.ts$',
  '^src/waker/(request|specs|flight)\\.ts$',
  '^src/gate/(signed|session|share|redirect|bypass|access|pages|status|navigation)\\.ts$',
].join('|');

/** What a pure module may not reach: the network, the disk, processes, and the clients that use them. */
const IO_CORE =
  '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|dns|tls|dgram|worker_threads|readline|os)$';
const IO_PACKAGES = 'node_modules/(@aws-sdk|@actions|@octokit|@smithy/node-http-handler|pg|undici|bottleneck)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles: every layer builds on the ones below it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-imports-no-io',
      severity: 'error',
      comment: 'Pure modules take values and return values; I/O stays in the clients and the commands.',
      from: { path: PURE },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'pure-imports-no-io-builtins',
      severity: 'error',
      comment: 'Pure modules use no I/O builtins.',
      from: { path: PURE },
      to: { dependencyTypes: ['core'], path: IO_CORE },
    },
    {
      name: 'pure-imports-only-pure',
      severity: 'error',
      comment:
        'A pure module stays pure all the way down; the run-wide secret scrubber in text/ is the one shared service it may use.',
      from: { path: PURE },
      to: { path: '^src/', pathNot: `${PURE}|^src/text/`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-main-reads-inputs',
      severity: 'error',
      comment: 'inputs/ turns the action inputs into Settings; only main.ts calls it, everything else reads Settings.',
      from: { path: '^src/', pathNot: '^src/(main\\.ts|inputs/)' },
      to: { path: '^src/inputs/' },
    },
    {
      name: 'commands-on-top',
      severity: 'error',
      comment: 'commands/ orchestrates the clients; nothing below it calls back up (main.ts starts it).',
      from: { path: '^src/', pathNot: '^src/(main\\.ts|commands/)' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'edge-service-apart',
      severity: 'error',
      comment:
        'The waker (the edge companion) shares rules, state and clients with the action, never its run: no inputs, commands, GitHub or job log.',
      from: { path: '^src/waker/' },
      to: { path: '^src/(inputs|commands|github)/|^src/(main|log|report|context)\\.ts$' },
    },
    {
      name: 'action-apart-from-edge',
      severity: 'error',
      comment: 'The action never loads the edge service.',
      from: { path: '^src/', pathNot: '^src/waker/' },
      to: { path: '^src/waker/' },
    },
    {
      name: 'rules-are-the-bottom',
      severity: 'error',
      comment:
        'rules/ is shared by the inputs, the stack file and the edge service: it builds on naming and text alone.',
      from: { path: '^src/rules/' },
      to: { path: '^src/', pathNot: '^src/(rules/|text/|naming\\.ts|settings\\.ts|image/reference\\.ts)' },
    },
    {
      name: 'sources-stand-alone',
      severity: 'error',
      comment: 'src/ is what ships: it never imports tests, their support, the bench or the scripts.',
      from: { path: '^src/' },
      to: { path: '^(test|__tests__|bench|scripts)/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead (entry points excepted).',
      from: { orphan: true, pathNot: '^src/(index|waker/index)\\.ts$|\\.d\\.ts$' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
