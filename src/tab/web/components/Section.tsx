import { Text } from '@fluentui/react-components';
import { Fragment, useId, type ReactNode } from 'react';
import { useSectionStyles } from './Section.styles.js';

/** A titled part of a page, as a landmark with its heading. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  const styles = useSectionStyles();
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <Text as="h3" size={400} weight="semibold" id={id}>
        {title}
      </Text>
      {children}
    </section>
  );
}

/** Label: value pairs; empty values are left out. */
export function Facts({ items }: { items: readonly (readonly [string, ReactNode])[] }) {
  const styles = useSectionStyles();
  const shown = items.filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (shown.length === 0) return null;
  return (
    <dl className={styles.facts}>
      {shown.map(([k, v]) => (
        <Fragment key={k}>
          <dt className={styles.term}>{k}</dt>
          <dd className={styles.detail}>{v}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function Stack({ children }: { children: ReactNode }) {
  return <div className={useSectionStyles().stack}>{children}</div>;
}
