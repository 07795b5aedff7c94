import { redirect } from "next/navigation";
import { loginErrorMessage } from "@/lib/auth/login-errors";
import { config } from "@/lib/config";
import { currentUser, homePathFor } from "@/lib/ui/session";
import { LoginForm } from "@/components/auth/LoginForm";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const user = await currentUser();
  if (user) redirect(await homePathFor(user));
  // Only known codes have a message; any other text in the URL is ignored (no content spoofing).
  const error = loginErrorMessage((await searchParams).error);
  return (
    <main>
      <h1>Log in to Tandem</h1>
      <p className="muted">We will email you a 6-digit code. New here? The same code creates your account.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <LoginForm googleEnabled={config().googleEnabled} />
    </main>
  );
}
