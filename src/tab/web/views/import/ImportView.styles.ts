import { makeStyles, tokens } from '@fluentui/react-components';

export const useImportStyles = makeStyles({
  page: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    maxWidth: '960px',
  },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  mapping: { fontFamily: tokens.fontFamilyMonospace, minHeight: '6em' },
  table: {
    borderCollapse: 'collapse',
    '& th, & td': { textAlign: 'left', padding: tokens.spacingHorizontalXS },
  },
});
