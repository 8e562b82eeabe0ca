import { afterAll, describe, expect, it } from '@jest/globals';
import { execSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/**
 * No container builder runs on this machine (no Docker daemon), so the Dockerfile is linted
 * with dockerfile-utils (the checks of the VS Code Docker extension) and its steps are run in
 * clean directories: the production install, the build from the build context the
 * .dockerignore leaves, and the runtime stage's files started and probed by its HEALTHCHECK.
 */
const text = readFileSync('Dockerfile', 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const work = mkdtempSync(path.join(tmpdir(), 'rectify-docker-'));
let server: ChildProcess | undefined;
afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** The instructions of one stage, by its name. */
const stage = (name: string) => {
  const from = dockerfile.getFROMs().find((f) => f.getBuildStage() === name);
  if (!from) throw new Error(`no stage ${name}`);
  const start = from.getRange().start.line;
  const next = dockerfile
    .getFROMs()
    .map((f) => f.getRange().start.line)
    .filter((l) => l > start)
    .sort((a, b) => a - b)[0];
  return instructions.filter((i) => {
    const line = i.getRange().start.line;
    return line > start && (next === undefined || line < next);
  });
};
const runsOf = (name: string): string[] =>
  stage(name)
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) => i.getArgumentsContent() ?? '');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

describe('the Dockerfile', () => {
  it('passes the dockerfile-utils linter, which finds problems in a broken one', () => {
    expect(validate(text).map((d) => d.message)).toEqual([]);
    expect(validate(`${text}\nHEALTHCHECK CMD\nCOPY\n`).length).toBeGreaterThan(0);
  });

  it('is multi-stage, installs production dependencies with npm ci --omit=dev and runs as non-root', () => {
    expect(dockerfile.getFROMs().map((f) => f.getBuildStage())).toEqual([
      'deps',
      'build',
      'runtime',
    ]);
    expect(runsOf('deps').join('\n')).toMatch(/npm ci --omit=dev/);
    expect(runsOf('build').join('\n')).toMatch(/npm run build/);
    const runtime = stage('runtime');
    const users = runtime
      .filter((i) => i.getKeyword() === 'USER')
      .map((i) => i.getArgumentsContent());
    expect(users).toEqual(['node']);
    expect(runtime.some((i) => i.getKeyword() === 'HEALTHCHECK')).toBe(true);
    // The built tab is in dist/ (dist/tab), copied from the build stage.
    expect(text).toMatch(/^COPY --from=build --chown=node:node \/app\/dist \.\/dist$/m);
  });

  it('keeps secrets, local state and build output out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const p of ['node_modules', 'data', 'dist', 'env/.env.*.user', '.env', '.git'])
      expect(ignored).toContain(p);
  });

  it(
    'builds and starts from a clean directory with the same steps, healthy by its HEALTHCHECK',
    async () => {
      const deps = path.join(work, 'deps');
      const build = path.join(work, 'build');
      const runtime = path.join(work, 'runtime');
      const sh = (command: string, cwd: string) =>
        execSync(command, {
          cwd,
          stdio: 'pipe',
          env: { ...process.env, npm_config_prefer_offline: 'true' },
        });

      // deps: COPY package.json package-lock.json, then its npm RUN.
      mkdirSync(deps);
      for (const f of ['package.json', 'package-lock.json']) cpSync(f, path.join(deps, f));
      for (const run of runsOf('deps').filter((r) => r.startsWith('npm'))) sh(run, deps);

      // build: FROM deps, COPY . . (what git tracks, less what .dockerignore leaves out).
      cpSync(deps, build, { recursive: true });
      const tracked = execSync('git ls-files -co --exclude-standard --exclude-from=.dockerignore', {
        encoding: 'utf8',
      })
        .split('\n')
        .filter((f) => f !== '');
      for (const f of tracked) cpSync(f, path.join(build, f), { recursive: true });
      for (const run of runsOf('build')) sh(run.replace(/\\\n/g, ' '), build);

      // runtime: the COPY lines, then CMD, probed by the HEALTHCHECK command.
      mkdirSync(runtime);
      cpSync(path.join(deps, 'node_modules'), path.join(runtime, 'node_modules'), {
        recursive: true,
      });
      cpSync(path.join(build, 'dist'), path.join(runtime, 'dist'), { recursive: true });
      cpSync('package.json', path.join(runtime, 'package.json'));
      cpSync('procedures', path.join(runtime, 'procedures'), { recursive: true });
      const port = await freePort();
      const cmd = stage('runtime').find((i) => i.getKeyword() === 'CMD');
      const argv = JSON.parse(cmd?.getArgumentsContent() ?? '[]') as string[];
      expect(argv).toEqual(['node', 'dist/src/main.js']);
      server = spawn(process.execPath, argv.slice(1), {
        cwd: runtime,
        // Local mode: production needs a real Entra tenant; everything else is the image's.
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          RECTIFY_MODE: 'local',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATA_DIR: path.join(runtime, 'data'),
          LOG_LEVEL: 'silent',
        },
        stdio: 'ignore',
      });
      const health = stage('runtime').find((i) => i.getKeyword() === 'HEALTHCHECK');
      const probe = JSON.parse(
        /CMD (\[.*\])\s*$/s.exec(health?.getArgumentsContent() ?? '')?.[1] ?? '[]',
      ) as string[];
      let status: number | null = 1;
      for (let i = 0; i < 100 && status !== 0; i += 1) {
        await new Promise((r) => setTimeout(r, 300));
        status = spawnSync(process.execPath, probe.slice(1), {
          env: { PATH: process.env.PATH ?? '', PORT: String(port) },
        }).status;
      }
      expect(status).toBe(0);
      const tab = await fetch(`http://127.0.0.1:${port}/`);
      expect(tab.status).toBe(200);
      expect(await tab.text()).toMatch(/<div id="root">|<html/i);
    },
    30 * 60_000,
  );
});
