import type { z } from 'zod';
import type { CarCommandSchemas, ReportInputSchema } from '../../../application/car-commands.js';
import type { AuditEntry } from '../../../domain/audit/audit-entry.js';
import type { CarAction, CarPrimitives } from '../../../domain/car/car.js';
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

/** A CAR as `GET /api/cars/{id}` answers it. */
export interface Car extends CarPrimitives {
  readonly etag: string;
  readonly updatedAt: string;
  readonly nextDueDate: string | null;
  readonly overdue: boolean;
}

export type { AuditEntry, CarAction, CarState, Role };
export type Action = CarAction;

export interface Me {
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
}

export interface MyAction {
  readonly carId: string;
  readonly carNumber: string | null;
  readonly carState: CarState;
  readonly carTitle: string | null;
  readonly etag: string;
  readonly action: CarAction;
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

/** `GET /api/committee/meetings/{date}/agenda`. */
export interface AgendaResponse {
  readonly meeting: Meeting | null;
  readonly agenda: Agenda;
}

/** What the one pass answered for one CAR (meeting-service's DecisionResult). */
export type DecisionResult =
  | {
      readonly carId: string;
      readonly status: 'ok';
      readonly alreadyReviewed: boolean;
      readonly etag: string;
    }
  | { readonly carId: string; readonly status: 'conflict'; readonly currentEtag: string }
  | {
      readonly carId: string;
      readonly status: 'error';
      readonly code: string;
      readonly message: string;
    };

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

/** One action's task on the board, live (`GET /api/cars/{id}/tasks`). */
export interface ActionTask {
  readonly actionId: string;
  readonly actionTitle: string;
  readonly task: {
    readonly board: string;
    readonly id: string;
    readonly title: string;
    readonly bucket: 'corrective' | 'training' | 'effectiveness' | null;
    readonly percentComplete: number;
    readonly completedAt: string | null;
    readonly url: string;
  } | null;
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
