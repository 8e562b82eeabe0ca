import { makeStyles, tokens } from '@fluentui/react-components';

export const useCarFiltersStyles = makeStyles({
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    marginBottom: tokens.spacingVerticalM,
  },
  wrap: { overflowX: 'auto' },
});
