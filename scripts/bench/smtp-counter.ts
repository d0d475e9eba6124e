// The benchmarks' fake e-mail channel: a minimal SMTP server on 127.0.0.1 that accepts every message
// and only counts it (no parsing, nothing kept). Written on plain sockets because smtp-server (used
// by test/support/smtp-catcher.ts) holds every new connection 100 ms before its greeting (its
// "early talker" check), and the worker opens one connection per message: with it, the fake
// channel itself would cap the worker at about 8 messages/s.
import net from "node:net";

export interface SmtpCounter {
  /** smtp://127.0.0.1:port */
  url: string;
  /** Messages accepted so far. */
  count(): number;
  close(): Promise<void>;
}

export async function startSmtpCounter(): Promise<SmtpCounter> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let buffer = "";
    let inData = false;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 bench ESMTP");
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        if (inData) {
          // The message ends with a line holding a single dot.
          const end = buffer.indexOf("\r\n.\r\n");
          if (end === -1) {
            // Keep only what may still be the start of the terminator.
            buffer = buffer.slice(-4);
            return;
          }
          buffer = buffer.slice(end + 5);
          inData = false;
          accepted += 1;
          reply("250 OK: message queued");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline === -1) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const command = line.slice(0, 4).toUpperCase();
        if (command === "EHLO") reply("250-bench\r\n250-PIPELINING\r\n250 8BITMIME");
        else if (command === "HELO") reply("250 bench");
        else if (command === "DATA") {
          inData = true;
          // A message may begin right away: the terminator search starts at its first line.
          buffer = `\r\n${buffer}`;
          reply("354 End data with <CR><LF>.<CR><LF>");
        } else if (command === "QUIT") {
          reply("221 Bye");
          socket.end();
          return;
        } else reply("250 OK");
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
