import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { COMMAND_LIST } from '../../src/bot/bot-commands.js';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseEnvFile, renderManifest } from '../../scripts/package-app.js';
import { activityNotificationBody } from '../../src/infrastructure/graph/activity-feed-notifier.js';
import { aReminderOfEachKind } from '../application/reminders/reminder-mother.js';

const TSX = path.resolve('node_modules/.bin/tsx');

/** Runs scripts/package-app.ts in a child process (see there why). */
const script = (args: string[], env: Record<string, string> = {}): string =>
  execFileSync(TSX, ['scripts/package-app.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

const manifestProblems = (manifest: unknown): string[] => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-manifest-'));
  try {
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, JSON.stringify(manifest));
    return JSON.parse(script(['--validate', file])) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const TEMPLATE = readFileSync('appPackage/manifest.json', 'utf8');
const ENV = {
  APP_VERSION: '1.0.0',
  TEAMS_APP_ID: '11111111-1111-4111-8111-111111111111',
  TAB_DOMAIN: 'rectify.contoso.example',
  APP_NAME_SUFFIX: '-dev',
  BOT_ID: '22222222-2222-4222-8222-222222222222',
  AAD_APP_CLIENT_ID: '33333333-3333-4333-8333-333333333333',
  OAUTH2_CONFIGURATION_ID: 'rectify-oauth-registration',
};

interface Manifest {
  manifestVersion: string;
  bots: { botId: string; commandLists: { commands: { title: string }[] }[] }[];
  composeExtensions: { commands: { id: string; title: string; context: string[] }[] }[];
  configurableTabs: { context: string[]; meetingSurfaces: string[] }[];
  activities: { activityTypes: { type: string }[] };
  webApplicationInfo: { id: string; resource: string };
  validDomains: string[];
}

const rendered = (): Manifest => {
  const { text, missing } = renderManifest(TEMPLATE, ENV);
  expect(missing).toEqual([]);
  return JSON.parse(text) as Manifest;
};

/** Width, height and the alpha channel of an 8-bit RGBA PNG. */
function decodeRgbaPng(file: string): {
  width: number;
  height: number;
  alpha: number[];
  rgb: number[][];
} {
  const buf = readFileSync(file);
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9] ?? -1;
      expect(data[8]).toBe(8);
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  expect(colorType).toBe(6);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] ?? 0;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= 4 ? (out[y * stride + x - 4] ?? 0) : 0;
      const b = y > 0 ? (out[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= 4 && y > 0 ? (out[(y - 1) * stride + x - 4] ?? 0) : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      out[y * stride + x] = (v + pred) & 0xff;
    }
  }
  const alpha: number[] = [];
  const rgb: number[][] = [];
  for (let i = 0; i < out.length; i += 4) {
    alpha.push(out[i + 3] ?? 0);
    rgb.push([out[i] ?? 0, out[i + 1] ?? 0, out[i + 2] ?? 0]);
  }
  return { width, height, alpha, rgb };
}

