import type { LocalDate } from '../calendar/local-date.js';
import type { PersonRef } from '../identity.js';
import { compareVersions, parseVersion } from './semantic-version.js';

/** Where a revision's document is kept: a file in a local folder, or a SharePoint file version. */
export type RevisionSource =
  | { readonly kind: 'folder'; readonly path: string }
  | {
      readonly kind: 'sharepoint';
      readonly driveId: string;
      readonly itemId: string;
      readonly versionId: string;
      readonly lastModifiedDateTime: string;
      /** The file's page; Graph gives no per-version address. */
      readonly webUrl: string;
    };

/** A revision field the document did not state, and where Rectify took it from instead. */
export interface InferredField {
  readonly field: 'title' | 'versionName' | 'versionDate' | 'changelog';
  readonly from: string;
}

export interface ProcedureRevision {
  /** The front matter's uuid, else the doc id. */
  readonly procedureId: string;
  readonly docId: string | null;
  readonly title: string;
  /** A normalised semantic version: 1.1.0. */
  readonly versionName: string;
  /** Null when neither the document nor the library says. */
  readonly versionDate: LocalDate | null;
  readonly changelog: string;
  /** A draft is in the library but not in force. */
  readonly published: boolean;
  readonly source: RevisionSource;
  /**
   * Fields taken from elsewhere than the document (file name, first heading, file time).
   * An inferred date is not audit evidence of when the revision took effect.
   */
  readonly inferred: readonly InferredField[];
}

/** Who must be trained when a new revision of the procedure is published. */
export interface TrainingAudience {
  readonly people: readonly PersonRef[];
  /** Entra groups; each gets one training action, which the MR completes for the group. */
  readonly groups: readonly PersonRef[];
}

export const NO_TRAINING: TrainingAudience = { people: [], groups: [] };

/**
 * Where a document sits in the library and what its front matter says about it. The category is
 * the folder path above the document ("ISMS", "Data-Protection/Forms"), null at the root.
 */
export interface ProcedureDetails {
  /** The document's path in the library: its folder, or its file for a single-file document. */
  readonly location: string;
  readonly category: string | null;
  readonly keywords: readonly string[];
  readonly author: string | null;
  readonly manager: string | null;
  /** `additional_path:` of the front matter: other addresses the document is known by. */
  readonly additionalPaths: readonly string[];
}

export const detailsAt = (location: string): ProcedureDetails => {
  const slash = location.lastIndexOf('/');
  return {
    location,
    category: slash > 0 ? location.slice(0, slash) : null,
    keywords: [],
    author: null,
    manager: null,
    additionalPaths: [],
  };
};

/** Whether the procedure is in this category or one below it ("ISMS" holds "ISMS/Forms"). */
export function inCategory(procedure: Procedure, category: string): boolean {
  const wanted = category
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .normalize('NFC')
    .toLowerCase();
  if (wanted === '') return procedure.details.category === null;
  const own = (procedure.details.category ?? '').normalize('NFC').toLowerCase();
  return own === wanted || own.startsWith(`${wanted}/`);
}

export interface Procedure {
  readonly id: string;
  readonly docId: string | null;
  readonly title: string;
  readonly details: ProcedureDetails;
  /** Lowest first. */
  readonly revisions: readonly ProcedureRevision[];
  /** The highest published revision; null when every revision is a draft. */
  readonly revisionInForce: ProcedureRevision | null;
  readonly training: TrainingAudience;
}

/** Lowest version first; equal versions by date (undated first), so the order is stable. */
export function compareRevisions(a: ProcedureRevision, b: ProcedureRevision): number {
  const va = parseVersion(a.versionName);
  const vb = parseVersion(b.versionName);
  if (va && vb) {
    const c = compareVersions(va, vb);
    if (c !== 0) return c;
  }
  const da = a.versionDate ?? '';
  const db = b.versionDate ?? '';
  return da < db ? -1 : da > db ? 1 : 0;
}

export const sortRevisions = (revisions: readonly ProcedureRevision[]): ProcedureRevision[] =>
  [...revisions].sort(compareRevisions);

export function revisionInForce(revisions: readonly ProcedureRevision[]): ProcedureRevision | null {
  return sortRevisions(revisions.filter((r) => r.published)).at(-1) ?? null;
}

const uniqueById = (people: readonly PersonRef[]): PersonRef[] => {
  const seen = new Set<string>();
  return people.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
};

export function mergeTraining(...audiences: readonly TrainingAudience[]): TrainingAudience {
  return {
    people: uniqueById(audiences.flatMap((a) => a.people)),
    groups: uniqueById(audiences.flatMap((a) => a.groups)),
  };
}

/** Everyone who gets a training action: each person, then each group. */
export const traineesOf = (audience: TrainingAudience): PersonRef[] =>
  uniqueById([...audience.people, ...audience.groups]);

/** A procedure from its revisions; its title and doc id are those of the newest revision. */
export function buildProcedure(
  id: string,
  revisions: readonly ProcedureRevision[],
  training: TrainingAudience,
  details: ProcedureDetails = detailsAt(id),
): Procedure {
  const sorted = sortRevisions(revisions);
  const inForce = revisionInForce(sorted);
  const newest = inForce ?? sorted.at(-1);
  return {
    id,
    docId: newest?.docId ?? sorted.find((r) => r.docId !== null)?.docId ?? null,
    title: newest?.title ?? id,
    details,
    revisions: sorted,
    revisionInForce: inForce,
    training,
  };
}

/** A procedure by its id or its doc id (doc ids compare without regard to case). */
export function findProcedure(
  procedures: readonly Procedure[],
  idOrDocId: string,
): Procedure | null {
  const wanted = idOrDocId.trim();
  return (
    procedures.find((p) => p.id === wanted) ??
    procedures.find((p) => p.docId !== null && p.docId.toLowerCase() === wanted.toLowerCase()) ??
    null
  );
}

/** The revision with this version ("1.1" finds 1.1.0). */
export function findRevision(procedure: Procedure, versionName: string): ProcedureRevision | null {
  const wanted = parseVersion(versionName);
  if (!wanted) return null;
  return (
    procedure.revisions.find((r) => {
      const v = parseVersion(r.versionName);
      return v !== null && compareVersions(v, wanted) === 0;
    }) ?? null
  );
}

/**
 * Whether a change log cites a CAR number: the number as a whole word, in any case
 * ("CAR-2026-0007" is cited by "per car-2026-0007;" but not by "CAR-2026-00071").
 */
export function citesCarNumber(changelog: string, carNumber: string): boolean {
  const escaped = carNumber.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'i').test(changelog);
}

/** Published revisions higher than `version` whose change log cites the CAR, lowest first. */
export function revisionsCiting(
  procedure: Procedure,
  above: string,
  carNumber: string,
): ProcedureRevision[] {
  const floor = parseVersion(above);
  if (!floor) return [];
  return procedure.revisions.filter((r) => {
    const v = parseVersion(r.versionName);
    return (
      r.published &&
      v !== null &&
      compareVersions(v, floor) > 0 &&
      citesCarNumber(r.changelog, carNumber)
    );
  });
}
