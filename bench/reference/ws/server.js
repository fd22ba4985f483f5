'use strict';
// Reference relay for bench/ws: the broadcast server most Node chat servers
// are, on the `ws` package. A client joins one channel with ?channel=<name>
// in the upgrade URL; every text frame it sends names a channel
// ({"channel":"<name>",...}) and is relayed verbatim to every client of that
// channel. No persistence, no authentication, no permission checks.
//
// Usage: node server.js [port]   (port 0 or absent: any free port)
// Prints "listening <port>" on stdout once it accepts connections.
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || process.env.PORT || 0);
const rooms = new Map();

const wss = new WebSocketServer({
    host: '127.0.0.1',
    port,
    backlog: 4096,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
});

wss.on('connection', (ws, req) => {
    const channel = new URL(req.url, 'http://relay').searchParams.get('channel');
    if (channel) {
        let room = rooms.get(channel);
        if (!room) {
            room = new Set();
            rooms.set(channel, room);
        }
        room.add(ws);
        ws.on('close', () => {
            room.delete(ws);
            if (room.size === 0) rooms.delete(channel);
        });
    }
    ws.on('message', (data, isBinary) => {
        let target;
        try {
            target = JSON.parse(data).channel;
        } catch {
            ws.close(1007, 'bad json');
            return;
        }
        const room = rooms.get(target);
        if (!room) return;
        for (const client of room) {
            if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
        }
    });
    ws.on('error', () => {});
});

wss.on('listening', () => {
    process.stdout.write(`listening ${wss.address().port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
