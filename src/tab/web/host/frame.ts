/**
 * Where the tab is drawn. Teams says it in `context.page.frameContext`; a plain browser
 * simulates a meeting surface with `?frame=sidePanel` or `?frame=meetingStage`.
 * - `content`: a tab page (personal, channel, chat).
 * - `sidePanel`: the meeting side panel, 320 px wide: one narrow column.
 * - `meetingStage`: the meeting stage, shared with everyone: read-only, large type, high contrast.
 * - `settings`: the configurable tab's configuration page.
 */
export type FrameMode = 'content' | 'sidePanel' | 'meetingStage' | 'settings';

export const toFrameMode = (value: string | null | undefined): FrameMode =>
  value === 'sidePanel' || value === 'meetingStage' || value === 'settings' ? value : 'content';

/** The frame a plain browser asks for in the address: `?frame=sidePanel`. */
export const browserFrame = (): FrameMode =>
  toFrameMode(new URLSearchParams(window.location.search).get('frame'));
