import type { LibraryProblem } from '../../application/ports/procedure-library.js';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  NO_TRAINING,
  mergeTraining,
  type TrainingAudience,
} from '../../domain/procedure/procedure.js';

/**
 * `library.yaml` at the root of a procedure library: who must be trained when a new revision
 * of a procedure is published, by procedure id (front-matter uuid) or doc id.
 *
 * ```yaml
 * procedures:
 *   NW-ISMS-P03:
 *     training:
 *       people: [{ id: <Entra object id>, name: Sam Taylor }]
 *       groups: [{ id: <Entra group id>, name: Service Desk }]
 * ```
 *
 * It adds to the `training:` people of the revision in force's front matter.
 */
const Ref = z.object({
  id: z.string().trim().min(1).max(128),
  name: z.string().trim().min(1).max(256),
});

const SettingsSchema = z
  .object({
    procedures: z
      .record(
        z.string(),
        z.object({
          training: z
            .object({
              people: z.array(Ref).default([]),
              groups: z.array(Ref).default([]),
            })
            .default({ people: [], groups: [] }),
        }),
      )
      .default({}),
  })
  .nullable()
  .transform((v) => v ?? { procedures: {} });

export interface LibrarySettings {
  /** Training per procedure id or doc id (doc ids in lower case). */
  trainingFor(procedureId: string, docId: string | null): TrainingAudience;
}

export const NO_SETTINGS: LibrarySettings = { trainingFor: () => NO_TRAINING };

export function parseLibrarySettings(
  text: string,
): { ok: true; settings: LibrarySettings } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    return {
      ok: false,
      reason: `broken YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`,
    };
  }
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  const byKey = new Map<string, TrainingAudience>();
  for (const [key, entry] of Object.entries(parsed.data.procedures))
    byKey.set(key.toLowerCase(), entry.training);
  return {
    ok: true,
    settings: {
      trainingFor: (procedureId, docId) =>
        mergeTraining(
          byKey.get(procedureId.toLowerCase()) ?? NO_TRAINING,
          (docId === null ? undefined : byKey.get(docId.toLowerCase())) ?? NO_TRAINING,
        ),
    },
  };
}

/**
 * The settings from the text of `library.yaml`; a broken file is reported as a problem of the
 * library (no training configured from it), never a failure of the whole catalogue.
 */
export function settingsFromText(
  text: string,
  file: string,
  problems: LibraryProblem[],
): LibrarySettings {
  const parsed = parseLibrarySettings(text);
  if (parsed.ok) return parsed.settings;
  problems.push({
    path: file,
    procedureId: null,
    severity: 'error',
    reason: `${parsed.reason}: no training configured from it`,
  });
  return NO_SETTINGS;
}
