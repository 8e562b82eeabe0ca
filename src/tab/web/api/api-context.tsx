import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { RectifyClient } from './rectify-client.js';
import { ApiError } from './rectify-client.js';
import type { Me, SamplePerson } from './types.js';

export interface Session {
  readonly client: RectifyClient;
  readonly me: Me;
  /** Local mode: the sample people to pick owners and consultees from; null in Teams. */
  readonly people: readonly SamplePerson[] | null;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session; views under <RequireSession> may rely on it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in view');
  return session;
}

export const hasRole = (me: Me, role: 'mr' | 'committee'): boolean => me.roles.includes(role);

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
  readonly set: (value: T) => void;
}

const asApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, 'CLIENT.UNEXPECTED', 'Something went wrong.');

/** Loads `load(client)` when the deps change; `reload` asks again, `set` replaces the data. */
export function useApiData<T>(
  load: (session: Session) => Promise<T>,
  deps: readonly unknown[],
): Loaded<T> {
  const session = useSession();
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load(session).then(
      (data) => {
        if (live) setState({ data, loading: false });
      },
      (e: unknown) => {
        if (live) setState({ error: asApiError(e), loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [session, round, ...deps]);
  const reload = useCallback(() => {
    setRound((r) => r + 1);
  }, []);
  const set = useCallback((data: T) => {
    setState({ data, loading: false });
  }, []);
  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}

export { asApiError };
