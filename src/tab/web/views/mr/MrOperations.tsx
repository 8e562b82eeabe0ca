import {
  Button,
  Checkbox,
  Field,
  Input,
  Radio,
  RadioGroup,
  Select,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { useState } from 'react';
import { RevisionForm } from './RevisionForm.js';
import {
  ACTION_KINDS,
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  SEVERITIES,
  type ActionKind,
  type CauseCategory,
  type Classification,
  type Severity,
} from '../../../../domain/car/car-vocabulary.js';
import { isAllowed, type CarOperation } from '../../../../domain/car/lifecycle.js';
import { useApiData } from '../../api/api-context.js';
import type { AuditEntry, Car } from '../../api/types.js';
import {
  ACTION_KIND_LABELS,
  CAUSE_LABELS,
  CLASSIFICATION_LABELS,
  SEVERITY_LABELS,
} from '../../app/car-labels.js';
import { PersonPicker, type PersonRef } from '../../components/PersonPicker.js';
import { Stack } from '../../components/Section.js';
import { CommitteeReviewForm } from '../committee/CommitteeReviewForm.js';
import { ConflictNotice } from '../car/ConflictNotice.js';
import { useCarOperations, type CarOperations } from '../car/use-car-operations.js';
import { useDrafts, type DraftOf } from './drafts.js';
import { OpCard } from './OpCard.js';
import { useOpCardStyles } from './OpCard.styles.js';

interface FormProps {
  readonly car: Car;
  readonly ops: CarOperations;
  readonly draft: DraftOf;
}

const allowed = (car: Car, op: CarOperation) => isAllowed(op, car.state);
const orNull = (s: string) => (s.trim() ? s.trim() : undefined);

function Triage({ ops, draft }: FormProps) {
  const [v, set, reset] = draft<{
    classification: Classification | '';
    severity: Severity | '';
    rejectReason: string;
    target: string;
    mergeReason: string;
  }>('triage', () => ({
    classification: '',
    severity: '',
    rejectReason: '',
    target: '',
    mergeReason: '',
  }));
  const styles = useOpCardStyles();
  return (
    <>
      <OpCard
        title="Record as a CAR and classify"
        submitLabel="Record CAR"
        busy={ops.busy !== null}
        error={ops.errorFor('record')}
        onSubmit={() =>
          void ops
            .run(
              'record',
              {
                classification: v.classification as Classification,
                severity: v.severity as Severity,
              },
              'Record CAR',
            )
            .then((ok) => ok && reset())
        }
      >
        <div className={styles.row}>
          <Field label="Classification" required>
            <Select
              value={v.classification}
              onChange={(_e, d) => {
                set({ classification: d.value as Classification });
              }}
            >
              <option value="">Choose…</option>
              {CLASSIFICATIONS.map((c) => (
                <option key={c} value={c}>
                  {CLASSIFICATION_LABELS[c]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Severity" required>
            <Select
              value={v.severity}
              onChange={(_e, d) => {
                set({ severity: d.value as Severity });
              }}
            >
              <option value="">Choose…</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {SEVERITY_LABELS[s]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      </OpCard>
      <OpCard
        title="Reject: no CAR needed"
        submitLabel="Reject"
        busy={ops.busy !== null}
        error={ops.errorFor('reject')}
        onSubmit={() =>
          void ops.run('reject', { reason: v.rejectReason }, 'Reject').then((ok) => ok && reset())
        }
      >
        <Field label="Reason (the reporter sees it)" required>
          <Textarea
            value={v.rejectReason}
            onChange={(_e, d) => {
              set({ rejectReason: d.value });
            }}
          />
        </Field>
      </OpCard>
      <OpCard
        title="Merge into an existing CAR (duplicate)"
        submitLabel="Merge"
        busy={ops.busy !== null}
        error={ops.errorFor('merge')}
        onSubmit={() =>
          void ops
            .run('merge', { target: v.target, reason: v.mergeReason }, 'Merge')
            .then((ok) => ok && reset())
        }
      >
        <Field label="CAR number it duplicates" required hint="e.g. CAR-2026-0007">
          <Input
            value={v.target}
            onChange={(_e, d) => {
              set({ target: d.value });
            }}
          />
        </Field>
        <Field label="Why it is a duplicate" required>
          <Textarea
            value={v.mergeReason}
            onChange={(_e, d) => {
              set({ mergeReason: d.value });
            }}
          />
        </Field>
      </OpCard>
    </>
  );
}

function Reclassify({ car, ops, draft }: FormProps) {
  const [v, set, reset] = draft('reclassify', () => ({
    classification: car.classification ?? 'minor_nc',
    severity: car.severity ?? 'medium',
    reason: '',
  }));
  const styles = useOpCardStyles();
  return (
    <OpCard
      title="Change classification or severity"
      submitLabel="Reclassify"
      busy={ops.busy !== null}
      error={ops.errorFor('reclassify')}
      onSubmit={() =>
        void ops
          .run(
            'reclassify',
            { classification: v.classification, severity: v.severity, reason: orNull(v.reason) },
            'Reclassify',
          )
          .then((ok) => ok && reset())
      }
    >
      <div className={styles.row}>
        <Field label="Classification">
          <Select
            value={v.classification}
            onChange={(_e, d) => {
              set({ classification: d.value as Classification });
            }}
          >
            {CLASSIFICATIONS.map((c) => (
              <option key={c} value={c}>
                {CLASSIFICATION_LABELS[c]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Severity">
          <Select
            value={v.severity}
            onChange={(_e, d) => {
              set({ severity: d.value as Severity });
            }}
          >
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_LABELS[s]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Why" className={styles.grow}>
          <Input
            value={v.reason}
            onChange={(_e, d) => {
              set({ reason: d.value });
            }}
          />
        </Field>
      </div>
    </OpCard>
  );
}

function Containment({ car, ops, draft }: FormProps) {
  const [v, set, reset] = draft('containment', () => ({
    description: car.containment?.description ?? '',
  }));
  return (
    <OpCard
      title="Containment and correction (10.2 a)"
      submitLabel="Save containment"
      busy={ops.busy !== null}
      error={ops.errorFor('recordContainment')}
      onSubmit={() =>
        void ops
          .run('recordContainment', { description: v.description }, 'Save containment')
          .then((ok) => ok && reset())
      }
    >
      <Field label="What was done to contain it and correct it" required>
        <Textarea
          value={v.description}
          onChange={(_e, d) => {
            set({ description: d.value });
          }}
        />
      </Field>
    </OpCard>
  );
}

/** Root cause with 5-Whys, cause category, consultees, and the similar-nonconformity check. */
function Investigation({ car, ops, draft }: FormProps) {
  const inv = car.investigation;
  const [v, set, reset] = draft<{
    fiveWhys: readonly { question: string; answer: string }[];
    rootCause: string;
    causeCategory: CauseCategory | '';
    consultees: readonly PersonRef[];
    similarDone: boolean;
    findings: string;
    related: readonly string[];
  }>('investigation', () => ({
    fiveWhys: inv.fiveWhys.length > 0 ? inv.fiveWhys : [{ question: '', answer: '' }],
    rootCause: inv.rootCause ?? '',
    causeCategory: inv.causeCategory ?? '',
    consultees: inv.consultees,
    similarDone: inv.similarCheck?.done ?? false,
    findings: inv.similarCheck?.findings ?? '',
    related: inv.similarCheck?.relatedCarIds ?? [],
  }));
  const earlier = useApiData((s) => s.client.listCars({ limit: 200, sort: 'reportedAt' }), []);
  const similar = (earlier.data?.items ?? []).filter(
    (c) =>
      c.id !== car.id &&
      c.number !== null &&
      v.causeCategory !== '' &&
      c.investigation.causeCategory === v.causeCategory,
  );
  const styles = useOpCardStyles();
  const whys = v.fiveWhys;
  const setWhy = (i: number, patch: Partial<{ question: string; answer: string }>) => {
    set({ fiveWhys: whys.map((w, j) => (j === i ? { ...w, ...patch } : w)) });
  };
  return (
    <OpCard
      title="Investigation: root cause (10.2 b)"
      submitLabel="Save investigation"
      busy={ops.busy !== null}
      error={ops.errorFor('updateInvestigation')}
      onSubmit={() =>
        void ops
          .run(
            'updateInvestigation',
            {
              fiveWhys: whys.filter((w) => w.question.trim() || w.answer.trim()),
              rootCause: v.rootCause.trim() || null,
              causeCategory: v.causeCategory || null,
              consultees: [...v.consultees],
              similarCheck: {
                done: v.similarDone,
                findings: v.findings,
                relatedCarIds: [...v.related],
              },
            },
            'Save investigation',
          )
          .then((ok) => ok && reset())
      }
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
            set({ fiveWhys: [...whys, { question: '', answer: '' }] });
          }}
        >
          Add a why
        </Button>
        <Button
          disabled={whys.length <= 1}
          onClick={() => {
            set({ fiveWhys: whys.slice(0, -1) });
          }}
        >
          Remove the last why
        </Button>
      </div>
      <Field label="Root cause">
        <Textarea
          value={v.rootCause}
          onChange={(_e, d) => {
            set({ rootCause: d.value });
          }}
        />
      </Field>
      <Field label="Cause category">
        <Select
          value={v.causeCategory}
          onChange={(_e, d) => {
            set({ causeCategory: d.value as CauseCategory });
          }}
        >
          <option value="">Choose…</option>
          {CAUSE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CAUSE_LABELS[c]}
            </option>
          ))}
        </Select>
      </Field>
      <Consultees
        value={v.consultees}
        onChange={(consultees) => {
          set({ consultees });
        }}
      />
      <Text weight="semibold">Similar nonconformities (10.2 b3)</Text>
      {v.causeCategory === '' ? (
        <Text>Choose a cause category to list earlier CARs with the same cause.</Text>
      ) : similar.length === 0 ? (
        <Text>No earlier CAR has the cause category {CAUSE_LABELS[v.causeCategory]}.</Text>
      ) : (
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
      )}
      <Field label="Findings of the check">
        <Textarea
          value={v.findings}
          onChange={(_e, d) => {
            set({ findings: d.value });
          }}
        />
      </Field>
      <Checkbox
        label="The check for similar nonconformities is done"
        checked={v.similarDone}
        onChange={(_e, d) => {
          set({ similarDone: d.checked === true });
        }}
      />
    </OpCard>
  );
}

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

function Transitions({ car, ops, draft }: FormProps) {
  const [v, set, reset] = draft('transition', () => ({ reason: '' }));
  const steps: {
    op: CarOperation &
      ('startInvestigation' | 'planActions' | 'startImplementation' | 'startVerification');
    label: string;
  }[] = [
    { op: 'startInvestigation', label: 'Start the investigation' },
    { op: 'planActions', label: 'Confirm the action plan' },
    { op: 'startImplementation', label: 'Start implementing' },
    { op: 'startVerification', label: 'Start effectiveness verification' },
  ];
  const open = steps.filter((s) => allowed(car, s.op));
  if (open.length === 0) return null;
  const error = open.map((s) => ops.errorFor(s.op)).find((e) => e !== undefined);
  return (
    <OpCard
      title="Next step"
      submitLabel={open[0]?.label ?? ''}
      busy={ops.busy !== null}
      error={error}
      onSubmit={() => {
        const step = open[0];
        if (step)
          void ops
            .run(step.op, { reason: orNull(v.reason) }, step.label)
            .then((ok) => ok && reset());
      }}
    >
      <Field label="Note for the history (optional)">
        <Input
          value={v.reason}
          onChange={(_e, d) => {
            set({ reason: d.value });
          }}
        />
      </Field>
    </OpCard>
  );
}

function AddAction({ car, ops, draft }: FormProps) {
  const [v, set, reset] = draft<{
    kind: ActionKind;
    title: string;
    description: string;
    owner: PersonRef | null;
    dueDate: string;
    steps: string;
  }>('addAction', () => ({
    kind: 'corrective',
    title: '',
    description: '',
    owner: null,
    dueDate: '',
    steps: '',
  }));
  const styles = useOpCardStyles();
  const days = car.classification === 'ofi' ? 30 : 14;
  return (
    <OpCard
      title="Add an action (10.2 c)"
      submitLabel="Add action"
      busy={ops.busy !== null}
      error={ops.errorFor('addAction')}
      onSubmit={() =>
        void ops
          .run(
            'addAction',
            {
              kind: v.kind,
              title: v.title,
              description: v.description,
              owner: v.owner ?? { id: '', name: '' },
              ...(v.dueDate ? { dueDate: v.dueDate } : {}),
              steps: v.steps
                .split('\n')
                .map((s) => s.trim())
                .filter(Boolean),
            },
            'Add action',
          )
          .then((ok) => ok && reset())
      }
    >
      <div className={styles.row}>
        <Field label="Kind" required>
          <Select
            value={v.kind}
            onChange={(_e, d) => {
              set({ kind: d.value as ActionKind });
            }}
          >
            {ACTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {ACTION_KIND_LABELS[k]}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label="Due date"
          hint={`Empty: the service level, ${days} working days by default for this classification`}
        >
          <Input
            type="date"
            value={v.dueDate}
            onChange={(_e, d) => {
              set({ dueDate: d.value });
            }}
          />
        </Field>
      </div>
      <Field label="Action title" required>
        <Input
          value={v.title}
          onChange={(_e, d) => {
            set({ title: d.value });
          }}
        />
      </Field>
      <Field label="Description">
        <Textarea
          value={v.description}
          onChange={(_e, d) => {
            set({ description: d.value });
          }}
        />
      </Field>
      <PersonPicker
        label="Owner"
        required
        value={v.owner}
        onChange={(owner) => {
          set({ owner });
        }}
      />
      <Field label="Steps (one a line)">
        <Textarea
          value={v.steps}
          onChange={(_e, d) => {
            set({ steps: d.value });
          }}
        />
      </Field>
    </OpCard>
  );
}

function OpenActions({ car, ops, draft }: FormProps) {
  const open = car.actions.filter((a) => a.status === 'open');
  if (open.length === 0) return null;
  return (
    <>
      {open.map((a) => {
        const [v, set, reset] = draft(`action:${a.id}`, () => ({ note: '', cancel: '' }));
        return (
          <OpCard
            key={a.id}
            title={`Action: ${a.title} (${a.owner.name}, due ${a.dueDate})`}
            submitLabel="Mark done"
            busy={ops.busy !== null || !allowed(car, 'completeAction')}
            error={ops.errorFor('completeAction', a.id) ?? ops.errorFor('cancelAction', a.id)}
            onSubmit={() =>
              void ops
                .run('completeAction', { actionId: a.id, note: v.note }, 'Mark done', a.id)
                .then((ok) => ok && reset())
            }
            extraButtons={
              <Button
                disabled={ops.busy !== null || !v.cancel.trim()}
                onClick={() =>
                  void ops
                    .run(
                      'cancelAction',
                      { actionId: a.id, reason: v.cancel },
                      'Cancel action',
                      a.id,
                    )
                    .then((ok) => ok && reset())
                }
              >
                Cancel the action
              </Button>
            }
          >
            <Field label="Completion note">
              <Input
                value={v.note}
                onChange={(_e, d) => {
                  set({ note: d.value });
                }}
              />
            </Field>
            <Field label="Reason to cancel">
              <Input
                value={v.cancel}
                onChange={(_e, d) => {
                  set({ cancel: d.value });
                }}
              />
            </Field>
          </OpCard>
        );
      })}
    </>
  );
}

function Procedures({ car, ops, draft }: FormProps) {
  const [v, set, reset] = draft('linkProcedure', () => ({
    procedureId: '',
    title: '',
    revisionInForce: '',
  }));
  const styles = useOpCardStyles();
  return (
    <>
      {allowed(car, 'linkProcedure') && (
        <OpCard
          title="Link a procedure revision"
          submitLabel="Link procedure"
          busy={ops.busy !== null}
          error={ops.errorFor('linkProcedure')}
          onSubmit={() =>
            void ops.run('linkProcedure', v, 'Link procedure').then((ok) => ok && reset())
          }
        >
          <div className={styles.row}>
            <Field label="Procedure id" required hint="e.g. ISMSP02">
              <Input
                value={v.procedureId}
                onChange={(_e, d) => {
                  set({ procedureId: d.value });
                }}
              />
            </Field>
            <Field label="Revision in force" required hint="e.g. 1.0">
              <Input
                value={v.revisionInForce}
                onChange={(_e, d) => {
                  set({ revisionInForce: d.value });
                }}
              />
            </Field>
          </div>
          <Field label="Procedure title">
            <Input
              value={v.title}
              onChange={(_e, d) => {
                set({ title: d.value });
              }}
            />
          </Field>
        </OpCard>
      )}
      {allowed(car, 'recordProcedureRevision') &&
        car.procedureLinks
          .filter((l) => l.newRevision === null)
          .map((l) => <RevisionForm key={l.id} link={l} ops={ops} draft={draft} />)}
    </>
  );
}

function Verification({ ops, draft }: FormProps) {
  const [v, set, reset] = draft('verify', () => ({ effective: '', evidence: '' }));
  return (
    <OpCard
      title="Effectiveness verification (10.2 d)"
      submitLabel="Record verification"
      busy={ops.busy !== null}
      error={ops.errorFor('verifyEffectiveness')}
      onSubmit={() =>
        void ops
          .run(
            'verifyEffectiveness',
            { effective: v.effective === 'yes', evidence: v.evidence },
            'Record verification',
          )
          .then((ok) => ok && reset())
      }
    >
      <Field label="Were the actions effective?" required>
        <RadioGroup
          value={v.effective}
          onChange={(_e, d) => {
            set({ effective: d.value });
          }}
        >
          <Radio value="yes" label="Effective" />
          <Radio value="no" label="Not effective: reopen the investigation" />
        </RadioGroup>
      </Field>
      <Field label="Evidence" required>
        <Textarea
          value={v.evidence}
          onChange={(_e, d) => {
            set({ evidence: d.value });
          }}
        />
      </Field>
    </OpCard>
  );
}

function Close({ ops, draft }: FormProps) {
  const [v, set, reset] = draft('close', () => ({
    summary: '',
    ismsChangeNeeded: false,
    ismsChangeDescription: '',
    feedsManagementReview: true,
  }));
  return (
    <OpCard
      title="Close the CAR (10.2 e)"
      submitLabel="Close CAR"
      busy={ops.busy !== null}
      error={ops.errorFor('close')}
      onSubmit={() =>
        void ops
          .run(
            'close',
            {
              summary: v.summary,
              ismsChangeNeeded: v.ismsChangeNeeded,
              ismsChangeDescription: v.ismsChangeNeeded ? v.ismsChangeDescription : null,
              feedsManagementReview: v.feedsManagementReview,
            },
            'Close CAR',
          )
          .then((ok) => ok && reset())
      }
    >
      <Field label="Closing summary" required>
        <Textarea
          value={v.summary}
          onChange={(_e, d) => {
            set({ summary: d.value });
          }}
        />
      </Field>
      <Checkbox
        label="The ISMS itself needed a change"
        checked={v.ismsChangeNeeded}
        onChange={(_e, d) => {
          set({ ismsChangeNeeded: d.checked === true });
        }}
      />
      {v.ismsChangeNeeded && (
        <Field label="The ISMS change">
          <Textarea
            value={v.ismsChangeDescription}
            onChange={(_e, d) => {
              set({ ismsChangeDescription: d.value });
            }}
          />
        </Field>
      )}
      <Checkbox
        label="Feeds the next management review"
        checked={v.feedsManagementReview}
        onChange={(_e, d) => {
          set({ feedsManagementReview: d.checked === true });
        }}
      />
    </OpCard>
  );
}

function Reopen({ ops, draft }: FormProps) {
  const [v, set, reset] = draft('reopen', () => ({ reason: '' }));
  return (
    <OpCard
      title="Reopen the CAR"
      submitLabel="Reopen"
      busy={ops.busy !== null}
      error={ops.errorFor('reopen')}
      onSubmit={() =>
        void ops.run('reopen', { reason: v.reason }, 'Reopen').then((ok) => ok && reset())
      }
    >
      <Field label="Why it is reopened" required>
        <Textarea
          value={v.reason}
          onChange={(_e, d) => {
            set({ reason: d.value });
          }}
        />
      </Field>
    </OpCard>
  );
}

/** The MR's side of a CAR: every operation the lifecycle allows now, each with If-Match. */
export function MrOperations({
  car,
  history,
  onChanged,
}: {
  car: Car;
  history: readonly AuditEntry[];
  onChanged: (car: Car) => void;
}) {
  const ops = useCarOperations(car, history, onChanged);
  const draft = useDrafts();
  const props: FormProps = { car, ops, draft };
  return (
    <Stack>
      <Text as="h3" size={500} weight="semibold">
        Work on this CAR
      </Text>
      <ConflictNotice ops={ops} />
      {allowed(car, 'record') && <Triage {...props} />}
      <Transitions {...props} />
      {allowed(car, 'recordContainment') && <Containment {...props} />}
      {allowed(car, 'updateInvestigation') && <Investigation {...props} />}
      {allowed(car, 'addAction') && <AddAction {...props} />}
      {allowed(car, 'cancelAction') && <OpenActions {...props} />}
      <Procedures {...props} />
      {allowed(car, 'confirmEffective') && <Verification {...props} />}
      {allowed(car, 'close') && <Close {...props} />}
      {allowed(car, 'reopen') && <Reopen {...props} />}
      {allowed(car, 'reclassify') && <Reclassify {...props} />}
      <CommitteeReviewForm car={car} onChanged={onChanged} ops={ops} />
    </Stack>
  );
}
