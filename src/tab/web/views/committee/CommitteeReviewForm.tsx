import { Field, Input, Textarea } from '@fluentui/react-components';
import type { AuditEntry, Car } from '../../api/types.js';
import { ConflictNotice } from '../car/ConflictNotice.js';
import { useCarOperations, type CarOperations } from '../car/use-car-operations.js';
import { OpCard } from '../mr/OpCard.js';
import { useOpCardStyles } from '../mr/OpCard.styles.js';
import { useState } from 'react';

const today = () => new Date().toISOString().slice(0, 10);

function ReviewForm({ ops }: { ops: CarOperations }) {
  const [v, setV] = useState({ meetingDate: today(), minutesRef: '', decision: '', followUp: '' });
  const set = (patch: Partial<typeof v>) => {
    setV((x) => ({ ...x, ...patch }));
  };
  const styles = useOpCardStyles();
  return (
    <OpCard
      title="Record a committee review"
      submitLabel="Record review"
      busy={ops.busy !== null}
      error={ops.errorFor('addCommitteeReview')}
      onSubmit={() =>
        void ops
          .run(
            'addCommitteeReview',
            {
              meetingDate: v.meetingDate,
              minutesRef: v.minutesRef,
              decision: v.decision,
              followUp: v.followUp.trim() || null,
            },
            'Record review',
          )
          .then((ok) => {
            if (ok) setV({ meetingDate: today(), minutesRef: '', decision: '', followUp: '' });
          })
      }
    >
      <div className={styles.row}>
        <Field label="Meeting date" required>
          <Input
            type="date"
            value={v.meetingDate}
            onChange={(_e, d) => {
              set({ meetingDate: d.value });
            }}
          />
        </Field>
        <Field label="Minutes reference" className={styles.grow}>
          <Input
            value={v.minutesRef}
            onChange={(_e, d) => {
              set({ minutesRef: d.value });
            }}
          />
        </Field>
      </div>
      <Field label="Decision" required>
        <Textarea
          value={v.decision}
          onChange={(_e, d) => {
            set({ decision: d.value });
          }}
        />
      </Field>
      <Field label="Follow-up">
        <Textarea
          value={v.followUp}
          onChange={(_e, d) => {
            set({ followUp: d.value });
          }}
        />
      </Field>
    </OpCard>
  );
}

function StandaloneReview({
  car,
  history,
  onChanged,
}: {
  car: Car;
  history: readonly AuditEntry[];
  onChanged: (car: Car) => void;
}) {
  const ops = useCarOperations(car, history, onChanged);
  return (
    <>
      <ConflictNotice ops={ops} />
      <ReviewForm ops={ops} />
    </>
  );
}

/** A Steering Committee review of one CAR: meeting date, minutes reference, decision. */
export function CommitteeReviewForm({
  car,
  history = [],
  onChanged,
  ops,
}: {
  car: Car;
  history?: readonly AuditEntry[];
  onChanged: (car: Car) => void;
  ops?: CarOperations;
}) {
  return ops ? (
    <ReviewForm ops={ops} />
  ) : (
    <StandaloneReview car={car} history={history} onChanged={onChanged} />
  );
}
