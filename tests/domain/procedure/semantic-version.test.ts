import { describe, expect, it } from '@jest/globals';
import { RectifyError } from '../../../src/domain/errors.js';
import {
  compareVersionTexts,
  normaliseVersion,
  parseVersion,
  versionOf,
} from '../../../src/domain/procedure/semantic-version.js';

describe('procedure revision numbers', () => {
  it('read short forms as full semantic versions', () => {
    expect(normaliseVersion('1')).toBe('1.0.0');
    expect(normaliseVersion('1.1')).toBe('1.1.0');
    expect(normaliseVersion('v2.0.3')).toBe('2.0.3');
    expect(normaliseVersion(' 1.2.0-rc.1 ')).toBe('1.2.0-rc.1');
  });

  it('refuse what is not a version', () => {
    for (const bad of ['', 'one', '1.1.1.1', '1..2', '1.0-', '1.0.0-a..b', 'Revision 2'])
      expect(parseVersion(bad)).toBeNull();
    expect(() => versionOf('one point one', 'newRevision')).toThrow(RectifyError);
  });

  it('order numerically, a pre-release before its release', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-rc.2', '1.2.0-rc.10', '1.2.0-beta', '0.9', '2'].sort(
      compareVersionTexts,
    );
    expect(sorted).toEqual([
      '0.9',
      '1.2.0-beta',
      '1.2.0-rc.2',
      '1.2.0-rc.10',
      '1.2.0',
      '1.10.0',
      '2',
    ]);
    expect(compareVersionTexts('1.0', '1.0.0')).toBe(0);
  });
});
