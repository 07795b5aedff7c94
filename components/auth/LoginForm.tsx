"use client";

import { useState, type FormEvent } from "react";
import { identifyUser } from "@/lib/analytics-client";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type Me = { id: string; email: string; name: string; onboarded_at: string | null };

export function LoginForm({ googleEnabled }: { googleEnabled: boolean }) {
  const [step, setStep] = useState<"email" | "code">("email");
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const { busy, error, run } = useApiAction();

  function sendCode(e: FormEvent) {
    e.preventDefault();
    void run("Could not send the code", async () => {
      await api("/api/auth/send-code", { body: { email } });
      setStep("code");
    });
  }

  function verify(e: FormEvent) {
    e.preventDefault();
    void run(
      "Could not verify the code",
      async () => {
        const { user } = await api<{ user: Me; is_new: boolean }>("/api/auth/verify-code", { body: { email, code } });
        identifyUser(user);
        // A full navigation, so server components see the new session cookie.
        window.location.assign(user.onboarded_at ? "/home" : "/onboarding");
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
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value.trim())}
          />
          <p>
            <button type="submit" disabled={busy}>
              Verify and continue
            </button>
          </p>
        </form>
      )}
      <FormError error={error} />
      {googleEnabled && (
        <p>
          <a className="button secondary" href="/api/auth/google">
            Continue with Google
          </a>
        </p>
      )}
    </div>
  );
}