describe('the Teams app package', () => {
  it('validates offline against the v1.30 schema bundled in @microsoft/app-manifest', () => {
    const manifest = rendered();
    expect(manifest.manifestVersion).toBe('1.30');
    expect(manifestProblems(manifest)).toEqual([]);
  });

  it('finds the problems of a broken manifest (the check can fail)', () => {
    const broken = { ...rendered(), id: 'not-a-guid', bots: [{ scopes: ['nowhere'] }] };
    expect(manifestProblems(broken).length).toBeGreaterThan(0);
  });

  it('declares the bot commands, the message action, the tabs, SSO and the activity types', () => {
    const m = rendered();
    expect(m.bots[0]?.botId).toBe(ENV.BOT_ID);
    expect(m.bots[0]?.commandLists[0]?.commands.map((c) => c.title)).toEqual(
      COMMAND_LIST.map((c) => c.title),
    );
    expect(m.composeExtensions[0]?.commands[0]).toMatchObject({
      id: 'reportMessage',
      title: 'Report as ISMS event',
      context: ['message'],
    });
    expect(m.configurableTabs[0]?.context).toEqual(
      expect.arrayContaining(['channelTab', 'meetingSidePanel', 'meetingStage']),
    );
    expect(m.configurableTabs[0]?.meetingSurfaces).toEqual(['sidePanel', 'stage']);
    expect(m.webApplicationInfo).toEqual({
      id: ENV.AAD_APP_CLIENT_ID,
      resource: `api://${ENV.TAB_DOMAIN}/${ENV.AAD_APP_CLIENT_ID}`,
    });
    expect(m.validDomains).toEqual([ENV.TAB_DOMAIN]);
    expect(m.activities.activityTypes.map((a) => a.type)).toEqual([
      'reportReceived',
      'actionAssigned',
      'carStateChanged',
      'consulteeNamed',
      'actionDueSoon',
      'actionOverdue',
      'actionEscalated',
      'effectivenessCheckDue',
      'committeeDigest',
    ]);
  });

  it('declares every reminder activity type with the template parameters Rectify sends', () => {
    const declared = new Map(
      (rendered().activities.activityTypes as { type: string; templateText?: string }[]).map(
        (a) => [a.type, a.templateText ?? ''],
      ),
    );
    for (const reminder of aReminderOfEachKind()) {
      const body = activityNotificationBody(reminder, {
        car: () => 'https://teams.microsoft.com/l/entity/app/rectify',
        committee: () => 'https://teams.microsoft.com/l/entity/app/rectify',
      });
      const template = declared.get(body.activityType);
      expect(template).toBeDefined();
      const named = [...(template ?? '').matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1])
        .filter((n) => n !== 'actor');
      expect(body.templateParameters.map((p) => p.name).sort()).toEqual(named.sort());
    }
  });

  it('names every placeholder left unfilled', () => {
    expect(renderManifest(TEMPLATE, {}).missing).toEqual([
      'AAD_APP_CLIENT_ID',
      'APP_NAME_SUFFIX',
      'APP_VERSION',
      'BOT_ID',
      'TAB_DOMAIN',
      'TEAMS_APP_ID',
    ]);
  });

  it('has a 192x192 colour icon and a 32x32 white-on-transparent outline icon', () => {
    const color = decodeRgbaPng('appPackage/color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodeRgbaPng('appPackage/outline.png');
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.alpha.filter((a) => a === 0).length).toBeGreaterThan(0);
    const drawn = outline.rgb.filter((_, i) => (outline.alpha[i] ?? 0) > 0);
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.every(([r, g, b]) => r === 255 && g === 255 && b === 255)).toBe(true);
  });

  it('builds the zip with the manifest, both icons and the Copilot agent (npm run package)', () => {
    const file = script(['jest-test'], ENV).trim();
    try {
      expect(file).toBe(path.resolve('appPackage/build/appPackage.jest-test.zip'));
      const zip = readFileSync(file);
      expect(zip.readUInt32LE(0)).toBe(0x04034b50);
      const names: string[] = [];
      const entries = zip.readUInt16LE(zip.length - 22 + 10);
      let at = zip.readUInt32LE(zip.length - 22 + 16);
      for (let i = 0; i < entries; i++) {
        const n = zip.readUInt16LE(at + 28);
        names.push(zip.toString('utf8', at + 46, at + 46 + n));
        at += 46 + n + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
      }
      expect(names).toEqual([
        'manifest.json',
        'color.png',
        'outline.png',
        'declarativeAgent.json',
        'ai-plugin.json',
        'openapi.copilot.json',
      ]);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('reads env files without shell expansion', () => {
    expect(parseEnvFile('# c\nA=1\nB="two words"\n\nC=${{X}}')).toEqual({
      A: '1',
      B: 'two words',
      C: '${{X}}',
    });
  });
});
