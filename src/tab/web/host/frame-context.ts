import { createContext, useContext } from 'react';
import type { FrameMode } from './frame.js';
import type { TabConfig } from './teams-host.js';

/** What views know of where they are drawn, and what the host can do for them there. */
export interface FrameInfo {
  readonly frame: FrameMode;
  /** In a Teams meeting: shares a page of the app to the stage. Null elsewhere. */
  readonly shareToStage: ((url: string) => Promise<void>) | null;
  /** On the Teams configuration page: offers the tab's settings to save. Null elsewhere. */
  readonly offerConfig: ((config: TabConfig) => void) | null;
  /** Opens an app page outside this frame (a dialog in Teams, a new browser tab elsewhere). */
  readonly openOutside: (url: string, title: string) => void;
}

/** Outside Teams: a new browser tab, drawn as a normal page. */
export const openInNewTab = (url: string): void => {
  window.open(url, '_blank', 'noopener');
};

export const FrameContext = createContext<FrameInfo>({
  frame: 'content',
  shareToStage: null,
  offerConfig: null,
  openOutside: openInNewTab,
});

export const useFrame = (): FrameInfo => useContext(FrameContext);
