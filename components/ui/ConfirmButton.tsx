"use client";

import { useId, useRef, useState } from "react";
import { errorText } from "@/lib/ui/use-api-action";
import { useToast } from "./Toast";

/**
 * A button whose action needs a second, explicit "yes" (delete, archive, revoke): opens a small modal dialog that
 * says what will happen, with the confirming button styled destructive. Errors show in the dialog; success toasts.
 */
export function ConfirmButton(props: {
  label: string;
  /** Accessible name of the opening button when the visible label alone is ambiguous in a table ("Delete Night Crew"). */
  ariaLabel?: string;
  title: string;
  body: string;
  confirmLabel: string;
  done: string;
  action: () => Promise<void>;
  small?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const id = useId();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await props.action();
      ref.current?.close();
      toast(props.done);
    } catch (err) {
      setError(errorText(err, "That did not work, please try again"));
    } finally {
      setBusy(false);
    }
  }
  // Focus starts on Cancel, not on the destructive button (showModal's default, the first one): an Enter pressed out
  // of habit must not delete.
  function open() {
    setError(null);
    ref.current?.showModal();
    cancel.current?.focus();
  }
  return (
    <>
      <button type="button" className={props.small === false ? "destructive" : "secondary small"} aria-label={props.ariaLabel} onClick={open}>
        {props.label}
      </button>
      <dialog ref={ref} className="dialog" aria-labelledby={`${id}-t`} aria-describedby={`${id}-b`}>
        <div className="dialog-head">
          <h2 id={`${id}-t`}>{props.title}</h2>
        </div>
        <div className="dialog-body">
          <p id={`${id}-b`}>{props.body}</p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <p className="row">
            <button type="button" className="destructive" disabled={busy} onClick={() => void confirm()}>
              {props.confirmLabel}
            </button>
            <button ref={cancel} type="button" className="secondary" onClick={() => ref.current?.close()}>
              Cancel
            </button>
          </p>
        </div>
      </dialog>
    </>
  );
}
