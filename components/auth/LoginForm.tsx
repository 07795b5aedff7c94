"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { identifyUser } from "@/lib/analytics-client";
import { Field } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormMessage";
import { api, ApiError } from "@/lib/ui/api";
import { afterLoginPath } from "@/lib/ui/return-path";
import { useApiAction } from "@/lib/ui/use-api-action";

type Me = { id: string; email: string; name: string; onboarded_at: string | null };

const RESEND_AFTER_S = 30;

/** The verify route's refusals in words a person reads; anything else as the server says it, capitalised. */
function codeErrorText(text: string): string {
  if (text === "invalid or expired code") return "That code is wrong or has expired. Check the latest email from us, or send a new code.";
  if (text.startsWith("too many attempts for this code")) return "Too many wrong tries for this code. Send a new code to try again.";
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Email → 6-digit code login. `next` (already checked same-origin by the page) is where the person goes afterwards;
 * a new person goes through onboarding first and keeps it. The code can be re-sent after a short wait.
 */
export function LoginForm({ googleEnabled, next = null }: { googleEnabled: boolean; next?: string | null }) {
  const [step, setStep] = useState<"email" | "code">("email");
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const { busy, error, message, run } = useApiAction();
  // Which action the error belongs to: a refused code is shown at the code field (and focus goes back to it), a
  // refused email at the email field, a failed resend under the buttons.
  const [failedAction, setFailedAction] = useState<"send" | "resend" | "verify" | null>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (wait <= 0) return;
    const t = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(t);
  }, [wait]);

  function sendCode(e: FormEvent) {
    e.preventDefault();
    setFailedAction("send");
    void run("Could not send the code", async () => {
      await api("/api/auth/send-code", { body: { email } });
      setStep("code");
      setWait(RESEND_AFTER_S);
    });
  }

  function resend() {
    setFailedAction("resend");
    void run("Could not send a new code", async () => {
      await api("/api/auth/send-code", { body: { email } });
      setCode("");
      setWait(RESEND_AFTER_S);
      return `We sent a new code to ${email}. The old one no longer works.`;
    });
  }

  function verify(e: FormEvent) {
    e.preventDefault();
    setFailedAction("verify");
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
    ).then((ok) => {
      if (!ok) {
        codeInput.current?.focus();
        codeInput.current?.select();
      }
    });
  }

  const emailError = step === "email" && failedAction === "send" ? error : null;
  const codeError = step === "code" && failedAction === "verify" && error ? codeErrorText(error) : null;
  const otherError = error && !emailError && !codeError ? error : null;

  return (
    <div>
      {step === "email" ? (
        <form onSubmit={sendCode}>
          <Field id="login-email" label="Email" error={emailError}>
            <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
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
          <Field id="login-code" label="6-digit code" error={codeError}>
            <input
              ref={codeInput}
              autoFocus
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              maxLength={6}
              required
              value={code}
              onChange={(e) => setCode(e.target.value.trim())}
            />
          </Field>
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
      <FormError error={otherError} />
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
