import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { ApiError } from '../api/rectify-client.js';

/** A failed call as people read it: the API's title, never a stack or `toString()`. */
export function ErrorBar({
  error,
  title = 'Something went wrong',
}: {
  error: ApiError;
  title?: string;
}) {
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>
          {error.status === 404
            ? 'Not found'
            : error.code === 'CAR.INTEGRITY_FAILED'
              ? 'Integrity check failed'
              : title}
        </MessageBarTitle>
        {error.title}
        {error.correlationId ? ` (reference ${error.correlationId})` : ''}
      </MessageBarBody>
    </MessageBar>
  );
}
