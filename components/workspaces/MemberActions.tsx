"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/ui/ConfirmButton";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

type Role = "owner" | "admin" | "member";

/**
 * A member row's controls on the workspace home: the role and Remove for owners/admins (an admin cannot touch an
 * owner), Leave on one's own row. The API enforces the same rules (and keeps the last owner); this only hides what
 * would be refused.
 */
export function MemberActions(props: { workspaceId: string; workspaceName: string; userId: string; name: string; role: Role; viewerId: string; viewerRole: Role }) {
  const router = useRouter();
  const action = useApiAction();
  const self = props.userId === props.viewerId;
  const manages = props.viewerRole === "owner" || (props.viewerRole === "admin" && props.role !== "owner");
  const path = `/api/workspaces/${props.workspaceId}/members/${props.userId}`;

  function setRole(role: Role) {
    void action.run("Could not change the role", async () => {
      await api(path, { method: "PATCH", body: { role } });
      router.refresh();
    });
  }

  if (self) {
    return (
      <ConfirmButton
        label="Leave"
        ariaLabel={`Leave ${props.workspaceName}`}
        title={`Leave ${props.workspaceName}?`}
        body="You lose access to its issues, agents and chats until someone invites you again."
        confirmLabel="Leave workspace"
        done={`You left ${props.workspaceName}`}
        action={async () => {
          await api(path, { method: "DELETE" });
          window.location.assign("/home");
        }}
      />
    );
  }
  if (!manages) return null;
  const roles: Role[] = props.viewerRole === "owner" ? ["owner", "admin", "member"] : ["admin", "member"];
  return (
    <span className="row">
      <label htmlFor={`role-${props.userId}`} className="visually-hidden">
        Role of {props.name}
      </label>
      <select id={`role-${props.userId}`} value={props.role} disabled={action.busy} onChange={(e) => setRole(e.target.value as Role)} style={{ width: "auto" }}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <ConfirmButton
        label="Remove"
        ariaLabel={`Remove ${props.name}`}
        title={`Remove ${props.name}?`}
        body={`${props.name} loses access to this workspace; daemon tokens they created for it stop working.`}
        confirmLabel="Remove member"
        done={`Removed ${props.name}`}
        action={async () => {
          await api(path, { method: "DELETE" });
          router.refresh();
        }}
      />
      <FormError error={action.error} inline />
    </span>
  );
}

/** Withdraws a pending invitation (owner/admin): its link stops working. */
export function RevokeInvitationButton({ workspaceId, invitationId, email }: { workspaceId: string; invitationId: string; email: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      label="Withdraw"
      ariaLabel={`Withdraw the invitation to ${email}`}
      title={`Withdraw the invitation to ${email}?`}
      body="The link in their email stops working. You can invite them again later."
      confirmLabel="Withdraw invitation"
      done={`Withdrew the invitation to ${email}`}
      action={async () => {
        await api(`/api/workspaces/${workspaceId}/invitations/${invitationId}`, { method: "DELETE" });
        router.refresh();
      }}
    />
  );
}
