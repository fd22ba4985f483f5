// The shapes of docs/openapi.yaml and docs/gateway.md that the client uses.
export type Id = string;

export interface PublicUser {
  id: Id;
  username: string;
  display_name: string;
  avatar: Id | null;
  created_at?: string;
}

export type Status = 'online' | 'idle' | 'dnd' | 'invisible' | 'offline';

export interface PrivateUser extends PublicUser {
  email: string;
  status: Status;
  preferences: Record<string, unknown>;
  owner: boolean;
}

export interface AuthResult {
  user: PrivateUser;
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface Role {
  id: Id;
  space_id: Id;
  name: string;
  permissions: string;
  position: number;
  color: number;
  hoist: boolean;
  mentionable: boolean;
}

export interface Overwrite {
  id: Id;
  type: 'role' | 'member';
  allow: string;
  deny: string;
}

export type ChannelType = 'text' | 'voice' | 'category' | 'thread' | 'dm' | 'group_dm';

export interface Channel {
  id: Id;
  type: ChannelType;
  space_id: Id | null;
  name: string;
  topic: string;
  parent_id: Id | null;
  position: number;
  permission_overwrites: Overwrite[];
  recipients?: Id[];
  owner_id: Id | null;
  origin_message_id: Id | null;
  last_message_id: Id | null;
  created_at: string;
}

export interface Member {
  space_id: Id;
  user: PublicUser;
  nick: string | null;
  roles: Id[];
  joined_at: string;
  communication_disabled_until: string | null;
}

export interface Space {
  id: Id;
  name: string;
  icon: Id | null;
  owner_id: Id;
  created_at: string;
  member_count: number;
}

export interface SpaceDetail extends Space {
  roles: Role[];
  channels: Channel[];
  members?: Member[];
  presences?: { user_id: Id; status: Status }[];
  voice_states?: VoiceState[];
}

// docs/voice.md: who is in which voice channel (READY and VOICE_STATE_UPDATE).
export interface VoiceState {
  user_id: Id;
  space_id: Id;
  channel_id: Id | null; // null: the user left
  self_mute: boolean;
  self_deaf: boolean;
  server_mute: boolean;
  server_deaf: boolean;
}

export interface Attachment {
  id: Id;
  filename: string;
  content_type: string;
  size: number;
  url: string;
}

export interface Reaction {
  emoji: string;
  count: number;
  me: boolean;
}

export interface Message {
  id: Id;
  channel_id: Id;
  author: PublicUser & { deleted?: boolean };
  content: string;
  created_at: string;
  edited_at: string | null;
  reply_to: Id | null;
  attachments: Attachment[];
  reactions: Reaction[];
  pinned: boolean;
  mentions: Id[];
  mention_everyone: boolean;
  thread_id: Id | null;
  nonce?: string;
}

export interface ReadState {
  channel_id: Id;
  last_read_id: Id | null;
  mention_count: number;
}

export interface Invite {
  code: string;
  space: { id: Id; name: string; icon: Id | null };
  member_count: number;
  uses: number;
  max_uses: number;
  expires_at: string | null;
  created_at: string;
  creator_id: Id;
}

export interface Ban {
  user: PublicUser;
  reason: string | null;
  banned_by: Id | null;
  created_at: string;
}

export interface AuditEntry {
  id: Id;
  space_id: Id;
  actor_id: Id;
  action: string;
  target_id: Id | null;
  changes: Record<string, unknown>;
  reason: string | null;
  created_at: string;
}

export interface ApiKey {
  id: Id;
  name: string;
  scopes: string[];
  created_at: string;
  last_used: string | null;
  key?: string;
}

export interface Instance {
  name: string;
  registration: 'open' | 'invite' | 'closed';
  max_upload_bytes: number;
  owner_id: Id | null;
  version: string;
}

export interface SearchResult {
  message: Message;
  highlighted: string;
}

export interface Ready {
  session_id: string;
  user: PrivateUser;
  spaces: SpaceDetail[];
  private_channels: Channel[];
  read_states: ReadState[];
}

export interface ApiErrorBody {
  code: string;
  message: string;
  errors?: Record<string, string>;
  retry_after?: number;
}
