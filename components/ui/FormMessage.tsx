import type { ActionMessage } from "@/lib/ui/use-api-action";

/** The API's messages are lower-case phrases ("this person is already a member"); on the page they start a sentence. */
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** An action's error, announced at once (`role="alert"`); nothing when there is none. `inline` for use beside a button. */
export function FormError({ error, inline = false }: { error: string | null; inline?: boolean }) {
  if (!error) return null;
  if (inline) {
    return (
      <span role="alert" className="error">
        {" "}
        {sentence(error)}
      </span>
    );
  }
  return (
    <p role="alert" className="error">
      {sentence(error)}
    </p>
  );
}

/** An action's outcome, success or error, as a polite `role="status"` note; nothing before the first attempt. */
export function StatusMessage({ message }: { message: ActionMessage | null }) {
  if (!message) return null;
  return (
    <p role="status" className={message.ok ? "ok" : "error"}>
      {sentence(message.text)}
    </p>
  );
}
