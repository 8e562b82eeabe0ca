import { FluentProvider, Text, mergeClasses, type Theme } from '@fluentui/react-components';
import { Suspense, lazy, useCallback, useEffect, useMemo, useState, type MouseEvent } from 'react';
import { SessionContext, hasRole, type Session } from '../api/api-context.js';
import { RectifyClient, type TokenSource } from '../api/rectify-client.js';
import type { Me, SamplePerson } from '../api/types.js';
import { SelectField } from '../components/form/FormControls.js';
import { Loading } from '../components/Loading.js';
import { Notice } from '../components/Notice.js';
import type { Host } from '../host/host.js';
import { FrameContext, openInNewTab, type FrameInfo } from '../host/frame-context.js';
import {
  fetchPeople,
  localTokenSource,
  rememberPerson,
  rememberedPerson,
} from '../host/local-sign-in.js';
import {
  THEME_LABELS,
  THEME_NAMES,
  loadTheme,
  saveBrowserTheme,
  type ThemeName,
} from '../host/theme.js';
import { ReportView } from '../views/report/ReportView.js';
import { useAppStyles } from './App.styles.js';
import {
  landingRoute,
  navigate,
  parseRoute,
  routePath,
  usePathname,
  useSearch,
  type Route,
} from './router.js';

// Everything but the report form loads on demand, so reporting stays light.
const MyReportsView = lazy(() =>
  import('../views/my-reports/MyReportsView.js').then((m) => ({ default: m.MyReportsView })),
);
const CarView = lazy(() => import('../views/car/CarView.js').then((m) => ({ default: m.CarView })));
const MyActionsView = lazy(() =>
  import('../views/actions/MyActionsView.js').then((m) => ({ default: m.MyActionsView })),
);
const QueueView = lazy(() =>
  import('../views/mr/QueueView.js').then((m) => ({ default: m.QueueView })),
);
const CommitteeView = lazy(() =>
  import('../views/committee/CommitteeView.js').then((m) => ({ default: m.CommitteeView })),
);
// The bell loads a moment after sign-in: the report form comes first on a tab's first load.
const NotificationBell = lazy(() =>
  import('../components/notifications/NotificationBell.js').then((m) => ({
    default: m.NotificationBell,
  })),
);
const BELL_DELAY_MS = 1500;
const ConfigView = lazy(() =>
  import('../views/config/ConfigView.js').then((m) => ({ default: m.ConfigView })),
);

interface NavItem {
  readonly view: Route['view'];
  readonly href: string;
  readonly label: string;
  readonly show: (me: Me) => boolean;
}
const NAV: readonly NavItem[] = [
  { view: 'report', href: '/report', label: 'Report', show: () => true },
  { view: 'my-reports', href: '/my-reports', label: 'My reports', show: () => true },
  { view: 'actions', href: '/actions', label: 'My actions', show: () => true },
  { view: 'queue', href: '/queue', label: 'MR workspace', show: (me) => hasRole(me, 'mr') },
  {
    view: 'committee',
    href: '/committee',
    label: 'Committee',
    show: (me) => hasRole(me, 'committee') || hasRole(me, 'mr'),
  },
];

function Views({ route, me }: { route: Route; me: Me }) {
  switch (route.view) {
    case 'home':
      // The shell replaces `/` with the landing page once it knows the person.
      return <Loading />;
    case 'report':
      return <ReportView />;
    case 'my-reports':
      return <MyReportsView />;
    case 'actions':
      return <MyActionsView />;
    case 'car':
      return <CarView id={route.id} />;
    case 'queue':
      return hasRole(me, 'mr') ? <QueueView /> : <NotForYou who="the Management Representative" />;
    case 'config':
      return <ConfigView />;
    case 'committee':
      return hasRole(me, 'committee') || hasRole(me, 'mr') ? (
        <CommitteeView page={route.page} />
      ) : (
        <NotForYou who="the Steering Committee" />
      );
  }
}

function NotForYou({ who }: { who: string }) {
  return <Notice intent="warning" title={`This view is for ${who}.`} />;
}

