import { Text, mergeClasses } from '@fluentui/react-components';
import type { CommitteePage } from '../../app/router.js';
import { AppLink } from '../../components/AppLink.js';
import { useFrame } from '../../host/frame-context.js';
import { useCommitteeStyles } from './Committee.styles.js';
import { KpiPage } from './KpiPage.js';
import { MeetingPage } from './MeetingPage.js';
import { RegisterPage } from './RegisterPage.js';
import { StageAgenda } from './StageAgenda.js';

const PAGES: readonly { page: CommitteePage; href: string; label: string; heading: string }[] = [
  { page: 'meeting', href: '/committee', label: 'Meeting', heading: 'Committee: meeting' },
  { page: 'kpis', href: '/committee/kpis', label: 'KPIs', heading: 'Committee: KPIs' },
  {
    page: 'register',
    href: '/committee/register',
    label: 'Register',
    heading: 'Committee: all CARs',
  },
];

/**
 * The Steering Committee's view. In a tab: the meeting (agenda, decisions, pack), the KPIs
 * and the register. In the meeting side panel: the meeting alone, one narrow column. On the
 * meeting stage: the agenda, read-only, for everyone to see.
 */
export function CommitteeView({ page }: { page: CommitteePage }) {
  const { frame } = useFrame();
  const styles = useCommitteeStyles();
  if (frame === 'meetingStage') return <StageAgenda />;
  if (frame === 'sidePanel') {
    return (
      <div className={styles.narrow}>
        <Text as="h2" size={500} weight="semibold">
          Committee meeting
        </Text>
        <MeetingPage narrow />
      </div>
    );
  }
  const current = PAGES.find((p) => p.page === page) ?? PAGES[0];
  return (
    <div className={styles.page}>
      <Text as="h2" size={600} weight="semibold">
        {current?.heading}
      </Text>
      <nav aria-label="Committee pages" className={mergeClasses(styles.subnav)}>
        {PAGES.map((p) =>
          p.page === page ? (
            <Text key={p.page} weight="semibold" aria-current="page">
              {p.label}
            </Text>
          ) : (
            <AppLink key={p.page} href={p.href}>
              {p.label}
            </AppLink>
          ),
        )}
      </nav>
      {page === 'meeting' && <MeetingPage narrow={false} />}
      {page === 'kpis' && <KpiPage />}
      {page === 'register' && <RegisterPage />}
    </div>
  );
}
