/** The Analytics Hub's own tabs: the dashboard, the reports (builder, exports, schedules), the token spend. */
export function AnalyticsNav({ current }: { current: 'analytics' | 'reports' | 'tokens' }) {
  const links = [
    { screen: 'analytics', label: 'Dashboard' },
    { screen: 'reports', label: 'Reports' },
    { screen: 'tokens', label: 'Token spend' },
  ] as const;
  return (
    <nav aria-label="Analytics" className="subnav">
      {links.map((l) => (
        <a key={l.screen} href={`#/${l.screen}`} aria-current={current === l.screen ? 'page' : undefined}>
          {l.label}
        </a>
      ))}
    </nav>
  );
}
