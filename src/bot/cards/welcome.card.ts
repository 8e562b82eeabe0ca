import type { IAdaptiveCard } from '@microsoft/teams.cards';
import { COMMAND_LIST } from '../bot-commands.js';
import { card, facts, heading, para } from './card-parts.js';

/** Sent when the app is installed, and as the answer to `help` or an unknown command. */
export function welcomeCard(options: { readonly unknownCommand?: string } = {}): IAdaptiveCard {
  return card([
    heading('Rectify'),
    ...(options.unknownCommand !== undefined
      ? [para(`I do not know "${options.unknownCommand}". Here is what I can do:`)]
      : [
          para(
            'Report ISMS failures in a minute and follow them until the corrective actions are verified effective (ISO/IEC 27001 clause 10.2).',
          ),
        ]),
    facts(COMMAND_LIST.map((c) => [c.title, c.description] as const)),
  ]);
}

/** A short message card: an outcome or a refusal, never a stack trace. */
export function messageCard(title: string, text: string): IAdaptiveCard {
  return card([heading(title), para(text)]);
}
