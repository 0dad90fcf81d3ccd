import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { type AdminUser, api, setCsrfToken, whenUnauthenticated } from './api/client.js';
import { FlowsScreen } from './screens/FlowsScreen.js';
import { LoginScreen } from './screens/LoginScreen.js';
import { Loading } from './ui/States.js';
import { SessionContext } from './ui/session.js';
import { hrefOf, type Route, useHashRoute } from './ui/useHashRoute.js';

// Each further screen is its own chunk: the canvas library loads only when a flow is opened.
const FlowEditorScreen = lazy(() => import('./screens/FlowEditorScreen.js'));
const HistoryScreen = lazy(() => import('./screens/HistoryScreen.js'));
const ConversationScreen = lazy(() => import('./screens/ConversationScreen.js'));
const WidgetSettingsScreen = lazy(() => import('./screens/WidgetSettingsScreen.js'));
const FormsScreen = lazy(() => import('./screens/FormsScreen.js'));
const FormEditorScreen = lazy(() => import('./screens/FormEditorScreen.js'));
const ConnectionsScreen = lazy(() => import('./screens/ConnectionsScreen.js'));
const WebhooksScreen = lazy(() => import('./screens/WebhooksScreen.js'));
const UsageScreen = lazy(() => import('./screens/UsageScreen.js'));
const UsersScreen = lazy(() => import('./screens/UsersScreen.js'));
// The Analytics Hub's screens share the charting library, which stays out of the first screen's chunk.
const AnalyticsDashboardScreen = lazy(() => import('./screens/AnalyticsDashboardScreen.js'));
const ReportsScreen = lazy(() => import('./screens/ReportsScreen.js'));
const ReportScreen = lazy(() => import('./screens/ReportScreen.js'));
const TokenSpendScreen = lazy(() => import('./screens/TokenSpendScreen.js'));

type Auth = { state: 'checking' } | { state: 'out' } | { state: 'in'; user: AdminUser };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const route = useHashRoute();

  useEffect(() => {
    whenUnauthenticated(() => {
      setCsrfToken(undefined);
      setAuth({ state: 'out' });
    });
    void api.GET('/api/admin/v1/me').then(({ data }) => {
      if (data) {
        setCsrfToken(data.csrfToken);
        setAuth({ state: 'in', user: data.user });
      } else setAuth({ state: 'out' });
    });
  }, []);

  const logout = useCallback(async () => {
    await api.POST('/api/admin/v1/auth/logout');
    setCsrfToken(undefined);
    setAuth({ state: 'out' });
  }, []);

  if (auth.state === 'checking') return <Loading what="the admin panel" />;
  if (auth.state === 'out') {
    return (
      <LoginScreen
        onLoggedIn={(user, csrf) => {
          setCsrfToken(csrf);
          setAuth({ state: 'in', user });
        }}
      />
    );
  }
  const session = { user: auth.user, canEdit: auth.user.role !== 'viewer' };
  return (
    <SessionContext.Provider value={session}>
      <div className="shell">
        <header className="topbar">
          <a className="brand" href="#/flows">
            Comerix
          </a>
          <nav aria-label="Main">
            <NavLink route={{ screen: 'flows' }} current={route} label="Flows" />
            <NavLink route={{ screen: 'history' }} current={route} label="History" />
            <NavLink route={{ screen: 'widget' }} current={route} label="Widget" />
            <NavLink route={{ screen: 'forms' }} current={route} label="Forms" />
            <NavLink route={{ screen: 'connections' }} current={route} label="Connections" />
            <NavLink route={{ screen: 'webhooks' }} current={route} label="Webhooks" />
            <NavLink route={{ screen: 'usage' }} current={route} label="Usage" />
            <NavLink route={{ screen: 'analytics' }} current={route} label="Analytics" />
            {/* Users and the audit log are an owner's (the API refuses the others). */}
            {auth.user.role === 'owner' ? <NavLink route={{ screen: 'users' }} current={route} label="Users" /> : null}
          </nav>
          <span className="who">
            {auth.user.email} <span className="role">{auth.user.role}</span>
          </span>
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        </header>
        <main id="main">
          <Suspense fallback={<Loading what="the screen" />}>
            <Screen route={route} />
          </Suspense>
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function NavLink({ route, current, label }: { route: Route; current: Route; label: string }) {
  const active =
    route.screen === current.screen ||
    (route.screen === 'flows' && current.screen === 'flow') ||
    (route.screen === 'history' && current.screen === 'conversation') ||
    (route.screen === 'forms' && current.screen === 'form') ||
    (route.screen === 'analytics' && ['reports', 'report', 'tokens'].includes(current.screen));
  return (
    <a href={hrefOf(route)} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'flows':
      return <FlowsScreen />;
    case 'flow':
      return <FlowEditorScreen key={route.id} flowId={route.id} />;
    case 'history':
      return <HistoryScreen />;
    case 'conversation':
      return <ConversationScreen key={route.id} conversationId={route.id} />;
    case 'widget':
      return <WidgetSettingsScreen />;
    case 'forms':
      return <FormsScreen />;
    case 'form':
      return <FormEditorScreen key={route.id} formId={route.id} />;
    case 'connections':
      return <ConnectionsScreen />;
    case 'webhooks':
      return <WebhooksScreen />;
    case 'usage':
      return <UsageScreen />;
    case 'users':
      return <UsersScreen />;
    case 'analytics':
      return <AnalyticsDashboardScreen />;
    case 'reports':
      return <ReportsScreen />;
    case 'report':
      return <ReportScreen key={route.id} reportId={route.id} />;
    case 'tokens':
      return <TokenSpendScreen />;
  }
}
