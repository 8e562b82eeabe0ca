import { localDate } from '../domain/calendar/local-date.js';
import { DEFAULT_SERVICE_LEVELS } from '../domain/calendar/service-levels.js';
import { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { Car, type OperationContext } from '../domain/car/car.js';
import { isAllowed, type CarOperation } from '../domain/car/lifecycle.js';
import { isRectifyError, type RectifyError } from '../domain/errors.js';
import { toPersonRef, type Principal } from '../domain/identity.js';
import { mayRun } from './access-policy.js';
import { CAR_COMMAND_NAMES, type CarCommandName } from './car-commands.js';

/**
 * What one person may do with one CAR now: the lifecycle allows the command in the CAR's
 * state and the access policy lets this person run it. A command a gate still blocks (open
 * actions, a missing root cause) is listed with the reason, so that every front end can say
 * why instead of offering a button that fails. The tab's forms and the bot's buttons are
 * drawn from this list; nothing else decides what a front end offers.
 */
export interface AvailableCommand {
  readonly name: CarCommandName;
  /** The action it works on, for the commands on one action (one entry per action). */
  readonly actionId?: string;
  /** The procedure link it works on, for `recordProcedureRevision`. */
  readonly linkId?: string;
  /** Why it cannot run yet; null when it can. */
  readonly blockedBy: string | null;
}

/** The lifecycle operations behind a command: a verification goes one of two ways. */
export const operationsOf = (name: CarCommandName): readonly CarOperation[] =>
  name === 'verifyEffectiveness' ? ['confirmEffective', 'findIneffective'] : [name];

const ACTION_COMMANDS = ['updateAction', 'completeAction', 'cancelAction'] as const;
const isActionCommand = (n: CarCommandName): n is (typeof ACTION_COMMANDS)[number] =>
  (ACTION_COMMANDS as readonly string[]).includes(n);

const PROBE_POLICY = { calendar: new WorkingCalendar(), serviceLevels: DEFAULT_SERVICE_LEVELS };

/**
 * The gates knowable before the person types anything, asked of the domain itself on a copy
 * of the CAR: the same checks the command meets when it runs.
 */
const PROBES: Partial<Record<CarCommandName, (car: Car, ctx: OperationContext) => void>> = {
  planActions: (car, ctx) => {
    car.planActions(ctx);
  },
  startVerification: (car, ctx) => {
    car.startVerification(ctx, PROBE_POLICY);
  },
  verifyEffectiveness: (car, ctx) => {
    car.verifyEffectiveness(ctx, { id: 'probe', effective: true, evidence: 'probe' });
  },
  close: (car, ctx) => {
    car.close(ctx, { summary: 'probe', ismsChangeNeeded: false, feedsManagementReview: false });
  },
  addConsulteeInput: (car, ctx) => {
    car.addConsulteeInput(ctx, { id: 'probe', answer: 'probe' });
  },
};

const MISSING_LABELS: Readonly<Record<string, string>> = {
  rootCause: 'the root cause',
  causeCategory: 'the cause category',
  fiveWhys: 'the 5 Whys',
  similarCheck: 'the check for similar nonconformities',
};

/** A gate's refusal as a person reads it. */
export function reasonOf(e: RectifyError): string {
  const list = (key: string): readonly unknown[] => {
    const v = e.details[key];
    return Array.isArray(v) ? v : [];
  };
  switch (e.code) {
    case 'CAR.OPEN_ACTIONS': {
      const n = list('openActions').length;
      return `${n} action${n === 1 ? '' : 's'} still open`;
    }
    case 'CAR.ROOT_CAUSE_MISSING':
      return `Still needed: ${list('missing')
        .map((m) => MISSING_LABELS[String(m)] ?? String(m))
        .join(', ')}`;
    default:
      return e.message;
  }
}

type Probe = { kind: 'open' } | { kind: 'blocked'; reason: string } | { kind: 'refused' };

function probe(principal: Principal, car: Car, name: CarCommandName): Probe {
  const run = PROBES[name];
  if (!run) return { kind: 'open' };
  const ctx: OperationContext = {
    actor: toPersonRef(principal),
    now: '1970-01-01T00:00:00.000Z',
    today: localDate('1970-01-01'),
  };
  try {
    run(Car.fromPrimitives(car.toPrimitives()), ctx);
    return { kind: 'open' };
  } catch (e) {
    if (!isRectifyError(e)) throw e;
    if (e.kind === 'forbidden') return { kind: 'refused' };
    if (e.kind === 'invalid_state') return { kind: 'blocked', reason: reasonOf(e) };
    return { kind: 'open' };
  }
}

export function availableCommands(principal: Principal, car: Car): AvailableCommand[] {
  const out: AvailableCommand[] = [];
  for (const name of CAR_COMMAND_NAMES) {
    if (!operationsOf(name).some((op) => isAllowed(op, car.state))) continue;
    if (isActionCommand(name)) {
      for (const a of car.actions)
        if (a.status === 'open' && mayRun(principal, car, name, { actionId: a.id }))
          out.push({ name, actionId: a.id, blockedBy: null });
      continue;
    }
    if (!mayRun(principal, car, name)) continue;
    if (name === 'recordProcedureRevision') {
      for (const l of car.procedureLinks)
        if (l.newRevision === null) out.push({ name, linkId: l.id, blockedBy: null });
      continue;
    }
    const p = probe(principal, car, name);
    if (p.kind === 'refused') continue;
    out.push({ name, blockedBy: p.kind === 'blocked' ? p.reason : null });
  }
  return out;
}
