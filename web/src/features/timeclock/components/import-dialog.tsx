import { AlertTriangle, CheckCircle2 } from 'lucide-react';
import { useId, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { errorMessage } from '@/lib/api';
import { cn } from '@/lib/utils';
import { useImportPunches, type ImportMapping, type ImportResult } from '../api/timeclock-queries';

const MAX_BYTES = 10 * 1024 * 1024;

const MATCH_LABEL: Record<ImportMapping['match'], string> = {
  payroll: 'Payroll id',
  badge: 'Badge number',
  email: 'E-mail address',
  id: 'Workfloor id',
};

/** The column names of a CSV header line (quoted names, a BOM and `;` are allowed). */
export function parseHeader(text: string): string[] {
  const line = (text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
  const columns: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      columns.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  columns.push(cell.trim());
  return columns.filter(Boolean);
}

/** The first column whose name looks like one of the hints, for a sensible default mapping. */
function guess(columns: string[], hints: RegExp): string {
  return columns.find((c) => hints.test(c)) ?? '';
}

export function ImportPunchesDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Import punches"
      description="Upload a CSV of clock-ins and clock-outs from another system. Importing the same file again adds nothing."
      className="max-w-xl"
    >
      <ImportForm onClose={() => onOpenChange(false)} />
    </Dialog>
  );
}

function ImportForm({ onClose }: { onClose: () => void }) {
  const id = useId();
  const importing = useImportPunches();
  const [file, setFile] = useState<File | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [fileError, setFileError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [employee, setEmployee] = useState('');
  const [match, setMatch] = useState<ImportMapping['match']>('payroll');
  const [kind, setKind] = useState('');
  const [at, setAt] = useState('');
  const [location, setLocation] = useState('');
  const [errors, setErrors] = useState<{ employee?: string; kind?: string; at?: string }>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  const choose = async (next: File | null) => {
    setFile(next);
    setColumns([]);
    setResult(null);
    setServerError(null);
    setFileError(null);
    setErrors({});
    if (!next) return;
    if (next.size > MAX_BYTES) return setFileError('The file is larger than 10 MiB');
    setReading(true);
    try {
      // Only the start of the file is needed for its header line.
      const cols = parseHeader(await next.slice(0, 64 * 1024).text());
      if (cols.length < 3) return setFileError('The first line should name at least three columns (employee, punch kind, time)');
      setColumns(cols);
      const emp = guess(cols, /payroll|badge|e-?mail|employee|person|staff|worker|^id$/i);
      setEmployee(emp);
      setMatch(/badge/i.test(emp) ? 'badge' : /mail/i.test(emp) ? 'email' : /^(employee_?)?id$/i.test(emp) ? 'id' : 'payroll');
      setKind(guess(cols, /kind|type|event|action|punch/i));
      setAt(guess(cols, /^at$|time|date|when|stamp/i));
      setLocation(guess(cols, /location|site|store|branch/i));
    } catch (err) {
      setFileError(`Could not read the file: ${errorMessage(err)}`);
    } finally {
      setReading(false);
    }
  };

  const submit = () => {
    if (!file || columns.length === 0) {
      setFileError(fileError ?? 'Choose a CSV file');
      return;
    }
    const next: typeof errors = {};
    if (!employee) next.employee = 'Choose the column that names the person';
    if (!kind) next.kind = 'Choose the column with the punch kind';
    if (!at) next.at = 'Choose the column with the time';
    setErrors(next);
    if (next.employee || next.kind || next.at) return;
    setServerError(null);
    setResult(null);
    const mapping: ImportMapping = { employee, match, kind, at, ...(location ? { location } : {}) };
    importing.mutate(
      { file, mapping },
      {
        onSuccess: (r) => {
          setResult(r);
          if (r.errors.length === 0) toast.success(`Imported ${r.accepted} punch${r.accepted === 1 ? '' : 'es'}`);
        },
        onError: (err) => setServerError(errorMessage(err)),
      },
    );
  };

  const columnOptions = (
    <>
      {columns.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </>
  );
  const described = (field: 'employee' | 'kind' | 'at', hint = true) => (errors[field] ? `${id}-${field}-error` : hint ? `${id}-${field}-hint` : undefined);

  return (
    <form
      noValidate
      className="grid gap-4"
      aria-busy={importing.isPending || undefined}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <FormError message={serverError} />
      <Field id={`${id}-file`} label="CSV file" hint="The first line must name the columns. Up to 10 MiB." error={fileError ?? undefined}>
        <Input
          id={`${id}-file`}
          type="file"
          accept=".csv,text/csv"
          className="h-auto py-1.5 file:mr-3 file:rounded file:border-0 file:bg-secondary file:px-2 file:py-1 file:text-sm file:text-secondary-foreground"
          aria-invalid={!!fileError || undefined}
          aria-describedby={fileError ? `${id}-file-error` : `${id}-file-hint`}
          onChange={(e) => void choose(e.target.files?.[0] ?? null)}
        />
      </Field>
      {reading && (
        <p role="status" className="text-sm text-muted-foreground">
          Reading the header line…
        </p>
      )}

      {columns.length > 0 && (
        <fieldset className="grid gap-4 rounded-lg border p-4">
          <legend className="px-1 text-sm font-medium">
            Map the columns of <span className="font-mono text-xs">{file?.name}</span>
          </legend>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id={`${id}-employee`} label="Employee column" error={errors.employee}>
              <Select id={`${id}-employee`} value={employee} onChange={(e) => setEmployee(e.target.value)} aria-invalid={!!errors.employee || undefined} aria-describedby={described('employee', false)}>
                <option value="">Choose a column…</option>
                {columnOptions}
              </Select>
            </Field>
            <Field id={`${id}-match`} label="It holds the person's">
              <Select id={`${id}-match`} value={match} onChange={(e) => setMatch(e.target.value as ImportMapping['match'])}>
                {(Object.keys(MATCH_LABEL) as ImportMapping['match'][]).map((m) => (
                  <option key={m} value={m}>
                    {MATCH_LABEL[m]}
                  </option>
                ))}
              </Select>
            </Field>
          </div>
          <Field id={`${id}-kind`} label="Punch kind column" hint="Accepted values: in / clock in / start, out / clock out / end, break / break start, break end / resume (any case)." error={errors.kind}>
            <Select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value)} aria-invalid={!!errors.kind || undefined} aria-describedby={described('kind')}>
              <option value="">Choose a column…</option>
              {columnOptions}
            </Select>
          </Field>
          <Field id={`${id}-at`} label="Time column" hint={<>Times must include an offset, e.g. <code className="font-mono">2026-11-20T08:00:00Z</code> or <code className="font-mono">…T09:00:00+01:00</code>.</>} error={errors.at}>
            <Select id={`${id}-at`} value={at} onChange={(e) => setAt(e.target.value)} aria-invalid={!!errors.at || undefined} aria-describedby={described('at')}>
              <option value="">Choose a column…</option>
              {columnOptions}
            </Select>
          </Field>
          <Field id={`${id}-location`} label="Location column (optional)" hint="Each cell holds a location's name or its Workfloor id.">
            <Select id={`${id}-location`} value={location} onChange={(e) => setLocation(e.target.value)} aria-describedby={`${id}-location-hint`}>
              <option value="">No location column</option>
              {columnOptions}
            </Select>
          </Field>
        </fieldset>
      )}

      {result && <ImportSummary result={result} />}

      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onClose}>
          {result ? 'Close' : 'Cancel'}
        </Button>
        <Button type="submit" disabled={importing.isPending || reading || columns.length === 0}>
          {importing.isPending ? 'Importing…' : result ? 'Import again' : 'Import punches'}
        </Button>
      </div>
    </form>
  );
}

