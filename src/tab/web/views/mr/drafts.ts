import { useCallback, useState } from 'react';

export type Draft<T> = readonly [T, (patch: Partial<T>) => void, () => void];
export type DraftOf = <T extends object>(key: string, initial: () => T) => Draft<T>;

/**
 * What the MR types in the operation forms, held above the forms: a form that disappears
 * because someone else moved the CAR on keeps its text for when it comes back.
 */
export function useDrafts(): DraftOf {
  const [map, setMap] = useState<Readonly<Record<string, object>>>({});
  const clear = useCallback((key: string) => {
    setMap((m) => {
      return Object.fromEntries(Object.entries(m).filter(([k]) => k !== key));
    });
  }, []);
  return <T extends object>(key: string, initial: () => T): Draft<T> => {
    const value = (map[key] as T | undefined) ?? initial();
    return [
      value,
      (patch) => {
        setMap((m) => ({ ...m, [key]: { ...((m[key] as T | undefined) ?? initial()), ...patch } }));
      },
      () => {
        clear(key);
      },
    ];
  };
}
