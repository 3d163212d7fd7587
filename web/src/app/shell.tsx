import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { LogOut, Menu, Monitor, Moon, Search, Sun } from 'lucide-react';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Toaster } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Kbd } from '@/components/ui/page';
import { formatTime, relativeTime, viewerZone } from '@/lib/format';
import { useConnection } from '@/lib/realtime';
import { useSession, useUser } from '@/lib/session';
import { useTheme } from '@/lib/theme';
import { cn, initials } from '@/lib/utils';
import { useLiveSync } from './live-sync';
import { NAV, navFor } from './nav';

const CommandPalette = lazy(() => import('./command-palette'));
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

function Brand() {
  return (
    <Link to="/" className="flex items-center gap-2.5 rounded-md px-2 py-1">
      <img src="/favicon.svg" alt="" className="size-7" />
      <span className="text-[15px] font-semibold tracking-tight">Workfloor</span>
    </Link>
  );
}

function Nav({ onNavigate }: { onNavigate?: () => void }) {
  const user = useUser();
  const items = navFor(user);
  const groups = [...new Set(NAV.map((n) => n.group))];
  return (
    <nav aria-label="Main" className="grid gap-5">
      {groups.map((group) => {
        const inGroup = items.filter((n) => n.group === group);
        if (!inGroup.length) return null;
        return (
          <div key={group}>
            <p className="px-2 pb-1.5 text-[11px] font-medium uppercase tracking-wider text-muted-foreground">{group}</p>
            <ul className="grid gap-0.5">
              {inGroup.map((n) => (
                <li key={n.to}>
                  <Link
                    to={n.to}
                    onClick={onNavigate}
                    className="flex items-center gap-2.5 rounded-md px-2 py-1.5 text-sm text-muted-foreground transition-colors hover:bg-accent hover:text-foreground [&_svg]:size-4"
                    activeProps={{ className: 'bg-accent !text-foreground font-medium', 'aria-current': 'page' }}
                    activeOptions={{ includeSearch: false }}
                  >
                    <n.icon aria-hidden />
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}

function UserCard() {
  const user = useUser();
  const { logout } = useSession();
  return (
    <div className="flex items-center gap-2.5 rounded-lg border bg-card p-2.5">
      <span aria-hidden className="flex size-8 shrink-0 items-center justify-center rounded-full bg-primary/10 text-xs font-semibold text-primary">
        {initials(user.name)}
      </span>
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium" title={user.email}>
          {user.name}
        </p>
        <p className="text-xs capitalize text-muted-foreground">
          <span className="sr-only">Role: </span>
          {user.role}
        </p>
      </div>
      <Button variant="ghost" size="icon-sm" aria-label="Log out" title="Log out" onClick={() => void logout()}>
        <LogOut />
      </Button>
    </div>
  );
}

function LiveIndicator() {
  const { status, lastEventAt } = useConnection();
  const [, tick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(id);
  }, []);
  // The socket reports 'reconnecting' for a failed first attempt too; until it has been connected
  // once, it is still connecting, not coming back.
  const everConnected = useRef(false);
  if (status === 'connected') everConnected.current = true;
  if (status === 'offline') everConnected.current = false;
  const connected = status === 'connected';
  const label = connected
    ? 'Live'
    : status === 'offline'
      ? 'Offline'
      : status === 'connecting' || !everConnected.current
        ? 'Connecting…'
        : 'Reconnecting…';
  const exact = lastEventAt ? `${formatTime(lastEventAt, undefined, true)} your time (${viewerZone})` : undefined;
  return (
    <div
      className="flex items-center gap-2 rounded-full border bg-card px-2.5 py-1 text-xs"
      title={exact ? `Last event at ${exact}` : 'No event received yet'}
      data-testid="live-indicator"
      data-status={status}
    >
      <span aria-hidden className="relative flex size-2">
        {connected && <span className="absolute inline-flex size-full animate-ping rounded-full bg-success opacity-60" />}
        <span className={cn('relative inline-flex size-2 rounded-full', connected ? 'bg-success' : status === 'offline' ? 'bg-muted-foreground' : 'bg-warning')} />
      </span>
      {/* Only the connection state is announced; the event time changes too often to be read out. */}
      <span role="status" aria-live="polite" className="font-medium">
        <span className="sr-only">Connection: </span>
        {label}
      </span>
      {/* Visible from sm up, and always in the accessibility tree: no hover needed to learn it. */}
      <span className="sr-only text-muted-foreground sm:not-sr-only">
        <span aria-hidden>· </span>
        {lastEventAt ? (
          <>
            last event{' '}
            <time dateTime={lastEventAt.toISOString()}>
              {relativeTime(lastEventAt)}
              <span className="sr-only">, at {exact}</span>
            </time>
          </>
        ) : (
          'no events yet'
        )}
      </span>
    </div>
  );
}

function ThemeToggle() {
  const { choice, resolved, setTheme } = useTheme();
  const next = choice === 'system' ? (resolved === 'dark' ? 'light' : 'dark') : choice === 'dark' ? 'light' : 'system';
  const Icon = choice === 'system' ? Monitor : resolved === 'dark' ? Moon : Sun;
  return (
    <Button
      variant="ghost"
      size="icon-sm"
      aria-label={`Theme: ${choice === 'system' ? `system (${resolved})` : choice}. Switch to ${next}`}
      title={`Theme: ${choice}. Click for ${next}`}
      onClick={() => setTheme(next)}
    >
      <Icon />
    </Button>
  );
}

export function AppShell() {
  const user = useUser();
  const { resolved } = useTheme();
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [paletteLoaded, setPaletteLoaded] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  useLiveSync(user);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPaletteLoaded(true);
        setPaletteOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Move focus to the page after client-side navigation, so keyboard and screen-reader users land
  // there. Not on first arrival: then the first Tab must still reach the skip link.
  const arrived = useRef(false);
  useEffect(() => {
    if (arrived.current) document.getElementById('main')?.focus({ preventScroll: true });
    arrived.current = true;
  }, [pathname]);

  return (
    <div className="min-h-screen bg-background">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50 focus:rounded-md focus:bg-primary focus:px-3 focus:py-2 focus:text-sm focus:text-primary-foreground"
      >
        Skip to content
      </a>
      <aside className="fixed inset-y-0 left-0 z-30 hidden w-60 flex-col border-r bg-sidebar lg:flex">
        <div className="flex h-14 items-center px-3">
          <Brand />
        </div>
        <div className="flex-1 overflow-y-auto px-3 py-3">
          <Nav />
        </div>
        <div className="p-3">
          <UserCard />
        </div>
      </aside>
      <div className="lg:pl-60">
        <header className="sticky top-0 z-20 flex h-14 items-center gap-3 border-b bg-background/80 px-4 backdrop-blur sm:px-6">
          <Button variant="ghost" size="icon-sm" className="lg:hidden" aria-label="Open navigation" onClick={() => setMenuOpen(true)}>
            <Menu />
          </Button>
          <button
            type="button"
            onClick={() => {
              setPaletteLoaded(true);
              setPaletteOpen(true);
            }}
            className="flex h-8 w-full max-w-xs items-center gap-2 rounded-md border bg-card px-2.5 text-sm text-muted-foreground shadow-xs transition-colors hover:bg-accent"
            aria-label="Search and jump to (Ctrl+K)"
            aria-keyshortcuts="Control+K Meta+K"
          >
            <Search aria-hidden className="size-4" />
            <span className="flex-1 text-left">{user.role === 'employee' ? 'Jump to…' : 'Search people, pages…'}</span>
            <Kbd>{isMac ? '⌘' : 'Ctrl'} K</Kbd>
          </button>
          <div className="ml-auto flex items-center gap-2">
            <LiveIndicator />
            <ThemeToggle />
            <Badge variant="outline" className="hidden capitalize md:inline-flex">
              {user.role}
            </Badge>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-[1400px] px-4 py-6 outline-none sm:px-6 lg:px-8">
          <Outlet />
        </main>
      </div>
      <Dialog open={menuOpen} onOpenChange={setMenuOpen} title="Navigation">
        <Nav onNavigate={() => setMenuOpen(false)} />
        <div className="mt-6">
          <UserCard />
        </div>
      </Dialog>
      {paletteLoaded && (
        <Suspense fallback={null}>
          <CommandPalette open={paletteOpen} onOpenChange={setPaletteOpen} />
        </Suspense>
      )}
      <Toaster theme={resolved} position="bottom-right" closeButton richColors={false} toastOptions={{ className: 'font-sans' }} />
    </div>
  );
}
