/** Layer rules: the domain is pure; the application speaks to the world only through ports. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain imports nothing outside src/domain: no framework, no I/O, no node: modules.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'application-uses-ports-only',
      comment: 'Use cases depend on the domain and its ports, never on adapters or HTTP.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: {
        path: '^src/(infrastructure|http|bot|tab|cli)/|^node_modules/(express|better-sqlite3|jose|pino)',
      },
    },
    {
      name: 'infrastructure-imports-only-ports-from-application',
      comment:
        'Adapters implement the ports in src/application/ports/; they never reach into use cases.',
      severity: 'error',
      from: { path: '^src/infrastructure/' },
      to: { path: '^src/application/(?!ports/)' },
    },
    {
      name: 'adapters-do-not-know-http',
      severity: 'error',
      from: { path: '^src/infrastructure/(?!auth/dev-routes)' },
      to: { path: '^src/http/' },
    },
    {
      name: 'tab-reaches-the-server-through-its-api',
      comment:
        'The browser tab talks to the REST API through its client; of the server it may share the pure domain vocabulary and lifecycle table and the contract (src/contract: operation routes), never adapters, HTTP handlers or configuration.',
      severity: 'error',
      from: { path: '^src/tab/web/' },
      to: {
        path: '^src/(infrastructure|http|bot|config|server|main|cli)|^node_modules/(express|better-sqlite3|jose|pino|@azure|@microsoft/microsoft-graph-client)',
      },
    },
    {
      name: 'tab-takes-only-types-from-the-application',
      comment: 'Use-case code and zod stay on the server: the tab imports their types only.',
      severity: 'error',
      from: { path: '^src/tab/web/' },
      to: { path: '^src/application/|^node_modules/zod', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
