import { DialogDimension, app, authentication, dialog, meeting, pages } from '@microsoft/teams-js';
import { toFrameMode, type FrameMode } from './frame.js';
import type { ThemeName } from './theme.js';

/** What the tab takes from Teams once it is hosted there. */
export interface TeamsConnection {
  readonly theme: ThemeName;
  /** The CAR a deep link points at (`context={"subEntityId":"CAR-2026-0007"}`). */
  readonly subPageId: string | null;
  readonly userName: string | null;
  /** SSO: an Entra access token for our API, cached and renewed by Teams. */
  readonly token: () => Promise<string>;
  readonly onThemeChange: (handler: (theme: ThemeName) => void) => void;
  /** Where Teams draws the tab: a page, the meeting side panel or stage, the configuration. */
  readonly frame: FrameMode;
  /** The meeting the tab is open in, if any. */
  readonly meetingId: string | null;
  /** Shares `url` (a page of this app) to the meeting stage; fails outside a meeting. */
  readonly shareToStage: (url: string) => Promise<void>;
  /**
   * Configuration page: tells Teams the tab is ready to save, and saves `config` when the
   * person presses Save.
   */
  readonly offerConfig: (config: TabConfig) => void;
  /**
   * Opens a page of this app outside the current frame: a Teams dialog where the host has
   * dialogs (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/what-are-task-modules),
   * else the page in the browser. The meeting side panel uses it, being too narrow for a CAR.
   */
  readonly openOutside: (url: string, title: string) => void;
}

export interface TabConfig {
  readonly contentUrl: string;
  readonly websiteUrl: string;
  readonly entityId: string;
  readonly suggestedDisplayName: string;
}

export const teamsTheme = (theme: string | undefined): ThemeName =>
  theme === 'dark' ? 'dark' : theme === 'contrast' ? 'contrast' : 'light';

/**
 * `app.initialize()` settles only inside a Microsoft 365 host; elsewhere it never resolves nor
 * rejects (PLATFORM.md, "Tabs"), so it races a timeout and `null` means "not in Teams".
 */
export async function connectToTeams(timeoutMs: number): Promise<TeamsConnection | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, timeoutMs);
  });
  const initialized = app.initialize().then(() => true as const);
  const inTeams = await Promise.race([initialized, timedOut]);
  clearTimeout(timer);
  if (!inTeams) return null;
  const context = await app.getContext();
  return {
    theme: teamsTheme(context.app.theme),
    subPageId: context.page.subPageId ?? null,
    userName: context.user?.displayName ?? null,
    token: () => authentication.getAuthToken(),
    frame: toFrameMode(context.page.frameContext),
    meetingId: context.meeting?.id ?? null,
    shareToStage: (url) =>
      new Promise<void>((resolve, reject) => {
        meeting.shareAppContentToStage((error, result) => {
          if (error || result === false)
            reject(new Error(error?.message ?? 'Teams did not share the page to the stage'));
          else resolve();
        }, url);
      }),
    offerConfig: (config) => {
      pages.config.registerOnSaveHandler((event) => {
        pages.config.setConfig(config).then(
          () => {
            event.notifySuccess();
          },
          (e: unknown) => {
            event.notifyFailure(e instanceof Error ? e.message : 'The tab was not saved');
          },
        );
      });
      pages.config.setValidityState(true);
    },
    openOutside: (url, title) => {
      if (dialog.url.isSupported())
        dialog.url.open({
          url,
          title,
          size: { width: DialogDimension.Large, height: DialogDimension.Large },
          fallbackUrl: url,
        });
      else void app.openLink(url);
    },
    onThemeChange: (handler) => {
      app.registerOnThemeChangeHandler((theme) => {
        handler(teamsTheme(theme));
      });
    },
  };
}
