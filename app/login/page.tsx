import { redirect } from "next/navigation";
import { config } from "@/lib/config";
import { currentUser, homePathFor } from "@/lib/ui/session";
import { LoginForm } from "@/components/auth/LoginForm";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const user = await currentUser();
  if (user) redirect(await homePathFor(user));
  const { error } = await searchParams;
  return (
    <main id="main">
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
