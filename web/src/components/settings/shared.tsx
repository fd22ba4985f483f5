import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { explain, toast } from '../../actions';

export function Tabs({ tabs, children }: { tabs: [string, string][]; children: (tab: string) => ComponentChildren }) {
  const [tab, setTab] = useState(tabs[0][0]);
  return (
    <div class="settings">
      <div class="settings-tabs" role="tablist" aria-orientation="vertical">
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" id={'tab-' + id} aria-selected={tab === id} aria-controls={'panel-' + id} class={tab === id ? 'active' : ''} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div class="settings-panel" role="tabpanel" id={'panel-' + tab} aria-labelledby={'tab-' + tab}>
        {children(tab)}
      </div>
    </div>
  );
}

export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<void>, done?: string) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      if (done) toast(done);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, Err: () => (error ? <p class="form-error" role="alert">{error}</p> : null) };
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): [T | null, () => void, string | null] {
  const [v, setV] = useState<T | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    load().then(setV, (e) => setErr(explain(e)));
  }, [...deps, n]);
  return [v, () => setN(n + 1), err];
}

// ---------------------------------------------------------------- user
