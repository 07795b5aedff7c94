import { getStore } from "@/lib/store";

/** Account details of an installation whose row does not exist yet (kept 2 minutes in the shared store). */
export type PendingAccount = { accountLogin: string; accountType: string; accountAvatarUrl: string | null };

const key = (installationId: number) => `github:pending-account:${installationId}`;
// Short: an announced installation waits only for its installer, who arrives seconds later; a longer hold would let
// someone else claim it meanwhile.
const TTL_MS = 2 * 60_000;

export async function rememberPendingAccount(installationId: number, account: PendingAccount): Promise<void> {
  try {
    await (await getStore()).set(key(installationId), JSON.stringify(account), TTL_MS);
  } catch (err) {
    console.error(`[github] could not keep the pending account: ${(err as Error).message}`);
  }
}

export async function takePendingAccount(installationId: number): Promise<PendingAccount | null> {
  try {
    const store = await getStore();
    const raw = await store.get(key(installationId));
    if (!raw) return null;
    await store.del(key(installationId));
    const v = JSON.parse(raw) as Partial<PendingAccount>;
    return typeof v.accountLogin === "string" && typeof v.accountType === "string"
      ? { accountLogin: v.accountLogin, accountType: v.accountType, accountAvatarUrl: typeof v.accountAvatarUrl === "string" ? v.accountAvatarUrl : null }
      : null;
  } catch {
    return null;
  }
}
