import { Field, Select } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { AvailableCommand, Car, CommandBody, CommandName } from '../../../api/types.js';
import { offers } from '../../../../../contract/available.js';
import type { CarOperations } from '../use-car-operations.js';
import type { DraftOf } from '../../mr/drafts.js';
import { OpCard } from '../../mr/OpCard.js';

/** What every operation form gets: the CAR on screen, the operations on it, the drafts. */
export interface OperationProps {
  readonly car: Car;
  readonly ops: CarOperations;
  readonly draft: DraftOf;
}

type StringKeys<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];

/**
 * One form's state: the draft (kept above the form so it survives the form disappearing),
 * a binder for text fields and the reset after a save.
 */
export function useOperationDraft<T extends object>(draft: DraftOf, key: string, initial: () => T) {
  const [value, set, reset] = draft(key, initial);
  /** `value` and `onChange` of an Input or Textarea for one text field of the draft. */
  const bind = (field: StringKeys<T>) => ({
    value: value[field] as string,
    onChange: (_e: unknown, d: { value: string }) => {
      set({ [field]: d.value } as Partial<T>);
    },
  });
  return { value, set, reset, bind };
}

/** Whether the CAR's availableCommands offer this command (for this action or link). */
export const offered = (
  car: Car,
  name: CommandName,
  target?: { actionId?: string; linkId?: string },
): AvailableCommand | undefined => offers(car.availableCommands, name, target);

/**
 * One operation as one form: it sends `body()` as `op` on the version shown, shows what the
 * API refused, and resets its draft once saved. Busy while any operation runs.
 */
export function OperationForm<K extends CommandName>({
  ops,
  op,
  scope,
  title,
  submitLabel,
  body,
  onSaved,
  children,
  extraButtons,
  target,
}: {
  ops: CarOperations;
  op: K;
  scope?: string;
  target?: string;
  title: string;
  submitLabel: string;
  body: () => CommandBody<K>;
  onSaved: () => void;
  children?: ReactNode;
  extraButtons?: ReactNode;
}) {
  return (
    <OpCard
      title={title}
      submitLabel={submitLabel}
      busy={ops.busy !== null}
      error={ops.errorFor(op, scope)}
      onSubmit={() =>
        void ops.run(op, body(), submitLabel, scope).then((ok) => {
          if (ok) onSaved();
        })
      }
      extraButtons={extraButtons}
      command={op}
      target={target}
    >
      {children}
    </OpCard>
  );
}

/** A select over one vocabulary, typed by it: what comes back is one of `options` (or ''). */
export function EnumSelect<T extends string>({
  label,
  value,
  options,
  labels,
  onChange,
  required,
  placeholder,
}: {
  label: string;
  value: T | '';
  options: readonly T[];
  labels: Readonly<Record<T, string>>;
  onChange: (value: T | '') => void;
  required?: boolean;
  placeholder?: string;
}) {
  return (
    <Field label={label} required={required}>
      <Select
        value={value}
        onChange={(_e, d) => {
          onChange(options.find((o) => o === d.value) ?? '');
        }}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {labels[o]}
          </option>
        ))}
      </Select>
    </Field>
  );
}
