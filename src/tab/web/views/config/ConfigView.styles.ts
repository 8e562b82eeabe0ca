import { makeStyles, tokens } from '@fluentui/react-components';

export const useConfigStyles = makeStyles({
  page: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    maxWidth: '560px',
    overflowWrap: 'anywhere',
  },
});
