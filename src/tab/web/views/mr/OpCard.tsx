import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
} from '@fluentui/react-components';
import { useId, type SyntheticEvent, type ReactNode } from 'react';
import type { ApiError } from '../../api/rectify-client.js';
import { useOpCardStyles } from './OpCard.styles.js';

/** One operation as a small form: its fields, one submit, and what the API refused. */
export function OpCard({
  title,
  submitLabel,
  onSubmit,
  busy,
  error,
  children,
  extraButtons,
  command,
  target,
}: {
  title: string;
  submitLabel: string;
  onSubmit: () => void;
  busy: boolean;
  error?: ApiError | undefined;
  children?: ReactNode;
  extraButtons?: ReactNode;
  /** The command this form runs, and the action or link it aims at (for tests and tools). */
  command?: string;
  target?: string;
}) {
  const styles = useOpCardStyles();
  const id = useId();
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    if (!busy) onSubmit();
  };
  return (
    <form
      className={styles.card}
      onSubmit={submit}
      aria-labelledby={id}
      noValidate
      data-command={command}
      data-target={target}
    >
      <Text as="h4" weight="semibold" id={id}>
        {title}
      </Text>
      {error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>
            <MessageBarTitle>Not saved</MessageBarTitle>
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
      {children}
      <div className={styles.buttons}>
        <Button type="submit" appearance="primary" disabled={busy}>
          {submitLabel}
        </Button>
        {extraButtons}
      </div>
    </form>
  );
}
