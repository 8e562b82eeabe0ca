import { Badge } from '@fluentui/react-components';
import type { CarState } from '../api/types.js';
import { STATE_LABELS } from '../app/car-labels.js';

const COLOR: Record<CarState, 'brand' | 'informative' | 'success' | 'warning' | 'subtle'> = {
  reported: 'warning',
  recorded: 'brand',
  investigating: 'brand',
  action_planned: 'brand',
  implementing: 'brand',
  verifying: 'brand',
  closed: 'success',
  rejected: 'subtle',
  merged: 'subtle',
};

export function StateBadge({ state }: { state: CarState }) {
  return (
    <Badge appearance="tint" color={COLOR[state]}>
      {STATE_LABELS[state]}
    </Badge>
  );
}
