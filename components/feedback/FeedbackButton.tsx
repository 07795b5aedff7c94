"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { captureFeedbackOpened } from "@/lib/analytics-client";
import { api, ApiError } from "@/lib/ui/api";

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
  const [status, setStatus] = useState<"idle" | "sending" | "sent">("idle");
  const [error, setError] = useState<string | null>(null);

  function open() {
    setStatus("idle");
    setError(null);
    dialog.current?.showModal();
    captureFeedbackOpened({ workspaceId });
  }

  function close() {
    dialog.current?.close();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setStatus("sending");
    setError(null);
    try {
      await api("/api/feedback", { body: { message, kind, url: window.location.pathname, workspace_id: workspaceId } });
      setStatus("sent");
      setMessage("");
      setKind("general");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Could not send your feedback, please try again");
      setStatus("idle");
    }
  }

  return (
    <>
      <button type="button" className="secondary" onClick={open} aria-haspopup="dialog">
        Feedback
      </button>
      <dialog ref={dialog} aria-labelledby={`${id}-title`} style={{ maxWidth: "36rem", width: "90vw", borderRadius: 8 }}>
        <h2 id={`${id}-title`} style={{ marginTop: 0 }}>
          Send feedback
        </h2>
        {status === "sent" ? (
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
              <button type="submit" disabled={status === "sending"}>
                {status === "sending" ? "Sending…" : "Send feedback"}
              </button>
              <button type="button" className="secondary" onClick={close}>
                Cancel
              </button>
            </p>
            {error && (
              <p role="alert" className="error">
                {error}
              </p>
            )}
          </form>
        )}
      </dialog>
    </>
  );
}
