import type { ActionMessage } from "@/lib/ui/use-api-action";

/** An action's error, announced at once (`role="alert"`); nothing when there is none. `inline` for use beside a button. */
export function FormError({ error, inline = false }: { error: string | null; inline?: boolean }) {
  if (!error) return null;
  if (inline) {
    return (
      <span role="alert" className="error">
        {" "}
        {error}
      </span>
    );
  }
  return (
    <p role="alert" className="error">
      {error}
    </p>
  );
}

/** An action's outcome, success or error, as a polite `role="status"` note; nothing before the first attempt. */
export function StatusMessage({ message }: { message: ActionMessage | null }) {
  if (!message) return null;
  return (
    <p role="status" className={message.ok ? "ok" : "error"}>
      {message.text}
    </p>
  );
}
