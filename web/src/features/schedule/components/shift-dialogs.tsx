import { Undo2 } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import type { Employee, Location } from '@contract/org.ts';
import type { ScheduleItem } from '@contract/schedule.ts';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { ApiError, errorMessage } from '@/lib/api';
import { zoneLabel } from '@/lib/format';
import { cn } from '@/lib/utils';
import { useCreateAdjustment, useDecide } from '../api/schedule-mutations';
import { formatDay, formatLongDay, formatMinutes, localDateOf, localTimeOf, shiftInstants } from '../api/zoned-time';
import { adjustmentChip, contractChip } from './shift-chip';

/** A 409 SCHEDULE_CONFLICT (or any refusal) is a toast: the grid stays as it was. */
export function toastRefusal(err: unknown, what: string) {
  if (err instanceof ApiError && err.code === 'SCHEDULE_CONFLICT') toast.error(`Not saved: ${err.message}`, { description: 'Approving this would make two shifts overlap.' });
  else toast.error(`${what} failed`, { description: errorMessage(err) });
}

/** Manager's extra shift on one or more days picked by dragging across empty cells. */
export function ExtraShiftDialog({
  target,
  locations,
  onClose,
}: {
  target: { employee: Employee; zone: string; dates: string[] } | null;
  locations: Location[];
  onClose: () => void;
}) {
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(open) => !open && onClose()}
      title="Add an extra shift"
      description={target ? `${target.employee.name} · ${target.dates.length === 1 ? formatLongDay(target.dates[0]!) : `${target.dates.length} days, ${formatDay(target.dates[0]!)} to ${formatDay(target.dates.at(-1)!)}`}` : undefined}
    >
      {target && <ExtraShiftForm key={target.employee.id + target.dates.join()} target={target} locations={locations} onDone={onClose} />}
    </Dialog>
  );
}

function ExtraShiftForm({ target, locations, onDone }: { target: { employee: Employee; zone: string; dates: string[] }; locations: Location[]; onDone: () => void }) {
  const [start, setStart] = useState('09:00');
  const [end, setEnd] = useState('17:00');
  const [locationId, setLocationId] = useState(target.employee.locationId);
  const [reason, setReason] = useState('Extra cover');
  const [error, setError] = useState<string | null>(null);
  const create = useCreateAdjustment();
  const zone = locations.find((l) => l.id === locationId)?.timezone ?? target.zone;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return setError('Give a reason: the employee and the audit log see it.');
    let added = 0;
    for (const date of target.dates) {
      try {
        await create.mutateAsync({ employeeId: target.employee.id, kind: 'extra_shift', locationId, reason: reason.trim(), ...shiftInstants(date, start, end, zone) });
        added++;
      } catch (err) {
        toastRefusal(err, `The extra shift on ${formatDay(date)}`);
      }
    }
    if (added) toast.success(`Added ${added} extra shift${added === 1 ? '' : 's'} for ${target.employee.name}`);
    onDone();
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="grid gap-4">
      <div className="grid grid-cols-2 gap-3">
        <Field id="extra-start" label="Starts" hint={zoneLabel(zone)}>
          <Input id="extra-start" type="time" required value={start} onChange={(e) => setStart(e.target.value)} />
        </Field>
        <Field id="extra-end" label="Ends" hint={end <= start ? 'Ends the next day' : ' '}>
          <Input id="extra-end" type="time" required value={end} onChange={(e) => setEnd(e.target.value)} />
        </Field>
      </div>
      <Field id="extra-location" label="Location">
        <Select id="extra-location" value={locationId} onChange={(e) => setLocationId(e.target.value)}>
          {locations.filter((l) => l.active).map((l) => (
            <option key={l.id} value={l.id}>
              {l.name} ({l.timezone})
            </option>
          ))}
        </Select>
      </Field>
      <Field id="extra-reason" label="Reason">
        <Input id="extra-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <FormError message={error} />
      <p className="text-xs text-muted-foreground">Your change is approved at once; an overlap with another shift is refused.</p>
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : target.dates.length > 1 ? `Add ${target.dates.length} shifts` : 'Add shift'}
        </Button>
      </div>
    </form>
  );
}

export interface OpenShift {
  employee: Employee;
  zone: string;
  date: string;
  items: ScheduleItem[];
}

