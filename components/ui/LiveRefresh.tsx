"use client";

import { useLiveRefresh } from "@/lib/ui/use-poll";

/** Put on a server-rendered page whose data changes by itself (runtimes, chat, autopilot runs): keeps it current. */
export function LiveRefresh({ ms = 3000 }: { ms?: number }) {
  useLiveRefresh(ms);
  return null;
}
