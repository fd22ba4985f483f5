"""A minimal WebSocket client (RFC 6455) on asyncio streams: text frames,
masking, ping/pong and close. Debian's python3 has no websockets package,
and the voice peer needs nothing more than JSON text frames."""
import asyncio
import base64
import hashlib
import json
import os
import struct
from urllib.parse import urlsplit

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Closed(Exception):
    def __init__(self, code):
        super().__init__(f"websocket closed ({code})")
        self.code = code


class Client:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, url, timeout=10):
        u = urlsplit(url)
        if u.scheme != "ws":
            raise ValueError(f"only ws:// is supported here: {url}")
        port = u.port or 80
        reader, writer = await asyncio.wait_for(asyncio.open_connection(u.hostname, port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {u.hostname}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise ConnectionError(f"no upgrade: {lines[0]}")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if not any(l.lower().startswith("sec-websocket-accept:") and l.split(":", 1)[1].strip() == accept for l in lines):
            raise ConnectionError("bad Sec-WebSocket-Accept")
        return cls(reader, writer)

    def _frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)

    async def send_json(self, op, d):
        self._frame(0x1, json.dumps({"op": op, "d": d}).encode())
        await self.writer.drain()

    async def recv_json(self):
        """The next text frame as a dict; raises Closed on a close frame."""
        buf = b""
        while True:
            b0, b1 = await self.reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
            mask = await self.reader.readexactly(4) if b1 & 0x80 else None
            data = await self.reader.readexactly(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                raise Closed(code)
            if opcode == 0x9:
                self._frame(0xA, data)
                continue
            if opcode in (0x1, 0x0, 0x2):
                buf += data
                if b0 & 0x80:
                    return json.loads(buf.decode())

    async def close(self, code=1000):
        try:
            self._frame(0x8, struct.pack("!H", code))
            await self.writer.drain()
        except Exception:
            pass
        self.writer.close()
