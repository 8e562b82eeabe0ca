import { makeStyles, tokens } from '@fluentui/react-components';

export const usePersonPickerStyles = makeStyles({
  status: {
    display: 'block',
    minHeight: tokens.lineHeightBase200,
    color: tokens.colorNeutralForeground2,
  },
});
