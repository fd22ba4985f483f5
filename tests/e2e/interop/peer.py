#!/usr/bin/python3
"""An independent WebRTC peer for the voice interop test: aiortc joins a
Driftway voice channel (docs/voice.md) the way any client would, sends a WAV
tone on its own section (mid 0, sendonly) and records what it receives.

Prints one JSON object per line on stdout: {"event": ...}. The test reads
them; the last is "done" with the peer's own getStats numbers and the
signaling frames it saw (for diagnosing a server that does not deliver).

Facts of this machine (TESTING.md): aioice skips 127.0.0.1, so its address
lookup is replaced; aiortc 1.4 does not trickle, so the answer is sent after
gathering (setLocalDescription waits for it).
"""
import argparse
import asyncio
import json
import sys
import time
import urllib.request

import aioice.ice

aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=False: ["127.0.0.1"]

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription  # noqa: E402
from aiortc.contrib.media import MediaPlayer, MediaRecorder  # noqa: E402

import miniws  # noqa: E402


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def join_channel(base, access, channel):
    req = urllib.request.Request(
        f"{base}/api/v1/voice/{channel}/join",
        data=b"{}",
        method="POST",
        headers={"Authorization": f"Bearer {access}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())


async def run(args):
    join = await asyncio.get_running_loop().run_in_executor(None, join_channel, args.base, args.token, args.channel)
    emit("joined", endpoint=join["endpoint"])
    ws = await miniws.Client.connect(join["endpoint"])
    frames = []
    player = MediaPlayer(args.tone, loop=True)
    recorder = MediaRecorder(args.record)
    pc = None
    connected = asyncio.Event()
    recording = False
    try:
        await ws.send_json("join", {"token": join["token"]})
        ice = []

        async def on_offer(sdp):
            nonlocal pc
            if pc is None:
                pc = RTCPeerConnection(RTCConfiguration(iceServers=ice))

                @pc.on("connectionstatechange")
                async def _state():
                    emit("state", state=pc.connectionState)
                    if pc.connectionState == "connected":
                        connected.set()

                @pc.on("track")
                async def _track(track):
                    nonlocal recording
                    emit("track", kind=track.kind)
                    if track.kind == "audio" and not recording:
                        recording = True
                        recorder.addTrack(track)
                        await recorder.start()

            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            own = pc.getTransceivers()[0]
            if own.sender.track is None:
                own.sender.replaceTrack(player.audio)
            own.direction = "sendonly"
            await pc.setLocalDescription(await pc.createAnswer())
            await ws.send_json("answer", {"sdp": pc.localDescription.sdp})
            frames.append({"dir": "out", "op": "answer", "d": {"sdp": pc.localDescription.sdp}})

        async def signaling():
            while True:
                f = await ws.recv_json()
                frames.append({"dir": "in", **f})
                op, d = f.get("op"), f.get("d") or {}
                if op == "ready":
                    for s in d.get("ice_servers") or []:
                        urls = s.get("urls")
                        ice.append(RTCIceServer(urls=urls, username=s.get("username"), credential=s.get("credential")))
                    emit("ready", participants=[p.get("user_id") for p in d.get("participants", [])])
                elif op == "offer":
                    await on_offer(d["sdp"])
                elif op in ("speaking", "participant_joined", "participant_left", "error"):
                    emit(op, d=d)

        sig = asyncio.ensure_future(signaling())
        waiter = asyncio.ensure_future(connected.wait())
        done, _ = await asyncio.wait({sig, waiter}, timeout=args.connect_timeout, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            if sig in done and sig.exception():
                raise sig.exception()
            raise TimeoutError(f"no media connection within {args.connect_timeout} s")
        emit("connected")
        # The recording's length: how much audio the check gets.
        await asyncio.sleep(args.seconds)
        stats = {}
        for s in (await pc.getStats()).values():
            if s.type == "outbound-rtp":
                stats["packets_sent"] = stats.get("packets_sent", 0) + s.packetsSent
            elif s.type == "inbound-rtp":
                stats["packets_received"] = stats.get("packets_received", 0) + s.packetsReceived
        await ws.send_json("leave", {})
        sig.cancel()
        emit("done", stats=stats, frames=frames)
    finally:
        await recorder.stop()
        if player.audio:
            player.audio.stop()
        if pc is not None:
            await pc.close()
        await ws.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    ap.add_argument("--token", required=True, help="access token of the peer's user")
    ap.add_argument("--channel", required=True)
    ap.add_argument("--tone", required=True, help="WAV file sent as the microphone")
    ap.add_argument("--record", required=True, help="WAV file the received audio is written to")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--connect-timeout", type=float, default=15.0)
    args = ap.parse_args()
    started = time.monotonic()
    try:
        asyncio.run(run(args))
    except Exception as e:  # reported to the test, which prints it
        emit("error", message=f"{type(e).__name__}: {e}", after_s=round(time.monotonic() - started, 2))
        sys.exit(1)


if __name__ == "__main__":
    main()
