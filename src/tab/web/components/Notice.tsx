import { mergeClasses } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useNoticeStyles } from './Notice.styles.js';

/**
 * A message bar for the report view, drawn with Fluent tokens: Fluent's MessageBar (with its
 * motion and icons) would weigh on the first load. Other views use MessageBar itself.
 */
export function Notice({
  intent,
  title,
  titleId,
  children,
}: {
  intent: 'success' | 'error' | 'warning';
  title?: string;
  titleId?: string;
  children?: ReactNode;
}) {
  const styles = useNoticeStyles();
  return (
    <div
      role={intent === 'success' ? 'status' : 'alert'}
      className={mergeClasses(styles.base, styles[intent])}
    >
      {title && (
        <span className={styles.title} id={titleId}>
          {title}
        </span>
      )}
      {children && <span>{children}</span>}
    </div>
  );
}
