import { useRef, useState } from 'react';
import { asApiError, useSession } from '../../api/api-context.js';
import { ConflictError, type ApiError } from '../../api/rectify-client.js';
import type { AuditEntry, Car, CommandBody, CommandName } from '../../api/types.js';

export interface Conflict {
  readonly op: CommandName;
  readonly label: string;
  readonly body: unknown;
  /** What the other person did, from the audit trail, since the version this user saw. */
  readonly others: readonly AuditEntry[];
  /** The CAR as it is stored now. */
  readonly current: Car;
}

export interface CarOperations {
  readonly busy: CommandName | null;
  readonly conflict: Conflict | null;
  errorFor(op: CommandName, scope?: string): ApiError | undefined;
  /** Runs `op` on the version shown (If-Match); true when saved. */
  run<K extends CommandName>(
    op: K,
    body: CommandBody<K>,
    label: string,
    scope?: string,
  ): Promise<boolean>;
  /** Sends the change that met the conflict again, now on the current version. */
  redo(): Promise<boolean>;
  dismissConflict(): void;
}

/**
 * Every operation sends If-Match with the ETag of the CAR on screen. On 409 CAR.CONFLICT the
 * screen moves to the current CAR, the other change is listed, and what this user typed stays
 * where it is (the forms keep their own state) so they can look and send it again.
 */
export function useCarOperations(
  car: Car,
  history: readonly AuditEntry[],
  onChanged: (car: Car) => void,
): CarOperations {
  const { client } = useSession();
  const [busy, setBusy] = useState<CommandName | null>(null);
  const [error, setError] = useState<{ key: string; error: ApiError } | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const carRef = useRef(car);
  carRef.current = car;

  const run = async <K extends CommandName>(
    op: K,
    body: CommandBody<K>,
    label: string,
    scope = '',
  ): Promise<boolean> => {
    const seen = carRef.current;
    const knownSequence = history.reduce((m, e) => Math.max(m, e.sequence), 0);
    setBusy(op);
    setError(null);
    try {
      const next = await client.execute(op, seen, body);
      setConflict(null);
      onChanged(next ?? (await client.getCar(seen.id)));
      return true;
    } catch (e) {
      if (e instanceof ConflictError) {
        const [fresh, trail] = await Promise.all([
          client.getCar(seen.id).catch(() => e.current),
          client.history(seen.id).catch(() => [] as readonly AuditEntry[]),
        ]);
        setConflict({
          op,
          label,
          body,
          others: trail.filter((x) => x.sequence > knownSequence),
          current: fresh,
        });
        onChanged(fresh);
      } else {
        setError({ key: `${op}:${scope}`, error: asApiError(e) });
      }
      return false;
    } finally {
      setBusy(null);
    }
  };

  return {
    busy,
    conflict,
    errorFor: (op, scope = '') => (error?.key === `${op}:${scope}` ? error.error : undefined),
    run,
    redo: async () => {
      if (!conflict) return false;
      return run(conflict.op, conflict.body as CommandBody<typeof conflict.op>, conflict.label);
    },
    dismissConflict: () => {
      setConflict(null);
    },
  };
}
