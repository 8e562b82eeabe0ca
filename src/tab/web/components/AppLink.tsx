import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../app/router.js';
import { useAppLinkStyles } from './AppLink.styles.js';

/** A link to a client route: a real href (open in a new tab works), navigation without reload. */
export function AppLink({ href, children }: { href: string; children: ReactNode }) {
  const styles = useAppLinkStyles();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} className={styles.link}>
      {children}
    </a>
  );
}
