import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../app/router.js';
import { useFrame } from '../host/frame-context.js';
import { useAppLinkStyles } from './AppLink.styles.js';

/**
 * A link to a client route: a real href (open in a new tab works), navigation without reload.
 * In the 320 px meeting side panel a page opens outside the panel (a Teams dialog), so the
 * panel keeps its agenda and nothing overflows it.
 */
export function AppLink({ href, children }: { href: string; children: ReactNode }) {
  const styles = useAppLinkStyles();
  const { frame, openOutside } = useFrame();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (frame === 'sidePanel') openOutside(new URL(href, window.location.href).href, 'Rectify');
    else navigate(href);
  };
  return (
    <a href={href} onClick={onClick} className={styles.link}>
      {children}
    </a>
  );
}
