import { RectifyError } from '../errors.js';

/**
 * Procedure revisions are numbered as semantic versions (1.0.0, 1.1.0). Libraries often write
 * them shorter ("1.0", "v2"): those read as 1.0.0 and 2.0.0. A pre-release tag ("1.1.0-draft")
 * orders before its release, as semver.org says.
 */
export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly string[];
}

const PATTERN = /^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z.-]+))?$/;

export function parseVersion(text: string): SemanticVersion | null {
  const m = PATTERN.exec(text.trim());
  if (!m) return null;
  const prerelease = m[4] === undefined ? [] : m[4].split('.');
  if (prerelease.some((p) => p === '')) return null;
  return {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    patch: Number(m[3] ?? 0),
    prerelease,
  };
}

/** The version or PROCEDURE.VERSION_INVALID naming the field it came from. */
export function versionOf(text: string, field = 'version'): SemanticVersion {
  const v = parseVersion(text);
  if (!v) throw new RectifyError('PROCEDURE.VERSION_INVALID', { field, value: text });
  return v;
}

export const formatVersion = (v: SemanticVersion): string =>
  `${v.major}.${v.minor}.${v.patch}${v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : ''}`;

/** "1.0" -> "1.0.0"; null when it is not a version. */
export function normaliseVersion(text: string): string | null {
  const v = parseVersion(text);
  return v ? formatVersion(v) : null;
}

const compareIdentifiers = (a: string, b: string): number => {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Math.sign(Number(a) - Number(b));
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
};

export function compareVersions(a: SemanticVersion, b: SemanticVersion): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i += 1) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareIdentifiers(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/** Compares two version texts; both must parse. */
export const compareVersionTexts = (a: string, b: string): number =>
  compareVersions(versionOf(a), versionOf(b));
