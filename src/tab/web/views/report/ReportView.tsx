import { Text } from '@fluentui/react-components';
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import {
  RELATES_TO,
  REPORT_TYPES,
  SOURCES,
  type ReportType,
  type Source,
} from '../../../../domain/car/car-vocabulary.js';
import { asApiError, useSession } from '../../api/api-context.js';
import type { ApiError } from '../../api/rectify-client.js';
import type { Car } from '../../api/types.js';
import {
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SOURCE_LABELS,
  formatDateTime,
} from '../../app/labels.js';
import { AppLink } from '../../components/AppLink.js';
import {
  CheckboxField,
  PlainButton,
  SelectField,
  TextField,
} from '../../components/form/FormControls.js';
import { Notice } from '../../components/Notice.js';
import {
  checkFields,
  clearDraft,
  loadDraft,
  newDraft,
  saveDraft,
  toReportInput,
  type ReportDraft,
  type ReportFields,
} from './report-draft.js';
import { useReportViewStyles } from './ReportView.styles.js';

/** Report an ISMS event: every member, in under a minute, nothing lost on a failed submit. */
export function ReportView() {
  const { client, me } = useSession();
  const styles = useReportViewStyles();
  const [draft, setDraft] = useState<ReportDraft>(() => loadDraft(me.id));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<Car | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    performance.mark('rectify:report-view-rendered');
  }, []);

  const fields = draft.fields;
  const update = <K extends keyof ReportFields>(key: K, value: ReportFields[K]) => {
    setDraft((d) => {
      const next = { ...d, fields: { ...d.fields, [key]: value } };
      saveDraft(me.id, next);
      return next;
    });
    setErrors((e) => {
      if (!(key in e)) return e;
      return Object.fromEntries(Object.entries(e).filter(([k]) => k !== key));
    });
  };

  const focusFirstError = (found: Record<string, string>) => {
    const first = Object.keys(found)[0];
    if (!first) return;
    formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (sending) return;
    const found = checkFields(fields);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    setSending(true);
    saveDraft(me.id, draft);
    try {
      const car = await client.report(toReportInput(fields), draft.idempotencyKey);
      clearDraft(me.id);
      setSent(car);
    } catch (e) {
      const error = asApiError(e);
      const fromApi = Object.fromEntries(
        error.errors.map((x) => [x.field.split('.')[0] ?? x.field, x.message]),
      );
      setErrors(fromApi);
      setFailure(error);
      focusFirstError(fromApi);
    } finally {
      setSending(false);
    }
  };

  const startOver = (keepFields: boolean) => {
    const next = newDraft(keepFields ? fields : undefined);
    if (keepFields) saveDraft(me.id, next);
    setDraft(next);
    setFailure(null);
    setErrors({});
    setSent(null);
  };

  if (sent) {
    return (
      <section className={styles.confirmation} aria-labelledby="report-sent">
        <Notice intent="success" title="Thank you: your report was received" titleId="report-sent">
          The Management Representative will decide whether it needs a corrective action report
          (CAR).
        </Notice>
        <Text as="p">
          <strong>{sent.report.title}</strong> ({REPORT_TYPE_LABELS[sent.report.type]}), reported{' '}
          {formatDateTime(sent.reportedAt)}
          {sent.report.confidential ? ', handled confidentially' : ''}.
        </Text>
        <Text as="p">
          Follow it under <AppLink href={`/cars/${sent.id}`}>this report</AppLink> or in{' '}
          <AppLink href="/my-reports">My reports</AppLink>: you see its state, its CAR number once
          it is recorded, and who holds the next step.
        </Text>
        <div className={styles.buttons}>
          <PlainButton
            appearance="primary"
            onClick={() => {
              startOver(false);
            }}
          >
            Report another event
          </PlainButton>
        </div>
      </section>
    );
  }

  const reused = failure?.code === 'IDEMPOTENCY.KEY_REUSED';
  return (
    <form
      ref={formRef}
      className={styles.form}
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-labelledby="report-heading"
    >
      <Text as="h2" size={600} weight="semibold" id="report-heading">
        Report an ISMS event
      </Text>
      <Text as="p">
        Reports are blame-free. Fields marked * are needed; the rest helps the investigation.
      </Text>
      {failure && (
        <Notice intent="error" title="Not sent">
          {reused
            ? 'An earlier attempt of this report already reached Rectify with different content. Check My reports; to send this version as well, send it as a new report.'
            : `${failure.title}. Your report is kept in this browser: correct it or try again.`}
        </Notice>
      )}
      <SelectField
        label="What kind of event is it?"
        name="type"
        required
        error={errors.type}
        value={fields.type}
        onChange={(v) => {
          update('type', v as ReportType | '');
        }}
        options={[['', 'Choose…'], ...REPORT_TYPES.map((t) => [t, REPORT_TYPE_LABELS[t]] as const)]}
      />
      <fieldset
        className={styles.group}
        aria-describedby={errors.relatesTo ? 'relates-error' : undefined}
      >
        <legend className={styles.legend}>
          It relates to <span aria-hidden="true">*</span>
        </legend>
        <div className={styles.choices}>
          {RELATES_TO.map((r, i) => (
            <CheckboxField
              key={r}
              name={i === 0 ? 'relatesTo' : `relatesTo-${r}`}
              label={RELATES_TO_LABELS[r]}
              checked={fields.relatesTo.includes(r)}
              onChange={(on) => {
                update(
                  'relatesTo',
                  RELATES_TO.filter((x) => (x === r ? on : fields.relatesTo.includes(x))),
                );
              }}
            />
          ))}
        </div>
        {errors.relatesTo && (
          <Text id="relates-error" className={styles.error} role="alert">
            {errors.relatesTo}
          </Text>
        )}
      </fieldset>
      <TextField
        label="Title"
        name="title"
        required
        error={errors.title}
        hint="One line, e.g. “Visitor badge not returned”"
        value={fields.title}
        maxLength={200}
        onChange={(v) => {
          update('title', v);
        }}
      />
      <TextField
        label="What happened?"
        name="description"
        required
        multiline
        rows={4}
        error={errors.description}
        value={fields.description}
        onChange={(v) => {
          update('description', v);
        }}
      />
      <div className={styles.row}>
        <TextField
          label="When did it happen?"
          name="occurredAt"
          type="datetime-local"
          error={errors.occurredAt}
          value={fields.occurredAt}
          onChange={(v) => {
            update('occurredAt', v);
          }}
        />
        <TextField
          label="Where?"
          name="location"
          error={errors.location}
          value={fields.location}
          onChange={(v) => {
            update('location', v);
          }}
        />
      </div>
      <TextField
        label="Who or what is affected?"
        name="affected"
        error={errors.affected}
        value={fields.affected}
        onChange={(v) => {
          update('affected', v);
        }}
      />
      <TextField
        label="Immediate action already taken"
        name="immediateAction"
        multiline
        error={errors.immediateAction}
        value={fields.immediateAction}
        onChange={(v) => {
          update('immediateAction', v);
        }}
      />
      <SelectField
        label="How was it recognised?"
        name="source"
        error={errors.source}
        value={fields.source}
        onChange={(v) => {
          update('source', v as Source);
        }}
        options={SOURCES.map((x) => [x, SOURCE_LABELS[x]] as const)}
      />
      <CheckboxField
        name="confidential"
        checked={fields.confidential}
        label="Handle confidentially (only the MR and the Steering Committee see it)"
        onChange={(on) => {
          update('confidential', on);
        }}
      />
      <div className={styles.buttons}>
        <PlainButton appearance="primary" type="submit" disabled={sending}>
          {sending ? 'Sending…' : 'Send report'}
        </PlainButton>
        {reused && (
          <PlainButton
            onClick={() => {
              startOver(true);
            }}
          >
            Send as a new report
          </PlainButton>
        )}
      </div>
    </form>
  );
}
