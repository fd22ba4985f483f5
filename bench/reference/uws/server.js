'use strict';
// Reference relay for bench/ws on uWebSockets.js (npm package `uwebsockets`,
// a repackaging of the uWebSockets.js release binaries), using its built-in
// pub/sub. Same protocol as ../ws/server.js: a client joins one channel with
// ?channel=<name> in the upgrade URL; every text frame it sends names a
// channel ({"channel":"<name>",...}) and is published verbatim to every
// client of that channel. No persistence, no authentication, no permission
// checks. Single process, single thread.
//
// Usage: node server.js [port]   (port 0 or absent: any free port)
// Prints "listening <port>" on stdout once it accepts connections.
const uWS = require('uwebsockets');

const port = Number(process.argv[2] || process.env.PORT || 0);
const decoder = new TextDecoder();

const app = uWS.App();
app.ws('/*', {
    compression: uWS.DISABLED,
    maxPayloadLength: 64 * 1024,
    // Like the ws reference: no server-initiated heartbeat.
    idleTimeout: 0,
    // uWS skips subscribers whose backlog passes this bound; 4 MiB (the same
    // bound as Driftway's per-connection queue) keeps every burst message.
    maxBackpressure: 4 * 1024 * 1024,
    upgrade: (res, req, context) => {
        res.upgrade(
            { channel: req.getQuery('channel') || '' },
            req.getHeader('sec-websocket-key'),
            req.getHeader('sec-websocket-protocol'),
            req.getHeader('sec-websocket-extensions'),
            context,
        );
    },
    open: (ws) => {
        const { channel } = ws.getUserData();
        if (channel) ws.subscribe(channel);
    },
    message: (ws, message, isBinary) => {
        let target;
        try {
            target = JSON.parse(decoder.decode(message)).channel;
        } catch {
            ws.end(1007, 'bad json');
            return;
        }
        if (typeof target === 'string') app.publish(target, message, isBinary);
    },
});
app.listen('127.0.0.1', port, (token) => {
    if (!token) {
        process.stderr.write(`could not listen on 127.0.0.1:${port}\n`);
        process.exit(1);
    }
    process.stdout.write(`listening ${uWS.us_socket_local_port(token)}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
