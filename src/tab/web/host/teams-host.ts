import { app, authentication } from '@microsoft/teams-js';
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
    onThemeChange: (handler) => {
      app.registerOnThemeChangeHandler((theme) => {
        handler(teamsTheme(theme));
      });
    },
  };
}
