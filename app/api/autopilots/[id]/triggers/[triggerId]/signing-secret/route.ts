import { z } from "zod";
import { workspaceRequest } from "@/lib/auth";
import { json, readJson, route } from "@/lib/http";
import { setSigningSecret } from "@/lib/autopilots";
import { signingSecretSchema } from "@/lib/autopilots/schemas";

const body = z.object({ signing_secret: signingSecretSchema });

/** Sets or clears (empty string) the trigger's `X-Hub-Signature-256` secret; the answer carries only a hint. */
export const PUT = route("/api/autopilots/[id]/triggers/[triggerId]/signing-secret", async (req, { id, triggerId }) => {
  const { db, m } = await workspaceRequest(req);
  const { signing_secret } = await readJson(req, body, 4096);
  return json(await setSigningSecret(db, m, id!, triggerId!, signing_secret));
});
