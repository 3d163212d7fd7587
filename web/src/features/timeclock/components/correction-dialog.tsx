import { useEffect, useId, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, inputClass } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { errorMessage } from '@/lib/api';
import { zoneLabel } from '@/lib/format';
import { cn } from '@/lib/utils';
import { useCorrection, type LivePerson, type PunchKind } from '../api/timeclock-queries';
import { PUNCH_DONE, PUNCH_LABEL, wallTimeIn, wallTimeToInstant } from './clock-format';

/**
 * A manager's quick punch for someone on the floor: a missed clock-in or clock-out, recorded as a
 * correction with a reason (the audit log keeps both).
 */
export function CorrectionDialog({ person, zone, locationId, onClose }: { person: LivePerson | null; zone: string; locationId: string; onClose: () => void }) {
  const id = useId();
  const correction = useCorrection();
  const [kind, setKind] = useState<PunchKind>('clock_in');
  const [at, setAt] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ at?: string; reason?: string }>({});
  const [serverError, setServerError] = useState<string | null>(null);

  useEffect(() => {
    if (!person) return;
    setKind(person.nextAction);
    setAt(wallTimeIn(zone, Date.now()));
    setReason('');
    setErrors({});
    setServerError(null);
  }, [person, zone]);

  const max = wallTimeIn(zone, Date.now());

  return (
    <Dialog open={person !== null} onOpenChange={(o) => !o && onClose()} title={person ? `Record a punch for ${person.name}` : 'Record a punch'} description="Recorded as a correction in your name; the reason is kept in the audit log.">
      {person && (
        <form
          noValidate
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            const next: typeof errors = {};
            if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(at)) next.at = 'Enter the date and time of the punch';
            else if (at > max) next.at = 'A punch cannot be in the future';
            if (reason.trim().length < 3) next.reason = 'Say why (at least 3 characters)';
            setErrors(next);
            if (next.at || next.reason) return;
            setServerError(null);
            correction.mutate(
              { employeeId: person.employeeId, kind, at: wallTimeToInstant(at, zone), locationId, reason: reason.trim() },
              {
                onSuccess: () => {
                  toast.success(`${PUNCH_DONE[kind]}: ${person.name}`);
                  onClose();
                },
                onError: (err) => setServerError(errorMessage(err)),
              },
            );
          }}
        >
          <FormError message={serverError} />
          <Field id={`${id}-kind`} label="Punch">
            <Select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as PunchKind)}>
              {(['clock_in', 'break_start', 'break_end', 'clock_out'] as const).map((k) => (
                <option key={k} value={k}>
                  {PUNCH_LABEL[k]}
                  {k === person.nextAction ? ' (next expected)' : ''}
                </option>
              ))}
            </Select>
          </Field>
          <Field id={`${id}-at`} label="Time" hint={`Local time at the location: ${zoneLabel(zone)}`} error={errors.at}>
            <Input id={`${id}-at`} type="datetime-local" value={at} max={max} onChange={(e) => setAt(e.target.value)} aria-invalid={!!errors.at || undefined} aria-describedby={errors.at ? `${id}-at-error` : `${id}-at-hint`} />
          </Field>
          <Field id={`${id}-reason`} label="Reason" error={errors.reason}>
            <textarea
              id={`${id}-reason`}
              className={cn(inputClass, 'h-20 resize-y py-2')}
              value={reason}
              maxLength={500}
              placeholder="e.g. Forgot to clock in; confirmed with the shift lead"
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={!!errors.reason || undefined}
              aria-describedby={errors.reason ? `${id}-reason-error` : undefined}
            />
          </Field>
          <div className="flex justify-end gap-2 border-t pt-4">
            <Button variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={correction.isPending}>
              {correction.isPending ? 'Recording…' : 'Record punch'}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
