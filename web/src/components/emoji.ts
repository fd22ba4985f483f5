// The reaction picker's set: common emoji with names to filter by. Emoji are
// text, drawn by the system's font; nothing is fetched.
export const EMOJI: [string, string][] = [
  ['👍', 'thumbs up yes'], ['👎', 'thumbs down no'], ['❤️', 'heart love'], ['😂', 'joy laugh'],
  ['😄', 'smile happy'], ['😊', 'blush'], ['😍', 'heart eyes'], ['😮', 'wow surprised'],
  ['😢', 'cry sad'], ['😡', 'angry'], ['🎉', 'tada party'], ['🔥', 'fire'],
  ['👀', 'eyes look'], ['🙏', 'pray thanks'], ['👏', 'clap'], ['💯', 'hundred'],
  ['✅', 'check done'], ['❌', 'cross no'], ['⭐', 'star'], ['🚀', 'rocket ship'],
  ['🤔', 'thinking'], ['😎', 'cool sunglasses'], ['🙌', 'raised hands'], ['👋', 'wave hello'],
  ['💡', 'idea bulb'], ['⚠️', 'warning'], ['🐛', 'bug'], ['☕', 'coffee'],
  ['🍕', 'pizza'], ['🎵', 'music'], ['😴', 'sleep'], ['🤝', 'handshake'],
  ['😅', 'sweat smile'], ['🙃', 'upside down'], ['😬', 'grimace'], ['🥳', 'party face'],
  ['💀', 'skull dead'], ['🤯', 'mind blown'], ['👌', 'ok'], ['✨', 'sparkles'],
];
