import { isIP } from "node:net";
import { config } from "@/lib/config";

/** Set by server.mjs from the TCP socket, after removing any copy the client sent. */
export const PEER_IP_HEADER = "x-tandem-peer-ip";

/**
 * The client's address: the socket peer, or the first X-Forwarded-For entry when TRUST_PROXY=true.
 * "unknown" when the app is not behind server.mjs (the header could then be forged, so it is not read).
 */
export function clientIp(req: Request): string {
  if (config().TRUST_PROXY) {
    const first = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (first && isIP(first)) return first;
  }
  if (process.env.TANDEM_SERVER === "1") {
    const peer = req.headers.get(PEER_IP_HEADER)?.trim();
    if (peer && isIP(peer)) return peer.replace(/^::ffff:/, "");
  }
  return "unknown";
}

/** Raw X-Client-Platform / X-Client-Version; label values are normalised by the telemetry layer, never here. */
export function clientPlatform(req: Request): string {
  return (req.headers.get("x-client-platform") ?? "").slice(0, 64);
}

export function clientVersion(req: Request): string {
  return (req.headers.get("x-client-version") ?? "").slice(0, 64);
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
