// bench/voice driver: the signaling half of the voice benchmark. It starts
// voice_loadgen (the media half, one process, every peer), sets up R rooms
// of 1 publisher and S subscribers on the target server, relays SDPs between
// the server and the load client, then asks the load client to measure.
// Prints the load client's `result k=v ...` line on stdout; progress on stderr.
//
//   node --experimental-websocket driver.mjs --target janus|driftway --server HOST:PORT
//        --pid SERVER_PID --loadgen PATH [--rooms R] [--subs S] [--warmup MS]
//        [--window MS] [--timeout S]
//
// Janus: the HTTP API (session, videoroom handles, long poll for events).
// Driftway: REST (register, space, voice channels, POST /voice/{id}/join) and
// the /voice WebSocket of docs/voice.md; the SFU offers, every peer answers.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const target = args.target;
const server = args.server;
const rooms = Number(args.rooms ?? 20);
const subs = Number(args.subs ?? 50);
const warmup = Number(args.warmup ?? 3000);
const windowMs = Number(args.window ?? 15000);
const timeoutS = Number(args.timeout ?? 120);
const log = (...m) => process.stderr.write(`bench-voice driver (${target}): ${m.join(" ")}\n`);

// --- the load client -------------------------------------------------------

const lg = spawn(args.loadgen, [], { stdio: ["pipe", "pipe", "inherit"] });
const pending = [];
createInterface({ input: lg.stdout }).on("line", (line) => pending.shift()?.(line));
lg.on("exit", (code, signal) => {
  if (!done) fatal(`voice_loadgen exited (${code ?? signal})`);
});
// A write after the load client died: report its exit instead of crashing
// on the unhandled EPIPE.
lg.stdin.on("error", (e) => {
  if (!done) fatal(`voice_loadgen's input: ${e.message}`);
});
// Commands are answered in order, one line each.
const cmd = (line) =>
  new Promise((resolve) => {
    pending.push(resolve);
    lg.stdin.write(line + "\n");
  });
const b64 = (s) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s) => Buffer.from(s, "base64").toString("utf8");
async function expectOk(line, what) {
  const r = await cmd(line);
  if (!r.startsWith("ok") && !r.startsWith("sdp")) throw new Error(`${what}: ${r}`);
  return r.startsWith("sdp ") ? unb64(r.slice(4)) : r;
}

let done = false;
function fatal(msg) {
  process.stderr.write(`bench-voice driver (${target}): error: ${msg}\n`);
  process.exit(1);
}
setTimeout(() => fatal(`timed out after ${timeoutS} s`), timeoutS * 1000).unref();

// At most n promises of fn over items at once.
async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

// Peer ids: room r's publisher is r*(S+1)+1, its subscribers follow it.
const pubId = (r) => r * (subs + 1) + 1;
const subId = (r, k) => pubId(r) + 1 + k;

async function waitConnected(ids, ms, what) {
  const r = await cmd(`wait ${ms} ${ids.join(" ")}`);
  const [, connected, , failed, , pendingN] = r.split(" ");
  log(`${what}: ${connected} connected, ${failed} failed, ${pendingN} pending`);
  if (Number(failed) + Number(pendingN) > 0) log(await cmd("failures"));
  return Number(connected);
}

// --- Janus -----------------------------------------------------------------

