import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Check, Copy, KeyRound, Plus } from 'lucide-react';
import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import { toast } from 'sonner';
import type { z } from 'zod';
import { apiKeyCreate, type ApiKey } from '@contract/auth.ts';
import { areas } from '@contract/common.ts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { formatDateTime, viewerZone } from '@/lib/format';
import { apiKeysQuery, useCreateApiKey, useRevokeApiKey } from '../api/api-keys';

export function ApiKeysPage() {
  const keys = useQuery(apiKeysQuery);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useRevokeApiKey();

  return (
    <>
      <PageHeader
        title="API keys"
        description="Machine identities for agents and integrations. A key is shown once, when it is created."
        actions={<Button onClick={() => setCreating(true)}><Plus /> Create key</Button>}
      />
      <Card className="overflow-hidden">
        {keys.isPending ? (
          <LoadingState label="Loading API keys" rows={3} />
        ) : keys.isError ? (
          <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <EmptyState icon={<KeyRound />} title="No API keys yet" description="Create one for each agent or integration, with only the scopes it needs." action={<Button size="sm" onClick={() => setCreating(true)}><Plus /> Create key</Button>} />
        ) : (
          <div className="overflow-x-auto">
            <Table>
              <THead>
                <tr>
                  <Th scope="col">Name</Th>
                  <Th scope="col">Key</Th>
                  <Th scope="col">Scopes</Th>
                  <Th scope="col">Created ({viewerZone})</Th>
                  <Th scope="col">Status</Th>
                  <Th scope="col"><span className="sr-only">Actions</span></Th>
                </tr>
              </THead>
              <TBody>
                {keys.data.map((k) => (
                  <Tr key={k.id} className={k.revokedAt ? 'bg-muted/40 text-muted-foreground' : undefined}>
                    <Td className="font-medium">{k.name}</Td>
                    <Td className="font-mono text-xs">{k.prefix}…</Td>
                    <Td>
                      <div className="flex max-w-md flex-wrap gap-1">
                        {k.scopes.map((s) => <Badge key={s} variant="outline" className="font-mono">{s}</Badge>)}
                      </div>
                    </Td>
                    <Td className="whitespace-nowrap text-muted-foreground">{formatDateTime(k.createdAt)}</Td>
                    <Td>{k.revokedAt ? <Badge variant="destructive" title={formatDateTime(k.revokedAt)}>Revoked</Badge> : <Badge variant="success">Active</Badge>}</Td>
                    <Td className="text-right">
                      {!k.revokedAt && (
                        <Button variant="ghost" size="sm" className="text-destructive" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </Button>
                      )}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </Card>
      <Dialog open={creating} onOpenChange={setCreating} title="Create API key" description="Grant only the scopes the integration needs; write implies read." className="max-w-xl">
        {creating && (
          <ApiKeyForm
            onCancel={() => setCreating(false)}
            onCreated={(name, key) => {
              setCreating(false);
              setCreated({ name, key });
            }}
          />
        )}
      </Dialog>
      <Dialog open={created !== null} onOpenChange={(o) => !o && setCreated(null)} title={`Key for ${created?.name ?? ''}`} description="Copy it now: it is stored only as a hash and cannot be shown again." footer={<Button onClick={() => setCreated(null)}>Done</Button>}>
        {created && <CopyKey value={created.key} />}
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={`Revoke ${revoking?.name ?? ''}?`}
        description="Requests with this key fail from now on and its open sockets close."
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking.id, {
            onSuccess: (k) => { toast.success(`${k.name} revoked`); setRevoking(null); },
            onError: (err) => { toast.error(errorMessage(err)); setRevoking(null); },
          })
        }
      />
    </>
  );
}

function CopyKey({ value }: { value: string }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div className="grid gap-2">
      <label htmlFor={id} className="text-sm font-medium">API key</label>
      <div className="flex gap-2">
        <Input id={id} readOnly value={value} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} data-testid="created-api-key" />
        <Button
          variant="outline"
          aria-label={copied ? 'Copied' : 'Copy key'}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
              setTimeout(() => setCopied(false), 2000);
            } catch {
              toast.error('Copy failed: select the key and copy it by hand');
            }
          }}
        >
          {copied ? <Check /> : <Copy />} {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="text-xs text-muted-foreground">Send it in the <code className="font-mono">X-API-Key</code> header.</p>
    </div>
  );
}

function ApiKeyForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (name: string, key: string) => void }) {
  const id = useId();
  const create = useCreateApiKey();
  const [serverError, setServerError] = useState<string | null>(null);
  const { register, handleSubmit, formState, watch, setValue } = useForm<z.input<typeof apiKeyCreate>, unknown, z.output<typeof apiKeyCreate>>({
    resolver: zodResolver(apiKeyCreate),
    defaultValues: { name: '', scopes: [] },
  });
  const scopes = watch('scopes') ?? [];
  const level = (area: string) => (scopes.includes(`${area}:write`) ? 'write' : scopes.includes(`${area}:read`) ? 'read' : 'none');
  const setLevel = (area: string, value: string) => {
    const rest = scopes.filter((s) => !s.startsWith(`${area}:`));
    setValue('scopes', value === 'none' ? rest : [...rest, `${area}:${value}`], { shouldValidate: formState.isSubmitted });
  };
  const e = formState.errors;
  return (
    <form
      noValidate
      className="grid gap-4"
      onSubmit={handleSubmit(async (values) => {
        setServerError(null);
        try {
          const result = await create.mutateAsync(values);
          onCreated(result.name, result.key);
        } catch (err) {
          setServerError(errorMessage(err));
        }
      })}
    >
      <FormError message={serverError} />
      <Field id={`${id}-name`} label="Name" hint="What uses it, e.g. “Badge reader, Gate 3”" error={e.name?.message}>
        <Input id={`${id}-name`} autoFocus autoComplete="off" aria-invalid={!!e.name || undefined} {...register('name')} />
      </Field>
      <fieldset>
        <legend className="mb-2 text-sm font-medium">Scopes</legend>
        <div className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
          {areas.map((area) => (
            <div key={area} className="flex items-center justify-between gap-3 rounded-md border px-3 py-1.5">
              <span className="text-sm capitalize">{area}</span>
              <div role="radiogroup" aria-label={`${area} access`} className="flex gap-1">
                {(['none', 'read', 'write'] as const).map((v) => (
                  <label key={v} className="cursor-pointer">
                    <input type="radio" name={`${id}-${area}`} value={v} checked={level(area) === v} onChange={() => setLevel(area, v)} className="peer sr-only" />
                    <span className="rounded px-2 py-0.5 text-xs text-muted-foreground peer-checked:bg-primary peer-checked:text-primary-foreground peer-focus-visible:outline-2 peer-focus-visible:outline-ring">
                      {v}
                    </span>
                  </label>
                ))}
              </div>
            </div>
          ))}
        </div>
        {e.scopes && <p role="alert" className="mt-2 text-xs font-medium text-destructive">Choose at least one scope</p>}
      </fieldset>
      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onCancel}>Cancel</Button>
        <Button type="submit" disabled={formState.isSubmitting}>Create key</Button>
      </div>
    </form>
  );
}
