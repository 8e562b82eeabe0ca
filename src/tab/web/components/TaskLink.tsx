import type { ReactNode } from 'react';
import { AppLink } from './AppLink.js';
import { useAppLinkStyles } from './AppLink.styles.js';

/** A task's address: a route of the tab (the local board) or the board's own page (Planner). */
export function TaskLink({ url, children }: { url: string; children: ReactNode }) {
  const styles = useAppLinkStyles();
  if (url.startsWith('/')) return <AppLink href={url}>{children}</AppLink>;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" className={styles.link}>
      {children}
    </a>
  );
}
