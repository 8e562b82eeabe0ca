import * as calls from '../../api/more-calls.js';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { useState } from 'react';
import { asApiError, useSession } from '../../api/api-context.js';
import type { ApiError } from '../../api/rectify-client.js';
import type { AgendaResponse, DecisionInput, DecisionResult } from '../../api/types.js';
import { useCommitteeStyles } from './Committee.styles.js';

type AgendaCar = AgendaResponse['agenda']['newSinceLast'][number];

interface Typed {
  readonly decision: string;
  readonly followUp: string;
  readonly minutesRef: string;
}
const EMPTY: Typed = { decision: '', followUp: '', minutesRef: '' };

/** Every CAR on the agenda once, in the order of the sections. */
export function agendaCars(agenda: AgendaResponse['agenda']): AgendaCar[] {
  const all: AgendaCar[] = [
    ...agenda.awaitingDecision,
    ...agenda.foundIneffective,
    ...agenda.overdueActions,
    ...agenda.newSinceLast,
    ...agenda.previousReview,
    ...agenda.closedSinceLast,
  ];
  const seen = new Set<string>();
  return all.filter((c) => !seen.has(c.id) && seen.add(c.id));
}

const resultText = (r: DecisionResult): string =>
  r.status === 'ok'
    ? r.alreadyReviewed
      ? 'Already reviewed at this meeting: nothing added'
      : 'Recorded'
    : r.status === 'conflict'
      ? 'Not recorded: the CAR changed meanwhile. What you typed is kept; send again to record it on the current version'
      : `Not recorded: ${r.message}`;

/**
 * The committee's decisions for one meeting, one row per CAR, sent in one pass. Each CAR
 * answers for itself; rows that were not recorded keep what was typed, and the agenda is read
 * again so that sending again uses each CAR's current version.
 */
export function DecisionForm({
  date,
  data,
  narrow,
  onSubmitted,
}: {
  date: string;
  data: AgendaResponse;
  narrow: boolean;
  onSubmitted: () => void;
}) {
  const { client } = useSession();
  const styles = useCommitteeStyles();
  const [typed, setTyped] = useState<Readonly<Record<string, Typed>>>({});
  const [results, setResults] = useState<readonly DecisionResult[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [nothing, setNothing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [minutesRef, setMinutesRef] = useState('');

  const reviewed = new Set(data.agenda.reviewedAtThisMeeting);
  const cars = agendaCars(data.agenda).filter((c) => !reviewed.has(c.id));
  const done = data.meeting?.status === 'done';
  const set = (carId: string, patch: Partial<Typed>) => {
    setTyped((t) => ({ ...t, [carId]: { ...(t[carId] ?? EMPTY), ...patch } }));
  };
  const name = (c: AgendaCar) => c.number ?? c.title;

  const submit = async () => {
    const decisions: DecisionInput[] = cars
      .filter((c) => (typed[c.id]?.decision.trim() ?? '') !== '')
      .map((c) => {
        const t = typed[c.id] ?? EMPTY;
        return {
          carId: c.id,
          etag: c.etag,
          decision: t.decision.trim(),
          followUp: t.followUp.trim() || null,
          minutesRef: (t.minutesRef.trim() || minutesRef.trim()).slice(0, 300),
        };
      });
    setNothing(decisions.length === 0);
    if (decisions.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const outcome = await calls.decide(client, date, decisions);
      setResults(outcome.results);
      const recorded = new Set(
        outcome.results.filter((r) => r.status === 'ok').map((r) => r.carId),
      );
      setTyped((t) => Object.fromEntries(Object.entries(t).filter(([id]) => !recorded.has(id))));
      onSubmitted();
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const carName = (id: string): string => {
    const c = agendaCars(data.agenda).find((x) => x.id === id);
    return c ? name(c) : id;
  };

  return (
    <section aria-labelledby="decisions-title" className={styles.page}>
      <Text as="h3" size={500} weight="semibold" id="decisions-title">
        Decisions of this meeting
      </Text>
      {results && (
        <MessageBar
          intent={results.every((r) => r.status === 'ok') ? 'success' : 'warning'}
          role="status"
          layout="multiline"
        >
          <MessageBarBody>
            <MessageBarTitle>
              {results.filter((r) => r.status === 'ok').length} of {results.length} decisions
              recorded
            </MessageBarTitle>
            <ul aria-label="What each CAR answered">
              {results.map((r) => (
                <li key={r.carId} data-result={r.status}>
                  {carName(r.carId)}: {resultText(r)}
                </li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>
            <MessageBarTitle>Nothing was recorded</MessageBarTitle>
            {error.title}
            {error.errors.length > 0 && (
              <ul>
                {error.errors.map((x) => (
                  <li key={`${x.field}:${x.message}`}>
                    {x.field}: {x.message}
                  </li>
                ))}
              </ul>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      {data.meeting === null && (
        <Text as="p">This meeting is not planned: plan it to record decisions.</Text>
      )}
      {done && <Text as="p">This meeting is done: its decisions are recorded.</Text>}
      {reviewed.size > 0 && (
        <Text as="p">Reviewed at this meeting: {[...reviewed].map(carName).join(', ')}.</Text>
      )}
      {data.meeting !== null && !done && cars.length === 0 && (
        <Text as="p">No CAR on this agenda waits for a decision.</Text>
      )}
      {data.meeting !== null && !done && cars.length > 0 && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void submit();
          }}
        >
          <Field label="Minutes reference for every row left empty" hint="e.g. SC-2026-12 item 4">
            <Input
              value={minutesRef}
              onChange={(_e, d) => {
                setMinutesRef(d.value);
              }}
            />
          </Field>
          {cars.map((c) => {
            const t = typed[c.id] ?? EMPTY;
            const r = results?.find((x) => x.carId === c.id);
            return (
              <fieldset key={c.id} className={styles.decisionRow} data-car-id={c.id}>
                <legend>
                  <Text weight="semibold">
                    {name(c)}
                    {c.number ? `: ${c.title}` : ''}
                  </Text>
                </legend>
                {r && r.status !== 'ok' && (
                  <Text role="status" className={styles.result}>
                    {resultText(r)}
                  </Text>
                )}
                <div className={narrow ? styles.narrowFields : styles.decisionFields}>
                  <Field label={`Decision on ${name(c)}`}>
                    <Textarea
                      value={t.decision}
                      resize="vertical"
                      onChange={(_e, d) => {
                        set(c.id, { decision: d.value });
                      }}
                    />
                  </Field>
                  <Field label={`Follow-up on ${name(c)}`}>
                    <Textarea
                      value={t.followUp}
                      resize="vertical"
                      onChange={(_e, d) => {
                        set(c.id, { followUp: d.value });
                      }}
                    />
                  </Field>
                  <Field label={`Minutes reference for ${name(c)}`}>
                    <Input
                      value={t.minutesRef}
                      onChange={(_e, d) => {
                        set(c.id, { minutesRef: d.value });
                      }}
                    />
                  </Field>
                </div>
              </fieldset>
            );
          })}
          {nothing && (
            <Text as="p" role="alert">
              Type a decision for at least one CAR.
            </Text>
          )}
          <Button type="submit" appearance="primary" disabled={busy}>
            {busy ? 'Recording…' : 'Record all decisions'}
          </Button>
        </form>
      )}
    </section>
  );
}
