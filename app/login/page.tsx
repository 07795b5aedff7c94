import { redirect } from "next/navigation";
import { loginErrorMessage } from "@/lib/auth/login-errors";
import { config } from "@/lib/config";
import type { Metadata } from "next";
import { currentUser, homePathFor } from "@/lib/ui/session";
import { safeReturnPath } from "@/lib/ui/return-path";
import { LoginForm } from "@/components/auth/LoginForm";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; next?: string }> }) {
  const { error, next: rawNext } = await searchParams;
  const next = safeReturnPath(typeof rawNext === "string" ? rawNext : null);
  const user = await currentUser();
  if (user) redirect(await homePathFor(user, next));
  // Only known codes have a message; any other text in the URL is ignored (no content spoofing).
  const errorMessage = loginErrorMessage(error);
  return (
    <main id="main">
      <h1>Log in to Tandem</h1>
      <p className="muted">We will email you a 6-digit code. New here? The same code creates your account.</p>
      {errorMessage && (
        <p role="alert" className="error">
          {errorMessage}
        </p>
      )}
      <LoginForm googleEnabled={config().googleEnabled} next={next} />
    </main>
  );
}
