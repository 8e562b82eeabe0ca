import type { Procedure, ProcedureRevision } from '../../domain/procedure/procedure.js';

/**
 * The organisation's procedure documents and their revisions. Adapters: a local folder of
 * markdown files (one folder per procedure, V1.md, V2.md ...) and a SharePoint document library
 * whose file versions are the revisions.
 *
 * Reading is tolerant: one bad document never fails the whole library. It is left out (or
 * taken with the fields Rectify could infer) and named in `problems` with its path and reason.
 */
export interface LibraryProblem {
  /** Where the document is: a path under the folder, or the file's path in the library. */
  readonly path: string;
  readonly procedureId: string | null;
  /** `error`: the document was left out; `warning`: taken, with something inferred or ignored. */
  readonly severity: 'error' | 'warning';
  readonly reason: string;
}

export interface ProcedureCatalogue {
  /** By id. */
  readonly procedures: readonly Procedure[];
  readonly problems: readonly LibraryProblem[];
}

export interface ProcedureLibrary {
  list(): Promise<ProcedureCatalogue>;
  /** By the procedure's id (front-matter uuid) or its doc id; null when there is none. */
  get(procedureId: string): Promise<Procedure | null>;
  /** Lowest first. Fails with PROCEDURE.NOT_FOUND. */
  revisionsOf(procedureId: string): Promise<readonly ProcedureRevision[]>;
  /**
   * The markdown text of one revision ("1.1" finds 1.1.0), front matter included. Fails with
   * PROCEDURE.NOT_FOUND or PROCEDURE.REVISION_NOT_FOUND.
   */
  content(procedureId: string, versionName: string): Promise<string>;
}