async function janus() {
  const base = `http://${server}/janus`;
  let tx = 0;
  const post = async (path, body) => {
    const res = await fetch(base + path, { method: "POST", body: JSON.stringify({ ...body, transaction: `t${++tx}` }) });
    const j = await res.json();
    if (j.janus === "error") throw new Error(`janus ${body.janus}: ${JSON.stringify(j.error)}`);
    return j;
  };
  const session = (await post("", { janus: "create" })).data.id;
  // Events of every handle arrive on the session's long poll.
  const waiters = new Map(); // handle -> [resolve]
  const early = new Map(); // handle -> [event]
  let polling = true;
  (async () => {
    while (polling) {
      try {
        const res = await fetch(`${base}/${session}?maxev=100&rid=${Date.now()}`);
        let evs = await res.json();
        if (!Array.isArray(evs)) evs = [evs];
        for (const ev of evs) {
          if (ev.janus !== "event" || ev.sender === undefined) continue;
          const w = waiters.get(ev.sender);
          if (w?.length) w.shift()(ev);
          else early.set(ev.sender, [...(early.get(ev.sender) ?? []), ev]);
        }
      } catch (e) {
        if (polling) log(`long poll: ${e.message}`);
      }
    }
  })();
  const nextEvent = (handle) => {
    const q = early.get(handle);
    if (q?.length) return Promise.resolve(q.shift());
    return new Promise((resolve) => waiters.set(handle, [...(waiters.get(handle) ?? []), resolve]));
  };
  const attach = async () => (await post(`/${session}`, { janus: "attach", plugin: "janus.plugin.videoroom" })).data.id;
  const message = (handle, body, jsep) => post(`/${session}/${handle}`, { janus: "message", body, ...(jsep ? { jsep } : {}) });
  // Waits for the handle's plugin event, skipping others (e.g. "talking").
  const eventWith = async (handle, pred, what) => {
    for (;;) {
      const ev = await nextEvent(handle);
      const d = ev.plugindata?.data ?? {};
      if (d.error) throw new Error(`${what}: ${d.error}`);
      if (pred(ev, d)) return ev;
    }
  };

  const admin = await attach();
  const roomIds = [];
  for (let r = 0; r < rooms; r++) {
    const id = 4200 + r;
    const res = await message(admin, {
      request: "create", room: id, publishers: 1, audiocodec: "opus", videocodec: "vp8",
      audiolevel_ext: true, audiolevel_event: false, notify_joining: false, permanent: false,
    });
    const d = res.plugindata?.data ?? {};
    if (d.videoroom !== "created") throw new Error(`create room: ${JSON.stringify(d)}`);
    roomIds.push(id);
  }
  log(`${rooms} rooms created; publishers joining`);

  const feeds = await pool([...roomIds.keys()], 16, async (r) => {
    const id = pubId(r);
    await expectOk(`new ${id} pub -1`, "new publisher");
    const offer = await expectOk(`offer ${id}`, "offer");
    const h = await attach();
    const ev = eventWith(h, (e, d) => d.videoroom === "joined" && e.jsep, "publisher join");
    await message(h, { request: "joinandconfigure", room: roomIds[r], ptype: "publisher", display: `pub${r}`, audio: true, video: false },
      { type: "offer", sdp: offer, trickle: false });
    const joined = await ev;
    await expectOk(`remote ${id} ${b64(joined.jsep.sdp)}`, "publisher answer");
    return joined.plugindata.data.id;
  });
  // VideoRoom subscribers only get a stream once the publisher is up.
  await waitConnected([...roomIds.keys()].map(pubId), 20000, "publishers");
  log(`${rooms * subs} subscribers joining`);
  const all = [];
  for (let r = 0; r < rooms; r++) for (let k = 0; k < subs; k++) all.push([r, k]);
  await pool(all, 16, async ([r, k]) => {
    const id = subId(r, k);
    await expectOk(`new ${id} sub ${pubId(r)}`, "new subscriber");
    const h = await attach();
    const ev = eventWith(h, (e, d) => d.videoroom === "attached" && e.jsep, "subscriber join");
    await message(h, { request: "join", room: roomIds[r], ptype: "subscriber", streams: [{ feed: feeds[r] }] });
    const attached = await ev;
    const answer = await expectOk(`answer ${id} ${b64(attached.jsep.sdp)}`, "subscriber answer");
    const started = eventWith(h, (e, d) => d.started === "ok" || d.videoroom === "event", "start");
    await message(h, { request: "start", room: roomIds[r] }, { type: "answer", sdp: answer });
    await started;
  });
  polling = false;
}

