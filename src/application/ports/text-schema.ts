import { z } from 'zod';
import {
  TEXT_PROBLEM_MESSAGES,
  isWellFormedText,
  normalisedText,
  textProblem,
} from '../../domain/text.js';

/**
 * The one string schema for text from outside (request bodies and queries, cards, token claims,
 * activities): well-formed UTF-16 without NUL, normalised to NFC. Chain `.trim()`, `.min()` and
 * `.max()` on it as on `z.string()`.
 */
export const wellFormedText = () =>
  z
    .string()
    .check(
      z.superRefine((s, ctx) => {
        const problem = textProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: TEXT_PROBLEM_MESSAGES[problem] });
      }),
    )
    .overwrite(normalisedText);

/** For values read without a schema (a card field, a claim): NFC text, or null if ill-formed. */
export const acceptedText = (s: string): string | null =>
  isWellFormedText(s) ? normalisedText(s) : null;
