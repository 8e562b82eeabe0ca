import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

interface Manifest {
  configurableTabs: { configurationUrl: string; context: string[]; meetingSurfaces: string[] }[];
  authorization?: { permissions?: { resourceSpecific?: { name: string; type: string }[] } };
}

const manifest = JSON.parse(readFileSync('appPackage/manifest.json', 'utf8')) as Manifest;

describe('the meeting tab in the app package', () => {
  it('offers the configurable tab in the meeting side panel, stage, chat and details', () => {
    expect(manifest.configurableTabs[0]?.context).toEqual(
      expect.arrayContaining([
        'meetingSidePanel',
        'meetingStage',
        'meetingChatTab',
        'meetingDetailsTab',
      ]),
    );
  });

  // tab-meeting.test.ts opens /config in Chromium and reads the address it would save.
  it('points its configuration page at the tab route that saves the content address', () => {
    const url = new URL(
      (manifest.configurableTabs[0]?.configurationUrl ?? '').replace('${{TAB_DOMAIN}}', 'x.test'),
    );
    expect(url.pathname).toBe('/config');
  });

  it('asks for the resource-specific permission to share to the meeting stage', () => {
    expect(manifest.authorization?.permissions?.resourceSpecific).toEqual(
      expect.arrayContaining([{ name: 'MeetingStage.Write.Chat', type: 'Delegated' }]),
    );
  });
});
