import { Combobox, Field, Option, Persona, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useId, useState } from 'react';
import { useSession } from '../api/api-context.js';
import { searchPeople } from '../api/more-calls.js';
import type { DirectoryPerson } from '../api/types.js';
import { usePersonPickerStyles } from './PersonPicker.styles.js';

export interface PersonRef {
  readonly id: string;
  readonly name: string;
}

/** Wait this long after the last keystroke before asking the directory. */
const TYPING_PAUSE_MS = 200;

/**
 * A person from the organisation directory (members and guests), found by typing the start of
 * a name or address: a Fluent combobox whose options come from `GET /api/people`, each with
 * initials, name and address. Arrow keys move through the options, Enter picks, Escape closes;
 * the number of matches is announced to screen readers. Nobody ever types an object id.
 */
export function PersonPicker({
  label,
  value,
  onChange,
  required = false,
  validationMessage,
}: {
  label: string;
  value: PersonRef | null;
  onChange: (person: PersonRef | null) => void;
  required?: boolean;
  validationMessage?: string | undefined;
}) {
  const { client } = useSession();
  const styles = usePersonPickerStyles();
  const statusId = useId();
  const [text, setText] = useState(value?.name ?? '');
  const [found, setFound] = useState<readonly DirectoryPerson[]>([]);
  const [state, setState] = useState<'idle' | 'searching' | 'done' | 'failed'>('idle');
  // Opened when the directory answers what was typed (the answer comes after the keystroke).
  const [open, setOpen] = useState(false);

  useEffect(() => {
    setText(value?.name ?? '');
  }, [value?.id, value?.name]);

  useEffect(() => {
    const q = text.trim();
    if (q === '' || q === value?.name) {
      setFound([]);
      setState('idle');
      return;
    }
    let live = true;
    setState('searching');
    const timer = setTimeout(() => {
      searchPeople(client, q).then(
        (people) => {
          if (!live) return;
          setFound(people);
          setState('done');
          setOpen(true);
        },
        () => {
          if (live) setState('failed');
        },
      );
    }, TYPING_PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, text, value?.name]);

  const status =
    state === 'searching'
      ? 'Searching the directory…'
      : state === 'failed'
        ? 'The directory could not be searched; try again.'
        : state === 'done'
          ? found.length === 0
            ? 'Nobody found: try the start of a first or last name.'
            : `${found.length} ${found.length === 1 ? 'person' : 'people'} found`
          : '';

  return (
    <Field label={label} required={required} validationMessage={validationMessage}>
      <Combobox
        aria-describedby={statusId}
        placeholder="Type the start of a name"
        value={text}
        selectedOptions={value ? [value.id] : []}
        open={open && found.length + (state === 'done' ? 1 : 0) > 0}
        onOpenChange={(_e, d) => {
          setOpen(d.open);
        }}
        onInput={(e) => {
          setText((e.target as HTMLInputElement).value);
          if (value) onChange(null);
        }}
        onOptionSelect={(_e, d) => {
          const p = found.find((x) => x.id === d.optionValue);
          if (!p) return;
          onChange({ id: p.id, name: p.name });
          setText(p.name);
          setOpen(false);
        }}
      >
        {found.map((p) => (
          <Option key={p.id} value={p.id} text={p.name}>
            <Persona
              name={p.name}
              secondaryText={[p.email, p.guest ? 'Guest' : null].filter(Boolean).join(' · ')}
              avatar={{ color: 'colorful' }}
              size="small"
            />
          </Option>
        ))}
        {state === 'done' && found.length === 0 && (
          <Option disabled value="" text="">
            Nobody found
          </Option>
        )}
      </Combobox>
      <Text id={statusId} size={200} className={styles.status} aria-live="polite">
        {state === 'searching' ? <Spinner size="extra-tiny" as="span" /> : null} {status}
      </Text>
    </Field>
  );
}
