import { Button, Field, Input, Select, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useSession } from '../../api/api-context.js';
import { ApiError } from '../../api/rectify-client.js';
import type { Car } from '../../api/types.js';
import { CLASSIFICATION_LABELS, SEVERITY_LABELS } from '../../app/car-labels.js';
import { CLASSIFICATIONS, SEVERITIES } from '../../../../domain/car/car-vocabulary.js';
import { useQueueStyles } from './QueueView.styles.js';

type Classification = (typeof CLASSIFICATIONS)[number];
type Severity = (typeof SEVERITIES)[number];

const name = (c: Car): string => c.number ?? `"${c.report.title}"`;

/**
 * Triage of several new reports at once: record them all with one classification and
 * severity, or reject them all with one reason. Each runs on the version the MR saw, so a
 * report someone changed meanwhile is left for the MR to open.
 */
export function BulkTriage({
  cars,
  onDone,
}: {
  cars: readonly Car[];
  onDone: (outcome: string) => void;
}) {
  const { client } = useSession();
  const styles = useQueueStyles();
  const [classification, setClassification] = useState<Classification>('minor_nc');
  const [severity, setSeverity] = useState<Severity>('medium');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const fresh = cars.filter((c) => c.state === 'reported');
  const past = cars.length - fresh.length;

  const run = async (verb: 'recorded' | 'rejected', one: (car: Car) => Promise<unknown>) => {
    setBusy(true);
    const failed: string[] = [];
    let done = 0;
    for (const car of fresh) {
      try {
        await one(car);
        done += 1;
      } catch (e) {
        failed.push(
          `${name(car)}: ${e instanceof ApiError && e.status === 409 ? 'changed meanwhile, open it to triage' : e instanceof Error ? e.message : 'not changed'}`,
        );
      }
    }
    setBusy(false);
    onDone([`${String(done)} of ${String(fresh.length)} ${verb}.`, ...failed].join(' '));
  };

  return (
    <section className={styles.bulk} aria-label="Triage the selected reports">
      <Text weight="semibold">
        {cars.length} selected
        {past > 0 ? `; ${String(past)} already past triage and left as they are` : ''}
      </Text>
      <div className={styles.bulkRow}>
        <Field label="Classification">
          <Select
            value={classification}
            onChange={(_e, d) => {
              setClassification(d.value as Classification);
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
            value={severity}
            onChange={(_e, d) => {
              setSeverity(d.value as Severity);
            }}
          >
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_LABELS[s]}
              </option>
            ))}
          </Select>
        </Field>
        <Button
          appearance="primary"
          disabled={busy || fresh.length === 0}
          onClick={() => {
            void run('recorded', (car) =>
              client.execute('record', car, { classification, severity }),
            );
          }}
        >
          Record {fresh.length} as CARs
        </Button>
      </div>
      <div className={styles.bulkRow}>
        <Field label="Reason for rejecting (the reporters see it)">
          <Input
            value={reason}
            maxLength={2000}
            onChange={(_e, d) => {
              setReason(d.value);
            }}
          />
        </Field>
        <Button
          disabled={busy || fresh.length === 0 || reason.trim().length === 0}
          onClick={() => {
            void run('rejected', (car) => client.execute('reject', car, { reason: reason.trim() }));
          }}
        >
          Reject {fresh.length}
        </Button>
      </div>
    </section>
  );
}
