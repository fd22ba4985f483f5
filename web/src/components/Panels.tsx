import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { explain, jumpTo } from '../actions';
import { renderHighlight, renderMarkdown } from '../markdown';
import { store } from '../store';
import type { Channel, Message, SearchResult } from '../types';
import { Avatar, formatTime, Icon } from './common';
import { Composer } from './Composer';
import { mentionContext } from './Message';
import { MessageList } from './MessageList';

function Panel({ title, label, onClose, children }: { title: preact.ComponentChildren; label: string; onClose: () => void; children: preact.ComponentChildren }) {
  return (
    <aside class="side-panel" aria-label={label}>
      <header class="panel-header">
        <h2>{title}</h2>
        <button class="icon-button" aria-label={`Close ${label.toLowerCase()}`} onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      {children}
    </aside>
  );
}

export function ThreadPanel() {
  const t = store.threadId ? store.channels.get(store.threadId) : undefined;
  if (!t) return null;
  const origin = t.origin_message_id && t.parent_id ? store.findMessage(t.parent_id, t.origin_message_id) : undefined;
  return (
    <Panel
      label="Thread"
      title={
        <>
          <Icon name="thread" size={18} /> {t.name}
        </>
      }
      onClose={() => {
        store.threadId = null;
        store.emit();
      }}
    >
      {origin && (
        <div class="thread-origin">
          <span class="muted small">Started from</span> <strong>{store.displayName(origin.author.id, t.space_id)}</strong>: {origin.content.slice(0, 200)}
        </div>
      )}
      <div class="thread-body">
        <MessageList channelId={t.id} />
        <Composer channel={t} />
      </div>
    </Panel>
  );
}

function ResultItem({ m, children }: { m: Message; children: preact.ComponentChildren }) {
  const c = store.channels.get(m.channel_id);
  const where = c ? (c.type === 'dm' || c.type === 'group_dm' ? store.channelTitle(c) : '#' + c.name) : '';
  return (
    <li>
      <button class="result" onClick={() => void jumpTo(m.channel_id, m.id)} aria-label={`Jump to message by ${store.displayName(m.author.id, c?.space_id)} in ${where}`}>
        <Avatar userId={m.author.id} name={store.displayName(m.author.id, c?.space_id)} size={32} avatar={m.author.avatar} />
        <div class="result-main">
          <div>
            <strong>{store.displayName(m.author.id, c?.space_id)}</strong> <span class="muted small">{where}</span> <span class="muted small">{formatTime(m.created_at)}</span>
          </div>
          <div class="result-text">{children}</div>
        </div>
      </button>
    </li>
  );
}

export function SearchPanel() {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scope = store.spaceId && store.spaceId !== '@me' ? store.spaces.get(store.spaceId) : undefined;
  const run = async (e: Event) => {
    e.preventDefault();
    if (!q.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const params = new URLSearchParams({ q: q.trim(), limit: '25' });
      if (scope) params.set('space_id', scope.id);
      const r = await api<{ results: SearchResult[] }>('GET', '/search?' + params.toString());
      for (const x of r.results) store.rememberUser(x.message.author);
      setResults(r.results);
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel
      label="Search"
      title="Search"
      onClose={() => {
        store.searchOpen = false;
        store.emit();
      }}
    >
      <form class="search-form" role="search" onSubmit={run}>
        <input type="search" aria-label={scope ? `Search ${scope.name}` : 'Search messages'} placeholder={scope ? `Search ${scope.name}` : 'Search messages'} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} autofocus />
        <button class="primary" type="submit" disabled={busy}>
          Search
        </button>
      </form>
      {error && <p class="form-error">{error}</p>}
      {results && (
        <p class="muted small pad" role="status">
          {results.length === 0 ? 'No results' : `${results.length} result${results.length === 1 ? '' : 's'}`}
        </p>
      )}
      <ul class="results" aria-label="Search results">
        {results?.map((r) => (
          <ResultItem key={r.message.id} m={r.message}>
            {renderHighlight(r.highlighted)}
          </ResultItem>
        ))}
      </ul>
    </Panel>
  );
}

export function PinsPanel({ channel }: { channel: Channel }) {
  const [pins, setPins] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Pinning or unpinning a loaded message reloads the list.
  const pinnedKey = (store.histories.get(channel.id)?.list ?? [])
    .filter((m) => m.pinned)
    .map((m) => m.id)
    .join();
  useEffect(() => {
    api<Message[]>('GET', `/channels/${channel.id}/pins`).then(setPins, (e) => setError(explain(e)));
  }, [channel.id, pinnedKey]);
  return (
    <Panel
      label="Pinned messages"
      title="Pinned messages"
      onClose={() => {
        store.pinsOpen = false;
        store.emit();
      }}
    >
      {error && <p class="form-error">{error}</p>}
      {pins?.length === 0 && <p class="muted pad">No pinned messages in this channel yet.</p>}
      <ul class="results" aria-label="Pinned messages">
        {pins?.map((m) => (
          <ResultItem key={m.id} m={m}>
            {renderMarkdown(m.content, mentionContext(channel.space_id))}
          </ResultItem>
        ))}
      </ul>
    </Panel>
  );
}