function ImportSummary({ result }: { result: ImportResult }) {
  const ok = result.errors.length === 0;
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} data-testid="import-result" className={cn('grid gap-3 rounded-lg border p-4', ok ? 'border-success/30 bg-success/10' : 'border-warning/30 bg-warning/10')}>
      <h3 id={headingId} className="flex items-center gap-2 text-sm font-semibold">
        {ok ? <CheckCircle2 aria-hidden className="size-4 text-success" /> : <AlertTriangle aria-hidden className="size-4 text-warning" />}
        {ok ? 'Import finished' : `Import finished with ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}`}
      </h3>
      <div role="status">
        <dl className="grid grid-cols-3 gap-2 text-sm">
          {(
            [
              ['Rows', 'rows', result.rows],
              ['Accepted', 'accepted', result.accepted],
              ['Already imported', 'replayed', result.replayed],
            ] as const
          ).map(([label, key, value]) => (
            <div key={label} className="rounded-md border bg-card px-3 py-2">
              <dt className="text-xs text-muted-foreground">{label}</dt>
              <dd className="text-base font-semibold tabular-nums" data-testid={`import-${key}`}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      </div>
      {result.errors.length > 0 && (
        <div className="grid gap-1.5">
          <p className="text-xs font-medium text-muted-foreground">Rows not imported</p>
          {/* Scrollable and focusable so keyboard users can scroll a long list. */}
          <ul aria-label="Rows not imported" tabIndex={0} className="max-h-48 overflow-y-auto rounded-md border bg-card text-sm focus-visible:outline-2 focus-visible:outline-ring" data-testid="import-errors">
            {result.errors.map((e, i) => (
              <li key={`${e.line}-${i}`} className="flex gap-3 border-b px-3 py-1.5 last:border-0">
                <span className="w-16 shrink-0 font-medium tabular-nums">Line {e.line}</span>
                <span className="text-muted-foreground">
                  {e.message}
                  {e.code ? <span className="ml-1 font-mono text-xs">({e.code})</span> : null}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
