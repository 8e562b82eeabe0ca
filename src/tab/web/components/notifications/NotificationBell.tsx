import * as calls from '../../api/more-calls.js';
import { Text, mergeClasses } from '@fluentui/react-components';
import { useEffect, useId, useRef, useState } from 'react';
import { asApiError, useApiData, useSession } from '../../api/api-context.js';
import type { ApiError } from '../../api/rectify-client.js';
import { formatDateTime } from '../../app/labels.js';
import { AppLink } from '../AppLink.js';
import { PlainButton } from '../form/FormControls.js';
import { usePolling } from '../use-polling.js';
import { useBellStyles } from './NotificationBell.styles.js';

/** A bell, drawn inline: an icon package would weigh on every page's first load. */
function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M10 2a5 5 0 0 0-5 5v3.6L3.6 13.4A.75.75 0 0 0 4.25 14.5h11.5a.75.75 0 0 0 .65-1.1L15 10.6V7a5 5 0 0 0-5-5Zm0 16a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 10 18Z"
      />
    </svg>
  );
}

/**
 * The reminder inbox in the header: the unread count on a bell, the list under it, each
 * reminder marked read on its own. Asked again every minute while the page is visible.
 */
export function NotificationBell() {
  const { client } = useSession();
  const styles = useBellStyles();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState<ApiError | null>(null);
  const page = useApiData((s) => calls.notifications(s.client), []);
  usePolling(page.reload, 60_000);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    const onClick = (e: MouseEvent) => {
      if (root.current && e.target instanceof Node && !root.current.contains(e.target))
        setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  // A server without the inbox routes has no reminders to show.
  if (page.error?.code === 'ROUTE.NOT_FOUND') return null;
  const unread = page.data?.unread ?? 0;
  const items = page.data?.items ?? [];

  const markRead = async (key: string) => {
    setBusy(key);
    setFailed(null);
    try {
      await calls.markNotificationRead(client, key);
    } catch (e) {
      setFailed(asApiError(e));
    } finally {
      setBusy(null);
      page.reload();
    }
  };

  return (
    <div className={styles.root} ref={root}>
      <button
        type="button"
        className={styles.bell}
        aria-expanded={open}
        aria-controls={listId}
        aria-label={`Notifications, ${unread} unread`}
        onClick={() => {
          setOpen((o) => !o);
        }}
      >
        <BellIcon />
        {unread > 0 && (
          <span className={styles.count} aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      <div
        id={listId}
        className={mergeClasses(styles.panel, !open && styles.hidden)}
        role="region"
        aria-label="Notifications"
      >
        <Text weight="semibold">
          Notifications{page.data ? ` (${unread} unread of ${page.data.total})` : ''}
        </Text>
        {page.error && <Text role="alert">{page.error.title}</Text>}
        {failed && <Text role="alert">Not marked as read: {failed.title}</Text>}
        {page.data && items.length === 0 && <Text as="p">Nothing to remind you of.</Text>}
        {items.length > 0 && (
          <ul className={styles.list}>
            {items.map((n) => (
              <li
                key={n.id}
                className={mergeClasses(styles.item, n.readAt === null && styles.unread)}
                data-read={n.readAt === null ? 'no' : 'yes'}
              >
                <Text>{n.text}</Text>
                <Text size={200}>
                  {n.carId ? (
                    <AppLink href={`/cars/${n.carId}`}>{n.carNumber ?? 'Open the CAR'}</AppLink>
                  ) : null}{' '}
                  {formatDateTime(n.deliveredAt)}
                </Text>
                {n.readAt === null && (
                  <div>
                    <PlainButton
                      disabled={busy !== null}
                      onClick={() => void markRead(n.id)}
                      aria-label={`Mark as read: ${n.text}`}
                    >
                      Mark as read
                    </PlainButton>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
