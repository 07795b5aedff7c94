import Link from "next/link";
import { getDb } from "@/lib/db";
import { listAccessTokens } from "@/lib/auth/tokens";
import { requirePageUser } from "@/lib/ui/session";
import { TokensPanel } from "@/components/auth/TokensPanel";
import { DeleteAccountForm } from "@/components/auth/DeleteAccountForm";

export default async function SettingsPage() {
  const user = await requirePageUser();
  const tokens = await listAccessTokens(await getDb(), user.id);
  return (
    <main>
      <p>
        <Link href="/home">← Back</Link>
      </p>
      <h1>Account settings</h1>
      <p>
        Signed in as <strong>{user.email}</strong>
      </p>
      <TokensPanel initial={tokens} />
      <DeleteAccountForm email={user.email} />
    </main>
  );
}
