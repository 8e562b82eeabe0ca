import { browserFrame, type FrameMode } from './frame.js';
import type { TeamsConnection } from './teams-host.js';

export type Host =
  | { readonly kind: 'teams'; readonly teams: TeamsConnection; readonly frame: FrameMode }
  | { readonly kind: 'browser'; readonly frame: FrameMode };

/** How long a framed page waits for a Microsoft 365 host before it runs as a plain page. */
const TEAMS_TIMEOUT_MS = 3000;

/**
 * Teams always frames the tab; a top-level page is a plain browser and never loads
 * teams-js. A framed page loads it on demand and asks the host.
 */
export async function detectHost(): Promise<Host> {
  if (window.self === window.top) return { kind: 'browser', frame: browserFrame() };
  const { connectToTeams } = await import('./teams-host.js');
  const teams = await connectToTeams(TEAMS_TIMEOUT_MS);
  return teams
    ? { kind: 'teams', teams, frame: teams.frame }
    : { kind: 'browser', frame: browserFrame() };
}
