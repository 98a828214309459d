// The wall-clock limit of one invocation, as the edge runtime's covers the whole of it: the wait
// for the response headers and the streaming of the body alike.

export interface Deadline {
  /** Aborts when the limit is reached. */
  signal: AbortSignal;
  /** The invocation is over: the limit no longer applies. */
  clear(): void;
}

export function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`wall-clock limit of ${ms} ms`, "TimeoutError")), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * `body` passed on until `signal` aborts, then errored (the caller sees the response cut short,
 * not a complete one) and cancelled upstream. `onEnd` runs once, however the stream ends.
 */
export function streamUntil(body: ReadableStream<Uint8Array>, signal: AbortSignal, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return false;
    ended = true;
    signal.removeEventListener("abort", onAbort);
    onEnd();
    return true;
  };
  let controller: ReadableStreamDefaultController<Uint8Array>;
  function onAbort() {
    if (!end()) return;
    controller.error(signal.reason);
    reader.cancel(signal.reason).catch(() => {});
  }
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(c) {
      try {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          end();
          c.close();
        } else c.enqueue(value);
      } catch (error) {
        if (end()) c.error(error);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
}
