import { Select, Field, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useFrame } from '../../host/frame-context.js';
import { useConfigStyles } from './ConfigView.styles.js';

/** What a channel, chat or meeting tab of Rectify can show. */
export const TAB_CHOICES = [
  {
    id: 'committee',
    path: '/committee',
    name: 'Rectify committee',
    label: 'Committee meeting (agenda and decisions)',
  },
  { id: 'report', path: '/report', name: 'Rectify', label: 'Report an ISMS event' },
  {
    id: 'register',
    path: '/committee/register',
    name: 'Rectify register',
    label: 'CAR register (committee)',
  },
] as const;
type Choice = (typeof TAB_CHOICES)[number];

/** The tab's settings: where Teams opens it, in the meeting side panel and stage too. */
export const tabConfigOf = (choice: Choice) => ({
  contentUrl: `${window.location.origin}${choice.path}${choice.path.includes('?') ? '&' : '?'}host=teams`,
  websiteUrl: `${window.location.origin}${choice.path}`,
  entityId: `rectify-${choice.id}`,
  suggestedDisplayName: choice.name,
});

/**
 * The configurable tab's configuration page: the person chooses what the tab shows, and
 * Teams saves it with `pages.config.setConfig` when they press Save. In a browser it shows
 * what would be saved.
 */
export function ConfigView() {
  const { offerConfig } = useFrame();
  const styles = useConfigStyles();
  const [id, setId] = useState<Choice['id']>('committee');
  const choice = TAB_CHOICES.find((c) => c.id === id) ?? TAB_CHOICES[0];
  const config = tabConfigOf(choice);
  useEffect(() => {
    offerConfig?.(config);
  }, [offerConfig, config.contentUrl]);
  return (
    <div className={styles.page}>
      <Text as="h2" size={500} weight="semibold">
        Set up the Rectify tab
      </Text>
      <Field label="The tab shows">
        <Select
          value={id}
          onChange={(_e, d) => {
            const next = TAB_CHOICES.find((c) => c.id === d.value);
            if (next) setId(next.id);
          }}
        >
          {TAB_CHOICES.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </Select>
      </Field>
      <Text as="p">
        In a meeting the committee page shows the agenda and the decision form in the side panel,
        and can share the agenda to the stage.
      </Text>
      <Text as="p" size={200}>
        {offerConfig ? 'Press Save to add the tab.' : 'Outside Teams nothing is saved.'} Address:{' '}
        <code data-testid="config-url">{config.contentUrl}</code>
      </Text>
    </div>
  );
}