// --- Driftway --------------------------------------------------------------

async function driftway() {
  const base = `http://${server}/api/v1`;
  const api = async (method, path, token, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : {};
  };
  const tag = Date.now().toString(36);
  const register = (name) =>
    api("POST", "/auth/register", null, { username: name, email: `${name}@bench.test`, password: "bench voice passphrase" });
  const owner = await register(`vo${tag}`);
  const space = await api("POST", "/spaces", owner.access_token, { name: "bench voice" });
  const invite = await api("POST", `/spaces/${space.id}/invites`, owner.access_token, {});
  const channels = [];
  for (let r = 0; r < rooms; r++)
    channels.push((await api("POST", `/spaces/${space.id}/channels`, owner.access_token, { name: `voice-${r}`, type: "voice" })).id);
  log(`space and ${rooms} voice channels created; registering ${rooms * (subs + 1)} users`);
  const users = await pool([...Array(rooms * (subs + 1)).keys()], 16, async (i) => {
    const u = await register(`v${tag}${i}`);
    await api("POST", `/invites/${invite.code}`, u.access_token);
    return u.access_token;
  });

  const sockets = [];
  // One participant: join over REST, then the /voice socket; every offer
  // (the first and each renegotiation) is answered by the load client.
  const join = async (id, token, channel) => {
    const j = await api("POST", `/voice/${channel}/join`, token);
    const ws = new WebSocket(j.endpoint.replace("127.0.0.1:8080", server));
    sockets.push(ws);
    let first;
    const answered = new Promise((resolve, reject) => (first = { resolve, reject }));
    let queue = Promise.resolve();
    ws.onopen = () => ws.send(JSON.stringify({ op: "join", d: { token: j.token } }));
    ws.onclose = (e) => first.reject(new Error(`voice socket closed ${e.code} ${e.reason}`));
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.op === "error") log(`peer ${id}: ${JSON.stringify(msg.d)}`);
      if (msg.op !== "offer") return;
      queue = queue.then(async () => {
        const r = await cmd(`answer ${id} ${b64(msg.d.sdp)}`);
        if (!r.startsWith("sdp ")) return first.reject(new Error(`answer: ${r}`));
        ws.send(JSON.stringify({ op: "answer", d: { sdp: unb64(r.slice(4)) } }));
        first.resolve();
      });
    };
    await answered;
  };
  await pool([...Array(rooms).keys()], 16, async (r) => {
    await expectOk(`new ${pubId(r)} pub -1`, "new publisher");
    await join(pubId(r), users[r * (subs + 1)], channels[r]);
  });
  await waitConnected([...Array(rooms).keys()].map(pubId), 20000, "publishers");
  log(`${rooms * subs} subscribers joining`);
  const all = [];
  for (let r = 0; r < rooms; r++) for (let k = 0; k < subs; k++) all.push([r, k]);
  await pool(all, 16, async ([r, k]) => {
    await expectOk(`new ${subId(r, k)} sub ${pubId(r)}`, "new subscriber");
    await join(subId(r, k), users[r * (subs + 1) + 1 + k], channels[r]);
  });
  return sockets;
}

// --- run -------------------------------------------------------------------

try {
  if (target === "janus") await janus();
  else if (target === "driftway") await driftway();
  else fatal(`unknown target ${target}`);
  await waitConnected([], 30000, "all peers");
  log(`measuring: ${warmup} ms warm-up, ${windowMs} ms window`);
  const result = await cmd(`measure ${warmup} ${windowMs} 500 ${args.pid}`);
  process.stdout.write(result + "\n");
  done = true;
  lg.stdin.write("quit\n");
  await new Promise((r) => lg.once("exit", r));
  process.exit(0);
} catch (e) {
  fatal(e.stack ?? e.message);
}
