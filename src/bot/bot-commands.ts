import { isCarNumber } from '../domain/car/car-number.js';

/** What a member can type to the bot. */
export type BotCommand =
  | { readonly name: 'report' }
  | { readonly name: 'myReports' }
  | { readonly name: 'status'; readonly carNumber: string }
  | { readonly name: 'queue' }
  | { readonly name: 'help' }
  | { readonly name: 'unknown'; readonly text: string };

export type BotCommandName = BotCommand['name'];

/** The command list, as the manifest and the help card show it. */
export const COMMAND_LIST: readonly { readonly title: string; readonly description: string }[] = [
  { title: 'report', description: 'Report an ISMS event or failure' },
  { title: 'my reports', description: 'The status of your reports' },
  { title: 'status', description: 'status CAR-YYYY-NNNN: one CAR' },
  { title: 'queue', description: 'Reports waiting for triage (Management Representative)' },
  { title: 'help', description: 'What the bot can do' },
];

/** Parses the text of a message (mentions already removed) into a command, whole words only. */
export function parseCommand(text: string): BotCommand {
  const words = text.trim().replace(/\s+/g, ' ').split(' ');
  const [first = '', second] = words;
  const head = first.toLowerCase();
  if (words.length === 1 && head === 'report') return { name: 'report' };
  if (words.length === 2 && head === 'my' && second?.toLowerCase() === 'reports')
    return { name: 'myReports' };
  if (words.length === 1 && head === 'queue') return { name: 'queue' };
  if (words.length === 1 && (head === 'help' || head === '')) return { name: 'help' };
  if (words.length === 2 && head === 'status' && second !== undefined) {
    const number = second.toUpperCase();
    if (isCarNumber(number)) return { name: 'status', carNumber: number };
  }
  return { name: 'unknown', text: text.slice(0, 200) };
}
