import { Fragment } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { jumpToPresent, loadNewer, loadOlder, maybeAck } from '../actions';
import { newer } from '../ids';
import { store } from '../store';
import { MessageItem } from './Message';

const GROUP_MS = 7 * 60 * 1000;

export function MessageList({ channelId }: { channelId: string }) {
  const h = store.history(channelId);
  const channel = store.channels.get(channelId);
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  // While older messages load: the distance from the bottom to keep, and the
  // first message before the load (the list grew when it changed).
  const restore = useRef<{ fromBottom: number; first: string | undefined } | null>(null);
  const shownHighlight = useRef<string | null>(null);
  const lastId = useRef<string | undefined>(undefined);

  useEffect(() => {
    stick.current = true;
    restore.current = null;
    lastId.current = undefined;
  }, [channelId]);

  // A resize (a rotated phone, a side panel opening, an image decoding)
  // keeps the newest message in view when it was.
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = h.list[0]?.id;
    const last = h.list[h.list.length - 1];
    if (last && last.id !== lastId.current && last.author.id === store.me?.id && last.pending) stick.current = true;
    lastId.current = last?.id;

    const hl = store.highlight;
    if (hl && hl !== shownHighlight.current) {
      const target = el.querySelector(`[data-message-id="${hl}"]`);
      if (target) {
        shownHighlight.current = hl;
        stick.current = false;
        restore.current = null;
        target.scrollIntoView({ block: 'center' });
        return;
      }
    }
    if (!hl) shownHighlight.current = null;
    if (restore.current) {
      if (restore.current.first !== first) {
        el.scrollTop = el.scrollHeight - restore.current.fromBottom;
        restore.current = null;
      }
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    // Not enough history to scroll: fetch more until there is.
    if (el.scrollHeight <= el.clientHeight + 10 && h.hasMoreBefore && !h.loading && h.list.length > 0) void older();
  });

  const older = async () => {
    const el = ref.current;
    if (!el || h.loading || !h.hasMoreBefore) return;
    restore.current = { fromBottom: el.scrollHeight - el.scrollTop, first: h.list[0]?.id };
    const got = await loadOlder(channelId);
    if (!got) restore.current = null;
  };

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40 && !h.hasMoreAfter;
    if (el.scrollTop < 300) void older();
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 300 && h.hasMoreAfter) void loadNewer(channelId);
    if (stick.current) maybeAck(channelId);
  };

  const marker = store.markers.get(channelId) ?? null;
  let markerShown = false;
  const items = h.list.map((m, i) => {
    const prev = h.list[i - 1];
    const compact =
      !!prev &&
      prev.author.id === m.author.id &&
      !m.reply_to &&
      new Date(m.created_at).getTime() - new Date(prev.created_at).getTime() < GROUP_MS;
    let divider = null;
    if (marker && !markerShown && !m.pending && newer(m.id, marker) && m.author.id !== store.me?.id) {
      markerShown = true;
      divider = (
        <div class="new-divider" role="separator" aria-label="New messages">
          <span>New</span>
        </div>
      );
    }
    return (
      <Fragment key={m.id}>
        {divider}
        <MessageItem message={m} compact={compact && !divider} />
      </Fragment>
    );
  });

  return (
    <div class="message-scroller" ref={ref} onScroll={onScroll}>
      <ol class="message-list" aria-label={`Messages in ${channel ? store.channelTitle(channel) : 'channel'}`} aria-busy={h.loading}>
        {!h.hasMoreBefore && (
          <li class="channel-start">
            <h2>Welcome to {channel?.type === 'dm' || channel?.type === 'group_dm' ? '' : '#'}{channel ? store.channelTitle(channel) : ''}</h2>
            <p class="muted">This is the start of the conversation.</p>
          </li>
        )}
        {h.loading && h.hasMoreBefore && (
          <li class="loading-more" role="status">
            Loading messages…
          </li>
        )}
        {items}
      </ol>
      {h.hasMoreAfter && (
        <button class="jump-present" onClick={() => void jumpToPresent(channelId)}>
          You are viewing older messages — Jump to present
        </button>
      )}
    </div>
  );
}
