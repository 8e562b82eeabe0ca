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
}

export const FrameContext = createContext<FrameInfo>({
  frame: 'content',
  shareToStage: null,
  offerConfig: null,
});

export const useFrame = (): FrameInfo => useContext(FrameContext);
