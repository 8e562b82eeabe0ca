import type { AvailableCommand } from '../application/available-commands.js';

export type { AvailableCommand };

/**
 * Whether a CAR's `availableCommands` offer this command (for this action or procedure link,
 * where it names one). Front ends ask this; they never decide from roles or states themselves.
 */
export const offers = (
  list: readonly AvailableCommand[],
  name: AvailableCommand['name'],
  target: { readonly actionId?: string; readonly linkId?: string } = {},
): AvailableCommand | undefined =>
  list.find(
    (c) =>
      c.name === name &&
      (target.actionId === undefined || c.actionId === target.actionId) &&
      (target.linkId === undefined || c.linkId === target.linkId),
  );
