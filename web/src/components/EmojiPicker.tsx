import { useEffect, useRef, useState } from 'preact/hooks';
import { EMOJI } from './emoji';

export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const [q, setQ] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector('input')?.focus();
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, []);
  const shown = EMOJI.filter(([, names]) => names.includes(q.trim().toLowerCase()));
  return (
    <div
      class="emoji-picker"
      ref={ref}
      role="dialog"
      aria-label="Pick a reaction"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input type="search" placeholder="Find an emoji" aria-label="Find an emoji" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      <div class="emoji-grid" role="listbox" aria-label="Emoji">
        {shown.map(([e, names]) => (
          <button
            key={e}
            role="option"
            aria-selected="false"
            class="emoji-option"
            aria-label={names.split(' ')[0]}
            title={names.split(' ')[0]}
            onClick={() => {
              onPick(e);
              onClose();
            }}
          >
            {e}
          </button>
        ))}
      </div>
    </div>
  );
}
