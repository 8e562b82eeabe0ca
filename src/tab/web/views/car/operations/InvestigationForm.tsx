import { Button, Checkbox, Field, Input, Text, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { CAUSE_CATEGORIES } from '../../../../../domain/car/car-vocabulary.js';
import { useApiData } from '../../../api/api-context.js';
import { CAUSE_LABELS } from '../../../app/car-labels.js';
import { PersonPicker, type PersonRef } from '../../../components/PersonPicker.js';
import { useOpCardStyles } from '../../mr/OpCard.styles.js';
import { draftOf, investigationChanges, type InvestigationDraft } from './investigation-changes.js';
import {
  EnumSelect,
  OperationForm,
  useOperationDraft,
  type OperationProps,
} from './operation-form.js';

type Why = InvestigationDraft['fiveWhys'][number];

function Consultees({
  value,
  onChange,
}: {
  value: readonly PersonRef[];
  onChange: (people: readonly PersonRef[]) => void;
}) {
  const [adding, setAdding] = useState<PersonRef | null>(null);
  return (
    <>
      <Text weight="semibold">Consultees</Text>
      {value.length > 0 && (
        <ul>
          {value.map((p) => (
            <li key={p.id}>
              {p.name}{' '}
              <Button
                size="small"
                onClick={() => {
                  onChange(value.filter((x) => x.id !== p.id));
                }}
              >
                Remove {p.name}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <PersonPicker label="Consultee to add" value={adding} onChange={setAdding} />
      <div>
        <Button
          disabled={!adding?.id || !adding.name || value.some((x) => x.id === adding.id)}
          onClick={() => {
            if (adding) onChange([...value, adding]);
            setAdding(null);
          }}
        >
          Add consultee
        </Button>
      </div>
    </>
  );
}

/** Earlier CARs with the same cause category, asked of the server (a paged query). */
function SimilarCars({
  carId,
  v,
  set,
}: {
  carId: string;
  v: InvestigationDraft;
  set: (patch: Partial<InvestigationDraft>) => void;
}) {
  const category = v.causeCategory;
  const earlier = useApiData(
    (s) =>
      category === ''
        ? Promise.resolve({ items: [], nextCursor: null })
        : s.client.listCars({ causeCategory: [category], sort: 'reportedAt', limit: 50 }),
    [category],
  );
  const similar = (earlier.data?.items ?? []).filter((c) => c.id !== carId && c.number !== null);
  if (category === '')
    return <Text>Choose a cause category to list earlier CARs with the same cause.</Text>;
  if (similar.length === 0)
    return <Text>No earlier CAR has the cause category {CAUSE_LABELS[category]}.</Text>;
  return (
    <div role="group" aria-label="Earlier CARs with the same cause category">
      {similar.map((c) => (
        <Checkbox
          key={c.id}
          label={`${c.number ?? ''}: ${c.report.title}`}
          checked={v.related.includes(c.id)}
          onChange={(_e, d) => {
            set({
              related:
                d.checked === true ? [...v.related, c.id] : v.related.filter((x) => x !== c.id),
            });
          }}
        />
      ))}
    </div>
  );
}

/** Root cause with 5-Whys, cause category, consultees, and the similar-nonconformity check. */
export function InvestigationForm({ car, ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'investigation', () => {
    const base = draftOf(car.investigation);
    return { ...base, base };
  });
  const v = f.value;
  const styles = useOpCardStyles();
  const whys = v.fiveWhys;
  const setWhy = (i: number, patch: Partial<Why>) => {
    f.set({ fiveWhys: whys.map((w, j) => (j === i ? { ...w, ...patch } : w)) });
  };
  return (
    <OperationForm
      ops={ops}
      op="updateInvestigation"
      title="Investigation: root cause (10.2 b)"
      submitLabel="Save investigation"
      body={() => investigationChanges(v.base, v)}
      onSaved={f.reset}
    >
      <Text weight="semibold">5 Whys</Text>
      {whys.map((w, i) => (
        <div key={i} className={styles.row}>
          <Field label={`Why ${i + 1}: question`} className={styles.grow}>
            <Input
              value={w.question}
              onChange={(_e, d) => {
                setWhy(i, { question: d.value });
              }}
            />
          </Field>
          <Field label={`Why ${i + 1}: answer`} className={styles.grow}>
            <Input
              value={w.answer}
              onChange={(_e, d) => {
                setWhy(i, { answer: d.value });
              }}
            />
          </Field>
        </div>
      ))}
      <div className={styles.buttons}>
        <Button
          disabled={whys.length >= 10}
          onClick={() => {
            f.set({ fiveWhys: [...whys, { question: '', answer: '' }] });
          }}
        >
          Add a why
        </Button>
        <Button
          disabled={whys.length <= 1}
          onClick={() => {
            f.set({ fiveWhys: whys.slice(0, -1) });
          }}
        >
          Remove the last why
        </Button>
      </div>
      <Field label="Root cause">
        <Textarea {...f.bind('rootCause')} />
      </Field>
      <EnumSelect
        label="Cause category"
        placeholder="Choose…"
        value={v.causeCategory}
        options={CAUSE_CATEGORIES}
        labels={CAUSE_LABELS}
        onChange={(causeCategory) => {
          f.set({ causeCategory });
        }}
      />
      <Consultees
        value={v.consultees}
        onChange={(consultees) => {
          f.set({ consultees });
        }}
      />
      <Text weight="semibold">Similar nonconformities (10.2 b3)</Text>
      <SimilarCars carId={car.id} v={v} set={f.set} />
      <Field label="Findings of the check">
        <Textarea {...f.bind('findings')} />
      </Field>
      <Checkbox
        label="The check for similar nonconformities is done"
        checked={v.similarDone}
        onChange={(_e, d) => {
          f.set({ similarDone: d.checked === true });
        }}
      />
    </OperationForm>
  );
}
