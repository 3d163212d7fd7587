import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api';
import { useSession } from '@/lib/session';

const REASONS: Record<string, string> = {
  expired: 'Your session expired. Please log in again.',
  ended: 'Your session was ended. Please log in again.',
  deactivated: 'Your account was deactivated. Ask an admin if this is a mistake.',
  'logged-out': 'You are logged out.',
};

/**
 * The log-in form. Deliberately light (no form library, no schema library): it is the first thing
 * anyone downloads. The server validates the same `loginRequest` schema and its message is shown.
 */
export function LoginForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { login, session } = useSession();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const notice = session.status === 'anonymous' && session.endedReason ? REASONS[session.endedReason] : undefined;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    try {
      await login(String(data.get('email') ?? '').trim(), String(data.get('password') ?? ''));
      onSignedIn();
    } catch (err) {
      setError(errorMessage(err));
      setPending(false);
    }
  }

  const field =
    'h-10 w-full rounded-md border border-input bg-card px-3 text-sm shadow-xs placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring';
  return (
    <form onSubmit={submit} className="grid gap-4" aria-describedby={error ? `${id}-error` : undefined}>
      {notice && !error && (
        <p role="status" className="rounded-md border bg-muted/60 px-3 py-2 text-sm text-muted-foreground">
          {notice}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} role="alert" className="rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm text-destructive">
          {error}
        </p>
      )}
      <div className="grid gap-1.5">
        <label htmlFor={`${id}-email`} className="text-sm font-medium">
          Work e-mail
        </label>
        <input id={`${id}-email`} name="email" type="email" autoComplete="username" required autoFocus className={field} placeholder="you@company.com" />
      </div>
      <div className="grid gap-1.5">
        <label htmlFor={`${id}-password`} className="text-sm font-medium">
          Password
        </label>
        <input id={`${id}-password`} name="password" type="password" autoComplete="current-password" required className={field} />
      </div>
      <button
        type="submit"
        disabled={pending}
        className="mt-1 inline-flex h-10 items-center justify-center rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm transition-colors hover:bg-primary/90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:opacity-60"
      >
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
