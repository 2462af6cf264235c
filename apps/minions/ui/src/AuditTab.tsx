import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from './api';
import { auditQueryString, NO_FILTERS, type AuditFilters } from './audit-filters';

interface AuditEntry {
  id: string;
  at: number;
  operator: string;
  action: string;
  target: string;
  ip: string;
  outcome: 'ok' | 'refused' | 'failed';
  status: number;
  detail?: string;
}

interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
  scanned: number;
  actions: string[];
}

const when = (at: number) => new Date(at).toLocaleString([], { hour12: false });

/** The audit log: who did what, to what, from where and how it went; filtered, newest first, page by page. */
export function AuditTab() {
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [actions, setActions] = useState<string[]>([]);
  const [error, setError] = useState<string>();

  const load = useCallback((applied: AuditFilters, before?: string) => {
    api<AuditPage>(`/api/audit?${auditQueryString(applied, before)}`).then(
      (page) => {
        setEntries((list) => (before ? [...list, ...page.entries] : page.entries));
        setNext(page.next);
        setActions(page.actions);
        setError(undefined);
      },
      (e: unknown) => setError((e as Error).message),
    );
  }, []);
  useEffect(() => load(filters), [filters, load]);

  const set = (key: keyof AuditFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: key === 'limit' ? Number(e.target.value) : e.target.value }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ ...draft });
  };

  return (
    <section className="panel wide">
      <h2>
        Audit <span className="muted">what operators did, newest first</span>
      </h2>
      <form className="inline" onSubmit={apply}>
        <input aria-label="audit operator" placeholder="operator" value={draft.operator} onChange={set('operator')} />
        <select aria-label="audit action" value={draft.action} onChange={set('action')}>
          <option value="">any action</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <input aria-label="audit target" placeholder="target contains" value={draft.target} onChange={set('target')} />
        <label className="muted">
          from <input type="datetime-local" aria-label="audit from" value={draft.from} onChange={set('from')} />
        </label>
        <label className="muted">
          to <input type="datetime-local" aria-label="audit to" value={draft.to} onChange={set('to')} />
        </label>
        <input type="number" aria-label="audit limit" min={1} max={500} value={draft.limit} onChange={set('limit')} />
        <button>search</button>
        <button type="button" className="link" onClick={() => load(filters)}>
          refresh
        </button>
      </form>
      {error && <p className="error">audit: {error}</p>}
      <table data-testid="audit-table">
        <thead>
          <tr>
            <th>when</th>
            <th>operator</th>
            <th>action</th>
            <th>target</th>
            <th>outcome</th>
            <th>ip</th>
            <th>detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td className="muted">no entry matches</td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td>{when(e.at)}</td>
              <td>{e.operator}</td>
              <td>{e.action}</td>
              <td>{e.target}</td>
              <td className={e.outcome === 'ok' ? 'ok-text' : 'bad-text'}>
                {e.outcome} {e.status}
              </td>
              <td>{e.ip}</td>
              <td className="detail">{e.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && (
        <button className="link" onClick={() => load(filters, next)}>
          older…
        </button>
      )}
    </section>
  );
}
