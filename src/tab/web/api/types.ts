import type { z } from 'zod';
import type { CarCommandSchemas, ReportInputSchema } from '../../../application/car-commands.js';
import type { AuditEntry } from '../../../domain/audit/audit-entry.js';
import type { CarAction } from '../../../domain/car/car.js';
import type {
  ActionTask,
  CarResource,
  DecisionResult,
  MyAction,
} from '../../../contract/resources.js';
import type { AvailableCommand } from '../../../contract/available.js';
import type { CarState } from '../../../domain/car/lifecycle.js';
import type { PersonRef, Role } from '../../../domain/identity.js';
import type { Agenda } from '../../../application/committee/agenda.js';
import type { Meeting } from '../../../application/committee/meetings.js';
import type { BoardTask as BoardTaskFields } from '../../../application/ports/task-board.js';
import type { Kpis } from '../../../application/committee/kpis.js';
import type { InboxItem } from '../../../application/reminders/inbox.js';
import type { Procedure, ProcedureRevision } from '../../../domain/procedure/procedure.js';

/**
 * What the REST API sends and takes, typed from the server's own schemas and domain types
 * (type-only imports: nothing of zod or the domain's code reaches the browser bundle).
 */

/** A CAR as `GET /api/cars/{id}` answers it (the API's own resource schema). */
export type Car = CarResource;

export type {
  ActionTask,
  AuditEntry,
  AvailableCommand,
  CarAction,
  CarState,
  DecisionResult,
  MyAction,
  Role,
};
export type Action = CarAction;

export interface Me {
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** The body of `POST /api/cars`. */
export type ReportInput = z.input<typeof ReportInputSchema>;

export type CommandName = keyof typeof CarCommandSchemas;
/** The body of one lifecycle operation (the operation name travels in the URL). */
export type CommandBody<K extends CommandName> = Omit<z.input<(typeof CarCommandSchemas)[K]>, 'op'>;

export interface CarListFilter {
  readonly state?: readonly string[];
  readonly type?: readonly string[];
  readonly classification?: readonly string[];
  readonly causeCategory?: readonly string[];
  readonly cursor?: string;
  readonly overdue?: boolean;
  readonly q?: string;
  readonly owner?: string;
  readonly sort?: 'reportedAt' | 'updatedAt' | 'number' | 'dueDate';
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
}

/** A sample person of local mode (`GET /dev/people`). */
export interface SamplePerson {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly jobTitle: string;
  readonly roles: readonly string[];
  readonly description: string;
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type { Agenda, Kpis, Meeting, PersonRef, Procedure, ProcedureRevision };
export type { ImportReport } from '../../../application/register-import/import-report.js';

/** `GET /api/committee/meetings/{date}/agenda`. */
export interface AgendaResponse {
  readonly meeting: Meeting | null;
  readonly agenda: Agenda;
}

/** One row of the committee's one-pass decision form. */
export interface DecisionInput {
  readonly carId: string;
  readonly etag: string;
  readonly decision: string;
  readonly followUp: string | null;
  readonly minutesRef: string;
}

export interface DecisionsOutcome {
  readonly results: readonly DecisionResult[];
  readonly meeting: Meeting;
}

/** One reminder in the caller's notification list (`GET /api/me/notifications`). */
export type Notification = InboxItem;

export interface NotificationPage {
  readonly items: readonly Notification[];
  readonly unread: number;
  readonly total: number;
}

/** A task of the local board (`GET /api/board/tasks`), with its details. */
export interface BoardTask extends BoardTaskFields {
  readonly description?: string;
  readonly references?: readonly { readonly url: string; readonly alias: string }[];
}

/** A file the API sends for download (PDF, CSV, XLSX). */
export interface Download {
  readonly blob: Blob;
  readonly fileName: string;
}
