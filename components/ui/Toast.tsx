"use client";

import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

type Toast = { id: number; text: string; error: boolean };
type Show = (text: string, opts?: { error?: boolean }) => void;

const ToastContext = createContext<Show>(() => {});

/** Shows a short result note ("Created ORB-4") in the corner for a few seconds; errors stay until the next toast. */
export function useToast(): Show {
  return useContext(ToastContext);
}

let nextId = 1;

/** Mounted once (app/providers.tsx); the toasts sit in a polite status region. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const show = useCallback<Show>((text, opts) => {
    const t = { id: nextId++, text, error: opts?.error ?? false };
    setToasts((list) => [...list.slice(-2), t]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== t.id)), t.error ? 10_000 : 6_000);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {/* Only while there is something to say, so an idle page has no empty status region. */}
      {toasts.length > 0 && (
        <div className="toasts" role="status" aria-live="polite">
          {toasts.map((t) => (
            <div key={t.id} className={t.error ? "toast toast-error" : "toast"}>
              {t.text}
            </div>
          ))}
        </div>
      )}
    </ToastContext.Provider>
  );
}
