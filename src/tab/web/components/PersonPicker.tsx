import { Field, Input, Select } from '@fluentui/react-components';
import { useSession } from '../api/api-context.js';

export interface PersonRef {
  readonly id: string;
  readonly name: string;
}

/**
 * A person for an action or a consultation. Local mode picks from the sample people; in
 * Teams, until a directory search exists, the MR gives the name and the Entra object id.
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
  const { people } = useSession();
  if (people) {
    return (
      <Field label={label} required={required} validationMessage={validationMessage}>
        <Select
          value={value?.id ?? ''}
          onChange={(_e, d) => {
            const p = people.find((x) => x.id === d.value);
            onChange(p ? { id: p.id, name: p.name } : null);
          }}
        >
          <option value="">Choose…</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      </Field>
    );
  }
  return (
    <>
      <Field label={`${label}: name`} required={required} validationMessage={validationMessage}>
        <Input
          value={value?.name ?? ''}
          onChange={(_e, d) => {
            onChange({ id: value?.id ?? '', name: d.value });
          }}
        />
      </Field>
      <Field label={`${label}: Entra object id`} required={required}>
        <Input
          value={value?.id ?? ''}
          onChange={(_e, d) => {
            onChange({ id: d.value, name: value?.name ?? '' });
          }}
        />
      </Field>
    </>
  );
}
