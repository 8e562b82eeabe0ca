import * as calls from '../../api/more-calls.js';
import { Checkbox, Field, Input, Text, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { useApiData, useSession } from '../../api/api-context.js';
import type { Car, PersonRef } from '../../api/types.js';
import { PersonPicker } from '../../components/PersonPicker.js';
import type { CarOperations } from '../car/use-car-operations.js';
import type { DraftOf } from './drafts.js';
import { OpCard } from './OpCard.js';

type Link = Car['procedureLinks'][number];

const unique = (people: readonly PersonRef[]): PersonRef[] => {
  const seen = new Set<string>();
  return people.filter((p) => p.id !== '' && !seen.has(p.id) && seen.add(p.id));
};

/**
 * The MR records the new revision a procedure change produced, and who is trained on it: by
 * default the people and groups the procedure library configures for the procedure.
 */
export function RevisionForm({
  link,
  ops,
  draft,
}: {
  link: Link;
  ops: CarOperations;
  draft: DraftOf;
}) {
  const { people } = useSession();
  const procedure = useApiData(
    (s) => calls.procedure(s.client, link.procedureId),
    [link.procedureId],
  );
  const [r, setR, resetR] = draft(`revision:${link.id}`, () => ({
    newRevision: '',
    changelog: '',
    // Null until the MR changes the selection: the library's training people then apply.
    trainees: null as readonly PersonRef[] | null,
  }));
  const [adding, setAdding] = useState<PersonRef | null>(null);
  const training = procedure.data?.training;
  const defaults = unique([...(training?.people ?? []), ...(training?.groups ?? [])]);
  const groupIds = new Set((training?.groups ?? []).map((g) => g.id));
  const selected = r.trainees ?? defaults;
  const candidates = unique([
    ...defaults,
    ...selected,
    ...(people ?? []).map((p) => ({ id: p.id, name: p.name })),
  ]);
  const toggle = (person: PersonRef, on: boolean) => {
    const next = on ? unique([...selected, person]) : selected.filter((p) => p.id !== person.id);
    setR({ trainees: next });
  };
  const loadingDefaults = procedure.loading && !procedure.data && !procedure.error;

  return (
    <OpCard
      title={`New revision of ${link.procedureId} (in force: ${link.revisionInForce})`}
      submitLabel="Record revision"
      busy={ops.busy !== null || loadingDefaults}
      error={ops.errorFor('recordProcedureRevision', link.id)}
      onSubmit={() =>
        void ops
          .run(
            'recordProcedureRevision',
            {
              linkId: link.id,
              newRevision: r.newRevision,
              changelog: r.changelog,
              trainees: selected.map((p) => ({ id: p.id, name: p.name })),
            },
            'Record revision',
            link.id,
          )
          .then((ok) => ok && resetR())
      }
    >
      <Field label="New revision" required>
        <Input
          value={r.newRevision}
          onChange={(_e, d) => {
            setR({ newRevision: d.value });
          }}
        />
      </Field>
      <Field label="Change log (cite the CAR number)" required>
        <Textarea
          value={r.changelog}
          onChange={(_e, d) => {
            setR({ changelog: d.value });
          }}
        />
      </Field>
      <fieldset>
        <legend>Trained on the new revision</legend>
        {loadingDefaults && <Text role="status">Reading the procedure's training people…</Text>}
        {procedure.error && (
          <Text as="p">
            The library has no training people for {link.procedureId}: choose them here.
          </Text>
        )}
        {candidates.map((p) => (
          <Checkbox
            key={p.id}
            label={`${p.name}${groupIds.has(p.id) ? ' (group)' : ''}${defaults.some((d) => d.id === p.id) ? ', from the procedure' : ''}`}
            checked={selected.some((x) => x.id === p.id)}
            onChange={(_e, d) => {
              toggle(p, d.checked === true);
            }}
          />
        ))}
        <PersonPicker label="Add a trainee" value={adding} onChange={setAdding} />
        <button
          type="button"
          disabled={!adding}
          onClick={() => {
            if (adding?.id && adding.name) toggle(adding, true);
            setAdding(null);
          }}
        >
          Add
        </button>
        {selected.length === 0 && !loadingDefaults && (
          <Text as="p">Nobody is chosen: no training action will be created.</Text>
        )}
      </fieldset>
    </OpCard>
  );
}