/** A day's shifts with their provenance; a manager changes the day's shift, gives time off, or revokes an adjustment. */
export function ShiftDialog({ target, canEdit, onClose }: { target: OpenShift | null; canEdit: boolean; onClose: () => void }) {
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(open) => !open && onClose()}
      title={target ? `${target.employee.name} · ${formatLongDay(target.date)}` : 'Shift'}
      description={target ? `Times in ${zoneLabel(target.zone)}` : undefined}
      className="max-w-xl"
    >
      {target && <ShiftDetail key={target.employee.id + target.date} target={target} canEdit={canEdit} onDone={onClose} />}
    </Dialog>
  );
}

function ShiftDetail({ target, canEdit, onDone }: { target: OpenShift; canEdit: boolean; onDone: () => void }) {
  const first = target.items[0]!;
  const [mode, setMode] = useState<'change_shift' | 'time_off'>('change_shift');
  const [start, setStart] = useState(localTimeOf(first.start, target.zone));
  const [end, setEnd] = useState(localTimeOf(target.items.at(-1)!.end, target.zone));
  const [reason, setReason] = useState('');
  const create = useCreateAdjustment();
  const decide = useDecide();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const text = reason.trim() || (mode === 'time_off' ? 'Time off set by manager' : 'Shift changed by manager');
    try {
      // Time off starts on the shift's date; its end rolls to the next day when it is not after the start.
      const range = shiftInstants(target.date, start, end, target.zone);
      await create.mutateAsync({ employeeId: target.employee.id, kind: mode, locationId: mode === 'change_shift' ? first.locationId : undefined, reason: text, ...range });
      toast.success(mode === 'time_off' ? `Time off given to ${target.employee.name}` : `Shift changed for ${target.employee.name}`);
      onDone();
    } catch (err) {
      toastRefusal(err, mode === 'time_off' ? 'Time off' : 'The change');
    }
  };

  const revoke = async (id: string) => {
    try {
      await decide.mutateAsync({ id, verb: 'revoke', note: 'Revoked from the schedule grid' });
      toast.success('Adjustment revoked: the contract shift is back');
      onDone();
    } catch (err) {
      toastRefusal(err, 'Revoking');
    }
  };

  return (
    <div className="grid gap-5">
      <ul className="grid gap-2" aria-label="Shifts on this day">
        {target.items.map((s, i) => (
          <li key={i} className={cn('rounded-lg px-3 py-2', s.source.layer === 'adjustment' ? adjustmentChip : contractChip)}>
            <p className="text-sm font-medium tabular-nums">
              {localTimeOf(s.start, target.zone)}–{localTimeOf(s.end, target.zone)}
              {localDateOf(s.end, target.zone) !== s.date ? ' (next day)' : ''} · {formatMinutes(s.minutes)}
              {s.breakMinutes ? `, break ${s.breakMinutes} min` : ''}
            </p>
            <p className="text-sm">{s.provenance}</p>
            {canEdit && s.source.layer === 'adjustment' && (
              <Button variant="outline" size="sm" className="mt-2" onClick={() => void revoke(s.source.id)} disabled={decide.isPending}>
                <Undo2 /> Revoke this adjustment
              </Button>
            )}
          </li>
        ))}
      </ul>
      {canEdit && (
        <form onSubmit={(e) => void submit(e)} className="grid gap-4 border-t pt-4">
          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">Change</legend>
            <div className="flex gap-2">
              {(
                [
                  ['change_shift', 'Change the shift'],
                  ['time_off', 'Give time off'],
                ] as const
              ).map(([value, label]) => (
                <label
                  key={value}
                  className={cn(
                    'flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/10',
                  )}
                >
                  <input type="radio" name="shift-mode" value={value} checked={mode === value} onChange={() => setMode(value)} className="accent-primary" />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="grid grid-cols-2 gap-3">
            <Field id="shift-start" label={mode === 'time_off' ? 'Off from' : 'New start'} hint={zoneLabel(target.zone)}>
              <Input id="shift-start" type="time" required value={start} onChange={(e) => setStart(e.target.value)} />
            </Field>
            <Field id="shift-end" label={mode === 'time_off' ? 'Off until' : 'New end'} hint={end <= start ? 'The next day' : ' '}>
              <Input id="shift-end" type="time" required value={end} onChange={(e) => setEnd(e.target.value)} />
            </Field>
          </div>
          <Field id="shift-reason" label="Reason (optional)">
            <Input id="shift-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={onDone}>
              Close
            </Button>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? 'Saving…' : mode === 'time_off' ? 'Give time off' : 'Change shift'}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
