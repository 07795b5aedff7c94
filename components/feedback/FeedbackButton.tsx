"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { captureFeedbackOpened } from "@/lib/analytics-client";
import { FormError } from "@/components/ui/FormMessage";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

const KINDS = [
  ["bug", "Bug"],
  ["feature", "Feature request"],
  ["general", "General"],
  ["praise", "Praise"],
] as const;
type Kind = (typeof KINDS)[number][0];

/**
 * "Feedback" button + modal dialog for the signed-in shell. The native <dialog> gives focus trapping, Escape to
 * close and focus return for free. The chosen kind is sent, so `feedback_submitted_total{kind}` is real.
 */
export function FeedbackButton({ workspaceId }: { workspaceId?: string }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [kind, setKind] = useState<Kind>("general");
  const [message, setMessage] = useState("");
  const [sent, setSent] = useState(false);
  const { busy, error, run, reset } = useApiAction();

  function open() {
    setSent(false);
    reset();
    dialog.current?.showModal();
    dialog.current?.querySelector("textarea")?.focus(); // the message, not the ✕ (showModal's first focusable)
    captureFeedbackOpened({ workspaceId });
  }

  function close() {
    dialog.current?.close();
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void run("Could not send your feedback, please try again", async () => {
      await api("/api/feedback", { body: { message, kind, url: window.location.pathname, workspace_id: workspaceId } });
      setSent(true);
      setMessage("");
      setKind("general");
    });
  }

  return (
    <>
      <button type="button" className="secondary" onClick={open} aria-haspopup="dialog">
        Feedback
      </button>
      {/* Styled as every other dialog (components/ui/Dialog): a head with its title and ✕, then the body. */}
      <dialog ref={dialog} className="dialog" aria-labelledby={`${id}-title`}>
        <div className="dialog-head">
          <h2 id={`${id}-title`}>Send feedback</h2>
          <button type="button" className="ghost small" onClick={close} aria-label="Close dialog">
            ✕
          </button>
        </div>
        <div className="dialog-body">
          {sent ? (
            <>
              <p role="status">Thank you, your feedback was sent.</p>
              <p>
                <button type="button" onClick={close}>
                  Close
                </button>
              </p>
            </>
          ) : (
            <form onSubmit={submit}>
              <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
                <legend style={{ fontWeight: 600 }}>What kind of feedback?</legend>
                <div className="row">
                  {KINDS.map(([value, label]) => (
                    <span key={value} className="row" style={{ gap: "0.3rem" }}>
                      <input
                        type="radio"
                        id={`${id}-kind-${value}`}
                        name="kind"
                        value={value}
                        checked={kind === value}
                        onChange={() => setKind(value)}
                      />
                      <label htmlFor={`${id}-kind-${value}`} style={{ display: "inline", fontWeight: 400, margin: 0 }}>
                        {label}
                      </label>
                    </span>
                  ))}
                </div>
              </fieldset>
              <label htmlFor={`${id}-message`}>Message</label>
              <textarea id={`${id}-message`} required maxLength={10000} value={message} onChange={(e) => setMessage(e.target.value)} />
              <p className="row">
                <button type="submit" disabled={busy}>
                  {busy ? "Sending…" : "Send feedback"}
                </button>
                <button type="button" className="secondary" onClick={close}>
                  Cancel
                </button>
              </p>
              <FormError error={error} />
            </form>
          )}
        </div>
      </dialog>
    </>
  );
}
