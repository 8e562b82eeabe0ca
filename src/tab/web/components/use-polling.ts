import { useEffect } from 'react';

/**
 * Calls `refresh` every `everyMs` while the page is visible, and once when it becomes visible
 * again: a hidden tab asks the server nothing.
 */
export function usePolling(refresh: () => void, everyMs: number): void {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') refresh();
    }, everyMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh, everyMs]);
}
