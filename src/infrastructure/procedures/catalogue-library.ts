import type {
  ProcedureCatalogue,
  ProcedureLibrary,
} from '../../application/ports/procedure-library.js';
import { RectifyError } from '../../domain/errors.js';
import {
  findProcedure,
  findRevision,
  type Procedure,
  type ProcedureRevision,
} from '../../domain/procedure/procedure.js';

/** Lookups shared by the adapters: each reads its catalogue and the text of one revision. */
export abstract class CatalogueProcedureLibrary implements ProcedureLibrary {
  abstract list(): Promise<ProcedureCatalogue>;

  protected abstract read(revision: ProcedureRevision): Promise<string>;

  async get(procedureId: string): Promise<Procedure | null> {
    return findProcedure((await this.list()).procedures, procedureId);
  }

  async revisionsOf(procedureId: string): Promise<readonly ProcedureRevision[]> {
    return (await this.existing(procedureId)).revisions;
  }

  async content(procedureId: string, versionName: string): Promise<string> {
    const procedure = await this.existing(procedureId);
    const revision = findRevision(procedure, versionName);
    if (!revision)
      throw new RectifyError('PROCEDURE.REVISION_NOT_FOUND', { procedureId, versionName });
    return this.read(revision);
  }

  private async existing(procedureId: string): Promise<Procedure> {
    const procedure = await this.get(procedureId);
    if (!procedure) throw new RectifyError('PROCEDURE.NOT_FOUND', { procedureId });
    return procedure;
  }
}
