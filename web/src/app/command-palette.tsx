import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { Command } from 'cmdk';
import { LogOut, Moon, Search, Sun, User } from 'lucide-react';
import { useDeferredValue, useEffect, useState } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { useSession, useUser } from '@/lib/session';
import { useTheme } from '@/lib/theme';
import { employeeSearchQuery, useOrgLookups } from '@/features/org/api/org-queries';
import { navFor } from './nav';

const itemClass =
  'flex cursor-pointer items-center gap-3 rounded-md px-3 py-2 text-sm aria-selected:bg-accent aria-selected:text-accent-foreground [&_svg]:size-4 [&_svg]:text-muted-foreground';
const groupClass = '[&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-3 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground';

/** Ctrl/Cmd+K: jump to any page, or to a person found with the server's search. */
export default function CommandPalette({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const user = useUser();
  const { logout } = useSession();
  const navigate = useNavigate();
  const theme = useTheme();
  const [text, setText] = useState('');
  const q = useDeferredValue(text.trim());
  const canSearchPeople = user.role !== 'employee';
  const people = useQuery({ ...employeeSearchQuery(q), enabled: open && canSearchPeople && q.length > 1 });
  const lookups = useOrgLookups();
  // Pages filter on the typed text at once; only the server search is deferred.
  const typed = text.trim().toLowerCase();
  const pages = navFor(user).filter((n) => !typed || `${n.label} ${n.keywords ?? ''}`.toLowerCase().includes(typed));
  const showActions = !typed || 'theme dark light mode log out'.includes(typed);
  const firstValue = pages[0] ? `page ${pages[0].to}` : people.data?.[0] ? `person ${people.data[0].id}` : showActions ? 'action theme' : '';
  // The first result is always the one Enter opens, whatever was highlighted before the list changed.
  const [selected, setSelected] = useState(firstValue);
  useEffect(() => setSelected(firstValue), [firstValue]);

  const go = (fn: () => void) => {
    onOpenChange(false);
    setText('');
    fn();
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Command palette" bare className="mt-[12vh] max-w-xl overflow-hidden">
      <Command shouldFilter={false} label="Command palette" loop value={selected} onValueChange={setSelected} className="flex flex-col">
        <div className="flex items-center gap-2 border-b px-4">
          <Search aria-hidden className="size-4 text-muted-foreground" />
          <Command.Input
            data-autofocus
            value={text}
            onValueChange={setText}
            placeholder={canSearchPeople ? 'Jump to a page or find a person…' : 'Jump to a page…'}
            className="h-12 flex-1 bg-transparent text-sm outline-none placeholder:text-muted-foreground"
          />
        </div>
        <Command.List className="max-h-96 overflow-y-auto p-2">
          <Command.Empty className="px-3 py-8 text-center text-sm text-muted-foreground">
            {people.isFetching ? 'Searching…' : 'No results.'}
          </Command.Empty>
          {pages.length > 0 && (
            <Command.Group heading="Pages" className={groupClass}>
              {pages.map((n) => (
                <Command.Item key={n.to} value={`page ${n.to}`} onSelect={() => go(() => void navigate({ to: n.to }))} className={itemClass}>
                  <n.icon aria-hidden /> {n.label}
                </Command.Item>
              ))}
            </Command.Group>
          )}
          {canSearchPeople && (people.data?.length ?? 0) > 0 && (
            <Command.Group heading="People" className={groupClass}>
              {people.data!.map((e) => (
                <Command.Item key={e.id} value={`person ${e.id}`} onSelect={() => go(() => void navigate({ to: '/people/$id', params: { id: e.id } }))} className={itemClass}>
                  <User aria-hidden />
                  <span className="flex-1 truncate">{e.name}</span>
                  <span className="truncate text-xs text-muted-foreground">
                    {lookups.department.get(e.departmentId)?.name} · {lookups.location.get(e.locationId)?.name}
                  </span>
                </Command.Item>
              ))}
            </Command.Group>
          )}
          {showActions && (
            <Command.Group heading="Actions" className={groupClass}>
              <Command.Item value="action theme" onSelect={() => go(theme.toggle)} className={itemClass}>
                {theme.resolved === 'dark' ? <Sun aria-hidden /> : <Moon aria-hidden />} Switch to {theme.resolved === 'dark' ? 'light' : 'dark'} mode
              </Command.Item>
              <Command.Item value="action logout" onSelect={() => go(() => void logout())} className={itemClass}>
                <LogOut aria-hidden /> Log out
              </Command.Item>
            </Command.Group>
          )}
        </Command.List>
      </Command>
    </Dialog>
  );
}
