import { Text } from '@fluentui/react-components';

/** Kept to plain text: a spinner component would weigh on the report view's first load. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return <Text role="status">{label}</Text>;
}