/** The shell: theme, sign-in (Teams SSO or a local sample person), navigation, views. */
export function App({
  host,
  initialTheme,
}: {
  host: Host;
  initialTheme: { name: ThemeName; theme: Theme };
}) {
  const styles = useAppStyles();
  const pathname = usePathname();
  const search = useSearch();
  const route = parseRoute(pathname, search);
  const frame = host.frame;
  // Meeting surfaces and the configuration page have no room for the navigation.
  const meetingSurface = frame === 'sidePanel' || frame === 'meetingStage';
  const frameInfo: FrameInfo = useMemo(
    () => ({
      frame,
      shareToStage: host.kind === 'teams' && host.teams.meetingId ? host.teams.shareToStage : null,
      offerConfig: host.kind === 'teams' ? host.teams.offerConfig : null,
      openOutside: host.kind === 'teams' ? host.teams.openOutside : openInNewTab,
    }),
    [host, frame],
  );
  const configuring = frame === 'settings' || route.view === 'config';
  const [bellDue, setBellDue] = useState(false);
  const [theme, setThemeState] = useState(initialTheme);
  const setTheme = useCallback((name: ThemeName) => {
    void loadTheme(name).then((t) => {
      setThemeState({ name, theme: t });
    });
  }, []);
  const [people, setPeople] = useState<readonly SamplePerson[]>([]);
  const [personId, setPersonId] = useState<string | null>(() =>
    host.kind === 'browser' ? rememberedPerson() : null,
  );
  const [signedIn, setSignedIn] = useState<{
    client: RectifyClient;
    me: Me;
    openActions: number;
  } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (host.kind === 'teams') {
      if (host.frame !== 'meetingStage') host.teams.onThemeChange(setTheme);
      // A deep link names a CAR: `context={"subEntityId":"CAR-2026-0007"}`.
      if (host.teams.subPageId) navigate(`/cars/${encodeURIComponent(host.teams.subPageId)}`, true);
      return;
    }
    fetchPeople().then(setPeople, () => {
      setProblem('Sign-in is not available: this server is not in local mode.');
    });
  }, [host, setTheme]);

  const token: TokenSource | null = useMemo(() => {
    if (host.kind === 'teams') return host.teams.token;
    return personId ? localTokenSource(personId) : null;
  }, [host, personId]);

  const session: Session | null = useMemo(
    () =>
      signedIn && {
        client: signedIn.client,
        me: signedIn.me,
        people: host.kind === 'browser' ? people : null,
      },
    [signedIn, people, host],
  );

  // `/` becomes the person's landing page: the MR's queue, the committee's meeting, an action
  // owner's open actions, everyone else's report form.
  useEffect(() => {
    if (route.view !== 'home' || !signedIn) return;
    const landing = landingRoute(
      { mr: hasRole(signedIn.me, 'mr'), committee: hasRole(signedIn.me, 'committee') },
      signedIn.openActions,
    );
    navigate(routePath(landing), true);
  }, [route.view, signedIn]);

  useEffect(() => {
    setSignedIn(null);
    if (!token) return;
    let live = true;
    const client = new RectifyClient(token);
    // The person's open actions decide where `/` lands; asked beside the sign-in, not after it.
    const actions = client.myActions().then(
      (list) => list.filter((a) => a.action.status === 'open').length,
      () => 0,
    );
    Promise.all([client.me(), actions]).then(
      ([me, openActions]) => {
        if (live) {
          setSignedIn({ client, me, openActions });
          setProblem(null);
        }
      },
      () => {
        if (live) setProblem('Signing in failed. Reload the tab to try again.');
      },
    );
    return () => {
      live = false;
    };
  }, [token]);

  useEffect(() => {
    if (!signedIn) return;
    const timer = setTimeout(() => {
      setBellDue(true);
    }, BELL_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [signedIn]);

  const go = (href: string) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(href);
  };

  return (
    <FluentProvider
      theme={theme.theme}
      className={mergeClasses(styles.root, frame === 'sidePanel' && styles.sidePanel)}
    >
      <FrameContext.Provider value={frameInfo}>
        {frame !== 'meetingStage' || !session ? (
          <header className={mergeClasses(styles.header, meetingSurface && styles.compactHeader)}>
            <Text as="h1" size={500} weight="semibold" className={styles.brand}>
              Rectify
            </Text>
            <nav aria-label="Views" className={styles.nav}>
              {session &&
                !meetingSurface &&
                !configuring &&
                NAV.filter((n) => n.show(session.me)).map((n) => {
                  const current = n.view === route.view;
                  return (
                    <a
                      key={n.view}
                      href={n.href}
                      onClick={go(n.href)}
                      aria-current={current ? 'page' : undefined}
                      className={mergeClasses(styles.navLink, current && styles.current)}
                    >
                      {n.label}
                    </a>
                  );
                })}
            </nav>
            {session && bellDue && !configuring && (
              <SessionContext.Provider value={session}>
                <Suspense fallback={null}>
                  <NotificationBell />
                </Suspense>
              </SessionContext.Provider>
            )}
            {host.kind === 'browser' && !(meetingSurface && session) && (
              <div className={styles.tools}>
                <SelectField
                  label="Signed in as (local mode)"
                  size="small"
                  value={personId ?? ''}
                  onChange={(v) => {
                    rememberPerson(v);
                    setPersonId(v || null);
                  }}
                  options={[
                    ['', 'Choose a sample person…'],
                    ...people.map((p) => [p.id, `${p.name}: ${p.jobTitle}`] as const),
                  ]}
                />
                <SelectField
                  label="Theme"
                  size="small"
                  value={theme.name}
                  onChange={(v) => {
                    const next = v as ThemeName;
                    saveBrowserTheme(next);
                    setTheme(next);
                  }}
                  options={THEME_NAMES.map((t) => [t, THEME_LABELS[t]] as const)}
                />
              </div>
            )}
          </header>
        ) : null}
        <main className={mergeClasses(styles.main, meetingSurface && styles.mainSurface)}>
          {configuring ? (
            <Suspense fallback={<Loading />}>
              <ConfigView />
            </Suspense>
          ) : problem ? (
            <Notice intent="error" title={problem} />
          ) : null}
          {configuring ? null : session ? (
            <SessionContext.Provider value={session}>
              <Suspense fallback={<Loading />}>
                <Views route={route} me={session.me} />
              </Suspense>
            </SessionContext.Provider>
          ) : host.kind === 'browser' && !personId ? (
            <Text as="p">
              Local mode: choose a sample person under “Signed in as” to report, follow reports or
              work on CARs.
            </Text>
          ) : (
            !problem && <Loading label="Signing in…" />
          )}
        </main>
      </FrameContext.Provider>
    </FluentProvider>
  );
}
