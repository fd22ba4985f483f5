// Message markdown rendered to Preact nodes: text only ever becomes text
// nodes, so nothing a user writes can become markup or script. Links are
// made only for http(s) URLs; anything else (javascript:, data:) stays text.
import type { ComponentChildren } from 'preact';

export interface RenderContext {
  mentionName: (userId: string) => string | null;
  meId?: string;
}

export function safeUrl(raw: string): string | null {
  if (!/^https?:\/\//i.test(raw)) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

// A URL ends before whitespace or '<'; trailing punctuation is usually prose.
const AUTOLINK = /https?:\/\/[^\s<]+[^\s<.,:;"')\]!?]/iy;

interface Rule {
  re: RegExp;
  render: (m: RegExpExecArray, ctx: RenderContext, key: number) => ComponentChildren;
}

const RULES: Rule[] = [
  { re: /`([^`\n]+)`/y, render: (m, _c, k) => <code key={k} class="md-code">{m[1]}</code> },
  { re: /\*\*([\s\S]+?)\*\*/y, render: (m, c, k) => <strong key={k}>{inline(m[1], c)}</strong> },
  { re: /__([\s\S]+?)__/y, render: (m, c, k) => <u key={k}>{inline(m[1], c)}</u> },
  { re: /~~([\s\S]+?)~~/y, render: (m, c, k) => <s key={k}>{inline(m[1], c)}</s> },
  { re: /\|\|([\s\S]+?)\|\|/y, render: (m, c, k) => <Spoiler key={k}>{inline(m[1], c)}</Spoiler> },
  { re: /\*([^\s*](?:[\s\S]*?[^\s*])?)\*/y, render: (m, c, k) => <em key={k}>{inline(m[1], c)}</em> },
  { re: /_([^\s_](?:[\s\S]*?[^\s_])?)_(?![A-Za-z0-9])/y, render: (m, c, k) => <em key={k}>{inline(m[1], c)}</em> },
  {
    re: /\[([^\]\n]+)\]\(([^)\s]+)\)/y,
    render: (m, c, k) => {
      const href = safeUrl(m[2]);
      if (!href) return m[0];
      return (
        <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow ugc" title={href}>
          {inline(m[1], c)}
        </a>
      );
    },
  },
  {
    re: AUTOLINK,
    render: (m, _c, k) => {
      const href = safeUrl(m[0]);
      if (!href) return m[0];
      return (
        <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
          {m[0]}
        </a>
      );
    },
  },
  {
    re: /<@!?(\d{1,20})>/y,
    render: (m, c, k) => {
      const name = c.mentionName(m[1]);
      return (
        <span key={k} class={'mention' + (m[1] === c.meId ? ' mention-me' : '')} data-user-id={m[1]}>
          @{name ?? 'unknown-user'}
        </span>
      );
    },
  },
  { re: /@(everyone|here)\b/y, render: (m, _c, k) => <span key={k} class="mention">@{m[1]}</span> },
  { re: /\\([\\`*_~|[\]()<>@])/y, render: (m) => m[1] },
];

// Characters where a rule may start; everything else is plain text.
const STARTS = /[`*_~|[h<@\\]/g;

export function inline(text: string, ctx: RenderContext): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let plain = '';
  let i = 0;
  let key = 0;
  while (i < text.length) {
    STARTS.lastIndex = i;
    const s = STARTS.exec(text);
    if (!s) break;
    plain += text.slice(i, s.index);
    i = s.index;
    let matched = false;
    for (const rule of RULES) {
      rule.re.lastIndex = i;
      const m = rule.re.exec(text);
      if (m && m.index === i) {
        if (plain) out.push(plain);
        plain = '';
        out.push(rule.render(m, ctx, key++));
        i += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      plain += text[i];
      i += 1;
    }
  }
  plain += text.slice(i);
  if (plain) out.push(plain);
  return out;
}

function Spoiler({ children }: { children: ComponentChildren }) {
  return (
    <span
      class="spoiler"
      role="button"
      tabIndex={0}
      aria-label="Spoiler, activate to reveal"
      onClick={(e) => (e.currentTarget as HTMLElement).classList.add('revealed')}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') (e.currentTarget as HTMLElement).classList.add('revealed');
      }}
    >
      {children}
    </span>
  );
}

function paragraphs(text: string, ctx: RenderContext, keyBase: string): ComponentChildren[] {
  const lines = text.split('\n');
  const out: ComponentChildren[] = [];
  let quote: string[] = [];
  let plain: string[] = [];
  let k = 0;
  const flushPlain = () => {
    if (plain.length) out.push(<span key={keyBase + 'p' + k++}>{inline(plain.join('\n'), ctx)}</span>);
    plain = [];
  };
  const flushQuote = () => {
    if (quote.length) out.push(<blockquote key={keyBase + 'q' + k++}>{inline(quote.join('\n'), ctx)}</blockquote>);
    quote = [];
  };
  for (const line of lines) {
    const q = /^> ?(.*)$/.exec(line);
    if (q) {
      flushPlain();
      quote.push(q[1]);
    } else {
      flushQuote();
      plain.push(line);
    }
  }
  flushPlain();
  flushQuote();
  return out;
}

export function renderMarkdown(text: string, ctx: RenderContext): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const fence = /```([A-Za-z0-9_+-]*)\n?([\s\S]*?)```/g;
  let last = 0;
  let k = 0;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    if (m.index > last) out.push(...paragraphs(text.slice(last, m.index).replace(/\n$/, ''), ctx, 't' + k++));
    out.push(
      <pre key={'c' + k++} class="md-pre" data-lang={m[1] || undefined}>
        <code>{m[2].replace(/\n$/, '')}</code>
      </pre>,
    );
    last = m.index + m[0].length;
    if (text[last] === '\n') last += 1;
  }
  if (last < text.length) out.push(...paragraphs(text.slice(last), ctx, 't' + k++));
  return out;
}

// The server's search highlight is the content HTML-escaped with matches in
// <mark>…</mark>: split on the tags and unescape the rest into text nodes.
export function renderHighlight(highlighted: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const parts = highlighted.split(/(<mark>|<\/mark>)/);
  let marked = false;
  let k = 0;
  for (const p of parts) {
    if (p === '<mark>') marked = true;
    else if (p === '</mark>') marked = false;
    else if (p) out.push(marked ? <mark key={k++}>{unescapeHtml(p)}</mark> : unescapeHtml(p));
  }
  return out;
}

export function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, (_, e: string) =>
    ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" })[e] ?? _,
  );
}
