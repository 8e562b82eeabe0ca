import type { z } from 'zod';
import type { CarCommandSchemas, ReportInputSchema } from '../../../application/car-commands.js';
import type { AuditEntry } from '../../../domain/audit/audit-entry.js';
import type { CarAction, CarPrimitives } from '../../../domain/car/car.js';
import type { CarState } from '../../../domain/car/lifecycle.js';
import type { Role } from '../../../domain/identity.js';

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
