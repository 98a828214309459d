// Which loopback ports can be listened on. Probing by listening, not by connecting: Linux hands
// out 32768-60999 (the Supabase ports 54321/54322 among them) as the local ends of outgoing
// connections, and such a port refuses connections yet cannot be bound.
import net from "node:net";

export const LOOPBACK = "127.0.0.1";

/** Listens on `port` (0: one the system picks), then closes; resolves with the port, or null when taken. */
function tryListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(null));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

export const canListen = async (port) => (await tryListen(port)) !== null;

/** A port nothing listens on or holds right now. */
export async function freePort() {
  const port = await tryListen(0);
  if (port === null) throw new Error(`no free port on ${LOOPBACK}`);
  return port;
}

/** Whether a server answers on `port`. */
export function isListening(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Waits up to `timeoutMs` for `port` to be free (a connection's local end lets go of it when the
 * connection closes). Resolves with null once it is, or with why it is not.
 */
export async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await canListen(port))) {
    if (await isListening(port)) return "is taken by another server";
    if (Date.now() > deadline) return "is held by another program's connection (its local end)";
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}
