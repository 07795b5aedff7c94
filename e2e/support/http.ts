/**
 * HTTP below fetch, for what fetch hides: one raw keep-alive socket (what is on the wire, when it closes, whether it
 * was reset), and an API sign-up that returns the session cookie.
 */
import net from "node:net";
import { waitFor, type App } from "./app";

export type RawConnection = {
  socket: net.Socket;
  /** Everything the server sent so far (latin1, so byte counts stay true). */
  received(): string;
  /** Set once the socket is fully closed; `error` is the socket error code (ECONNRESET...) if any. */
  closed(): { at: number; error?: string } | undefined;
  /** Resolves with the n-th response (1-based) once its head and its whole body have arrived. */
  response(n: number, timeoutMs?: number): Promise<RawResponse>;
};

export type RawResponse = { status: number; headers: Record<string, string>; body: string };

export async function rawConnection(app: App): Promise<RawConnection> {
  const socket = net.connect(app.port, "127.0.0.1");
  let data = "";
  let closed: { at: number; error?: string } | undefined;
  let error: string | undefined;
  socket.on("data", (d) => (data += d.toString("latin1")));
  socket.on("error", (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  socket.on("close", () => (closed = { at: Date.now(), error }));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return {
    socket,
    received: () => data,
    closed: () => closed,
    response: (n, timeoutMs = 5_000) => waitFor(() => parseResponses(data)[n - 1], timeoutMs, `response ${n} on the raw connection`),
  };
}

/** Complete responses in `data` (Content-Length or chunked bodies). */
export function parseResponses(data: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd === -1) return out;
    const [statusLine, ...lines] = rest.slice(0, headEnd).split("\r\n");
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let body = "";
    let tail = rest.slice(headEnd + 4);
    if (headers["transfer-encoding"] === "chunked") {
      for (;;) {
        const lineEnd = tail.indexOf("\r\n");
        if (lineEnd === -1) return out;
        const size = parseInt(tail.slice(0, lineEnd), 16);
        if (tail.length < lineEnd + 2 + size + 2) return out;
        body += tail.slice(lineEnd + 2, lineEnd + 2 + size);
        tail = tail.slice(lineEnd + 2 + size + 2);
        if (size === 0) break;
      }
    } else {
      const len = Number(headers["content-length"] ?? 0);
      if (tail.length < len) return out;
      body = tail.slice(0, len);
      tail = tail.slice(len);
    }
    out.push({ status: Number(statusLine.split(" ")[1]), headers, body });
    rest = tail;
  }
}

/** Signs `email` up through send-code → verify-code (the code read from the server log); returns the cookie header. */
export async function apiSession(app: App, email: string, opts: { setCookie?: (header: string) => void } = {}): Promise<string> {
  const post = (path: string, body: unknown) =>
    fetch(`${app.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", origin: app.baseUrl }, body: JSON.stringify(body) });
  const sent = await post("/api/auth/send-code", { email });
  if (sent.status !== 200) throw new Error(`send-code answered ${sent.status}`);
  const verified = await post("/api/auth/verify-code", { email, code: await app.codeFor(email) });
  if (verified.status !== 200) throw new Error(`verify-code answered ${verified.status}`);
  const cookie = verified.headers.getSetCookie().find((c) => c.startsWith("tandem_session="));
  if (!cookie) throw new Error("no session cookie");
  opts.setCookie?.(cookie);
  return cookie.split(";")[0];
}
