import { Button } from '@fluentui/react-components';
import { useState } from 'react';
import { asApiError } from '../api/api-context.js';
import type { ApiError } from '../api/rectify-client.js';
import type { Download } from '../api/types.js';
import { ErrorBar } from './ErrorBar.js';

/** Hands a fetched file to the browser as a download; the object URL is freed afterwards. */
export function saveDownload({ blob, fileName }: Download): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 60_000);
}

/**
 * A button that fetches a file through the API client (the token stays in the header) and
 * saves it; what failed is shown next to it.
 */
export function DownloadButton({
  label,
  load,
  appearance = 'secondary',
}: {
  label: string;
  load: () => Promise<Download>;
  appearance?: 'secondary' | 'primary' | 'subtle';
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <>
      <Button
        appearance={appearance}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          load().then(
            (d) => {
              saveDownload(d);
              setBusy(false);
            },
            (e: unknown) => {
              setError(asApiError(e));
              setBusy(false);
            },
          );
        }}
      >
        {busy ? `${label}…` : label}
      </Button>
      {error && <ErrorBar error={error} title={`${label}: not downloaded`} />}
    </>
  );
}
