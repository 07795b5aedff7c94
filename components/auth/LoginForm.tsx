"use client";

import { useEffect, useState, type FormEvent } from "react";
import { identifyUser } from "@/lib/analytics-client";
import { FormError } from "@/components/ui/FormMessage";
import { api, ApiError } from "@/lib/ui/api";
import { afterLoginPath } from "@/lib/ui/return-path";
import { useApiAction } from "@/lib/ui/use-api-action";

type Me = { id: string; email: string; name: string; onboarded_at: string | null };

const RESEND_AFTER_S = 30;

/**
 * Email → 6-digit code login. `next` (already checked same-origin by the page) is where the person goes afterwards;
 * a new person goes through onboarding first and keeps it. The code can be re-sent after a short wait.
 */
export function LoginForm({ googleEnabled, next = null }: { googleEnabled: boolean; next?: string | null }) {
  const [step, setStep] = useState<"email" | "code">("email");
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const { busy, error, message, run } = useApiAction();
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (wait <= 0) return;
    const t = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(t);
  }, [wait]);

  function sendCode(e: FormEvent) {
    e.preventDefault();
    void run("Could not send the code", async () => {
      await api("/api/auth/send-code", { body: { email } });
      setStep("code");
      setWait(RESEND_AFTER_S);
    });
  }

  function resend() {
    void run("Could not send a new code", async () => {
      await api("/api/auth/send-code", { body: { email } });
      setCode("");
      setWait(RESEND_AFTER_S);
      return `We sent a new code to ${email}. The old one no longer works.`;
    });
  }

  function verify(e: FormEvent) {
    e.preventDefault();
    void run(
      "Could not verify the code",
      async () => {
        const { user } = await api<{ user: Me; is_new: boolean }>("/api/auth/verify-code", { body: { email, code } }).catch((err: unknown) => {
          // Too many attempts: the message says to request a new code, so the button must allow it now.
          if (err instanceof ApiError && err.status === 429) setWait(0);
          throw err;
        });
        identifyUser(user);
        // A full navigation, so server components see the new session cookie.
        window.location.assign(afterLoginPath(user.onboarded_at !== null, next));
      },
      { keepBusy: true },
    );
  }

  return (
    <div>
      {step === "email" ? (
        <form onSubmit={sendCode}>
          <label htmlFor="login-email">Email</label>
          <input id="login-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <p>
            <button type="submit" disabled={busy}>
              Send code
            </button>
          </p>
        </form>
      ) : (
        <form onSubmit={verify}>
          <p>
            We sent a code to <strong>{email}</strong>.{" "}
            <button type="button" className="secondary" onClick={() => setStep("email")}>
              Use another email
            </button>
          </p>
          <label htmlFor="login-code">6-digit code</label>
          <input
            id="login-code"
            autoFocus
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value.trim())}
          />
          <p className="row">
            <button type="submit" disabled={busy}>
              Verify and continue
            </button>
            <button type="button" className="secondary" disabled={busy || wait > 0} onClick={resend}>
              {wait > 0 ? `Resend code (${wait} s)` : "Resend code"}
            </button>
          </p>
          {message?.ok && <p role="status">{message.text}</p>}
        </form>
      )}
      <FormError error={error} />
      {googleEnabled && (
        <p>
          <a className="button secondary" href={next ? `/api/auth/google?next=${encodeURIComponent(next)}` : "/api/auth/google"}>
            Continue with Google
          </a>
        </p>
      )}
    </div>
  );
}
