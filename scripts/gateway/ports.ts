/**
 * A loopback port the system picks and nothing holds right now. Fixed ports next to the gateway's
 * could be the local end of some other program's connection (Linux hands out 32768-60999 for those).
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
