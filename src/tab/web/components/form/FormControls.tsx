import { mergeClasses } from '@fluentui/react-components';
import { useId, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { useFormControlStyles } from './FormControls.styles.js';

interface FieldProps {
  readonly label: string;
  readonly name?: string;
  readonly required?: boolean;
  readonly hint?: string;
  readonly error?: string | undefined;
  readonly size?: 'small' | 'medium';
}

/** Label, control, hint and message, wired for screen readers (for, aria-describedby). */
function FieldFrame({
  label,
  required,
  hint,
  error,
  id,
  children,
}: FieldProps & { id: string; children: ReactNode }) {
  const styles = useFormControlStyles();
  return (
    <div className={styles.field}>
      <label htmlFor={id} className={styles.label}>
        {label}
        {required && (
          <span aria-hidden="true" className={styles.required}>
            *
          </span>
        )}
      </label>
      {children}
      {hint && (
        <span id={`${id}-hint`} className={styles.hint}>
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className={styles.error} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

const describedBy = (id: string, p: FieldProps) =>
  [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function TextField(
  props: FieldProps & {
    readonly value: string;
    readonly onChange: (value: string) => void;
    readonly type?: 'text' | 'datetime-local' | 'date' | 'search';
    readonly multiline?: boolean;
    readonly rows?: number;
    readonly maxLength?: number;
  },
) {
  const styles = useFormControlStyles();
  const id = useId();
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    maxLength: props.maxLength,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': describedBy(id, props),
    className: mergeClasses(
      styles.control,
      props.multiline && styles.multiline,
      props.error && styles.invalid,
    ),
  };
  return (
    <FieldFrame {...props} id={id}>
      {props.multiline ? (
        <textarea
          {...common}
          rows={props.rows ?? 3}
          onChange={(e) => {
            props.onChange(e.target.value);
          }}
        />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          onChange={(e) => {
            props.onChange(e.target.value);
          }}
        />
      )}
    </FieldFrame>
  );
}

export function SelectField(
  props: FieldProps & {
    readonly value: string;
    readonly onChange: (value: string) => void;
    readonly options: readonly (readonly [value: string, label: string])[];
  },
) {
  const styles = useFormControlStyles();
  const id = useId();
  return (
    <FieldFrame {...props} id={id}>
      <select
        id={id}
        name={props.name}
        value={props.value}
        required={props.required}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props)}
        className={mergeClasses(
          styles.control,
          props.size === 'small' && styles.small,
          props.error && styles.invalid,
        )}
        onChange={(e) => {
          props.onChange(e.target.value);
        }}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function CheckboxField({
  label,
  name,
  checked,
  onChange,
}: {
  label: string;
  name?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const styles = useFormControlStyles();
  return (
    <label className={styles.check}>
      <input
        type="checkbox"
        name={name}
        checked={checked}
        className={styles.box}
        onChange={(e) => {
          onChange(e.target.checked);
        }}
      />
      {label}
    </label>
  );
}

export function PlainButton({
  appearance = 'secondary',
  className,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { appearance?: 'primary' | 'secondary' }) {
  const styles = useFormControlStyles();
  return (
    <button
      type={type}
      {...rest}
      className={mergeClasses(styles.button, appearance === 'primary' && styles.primary, className)}
    />
  );
}
