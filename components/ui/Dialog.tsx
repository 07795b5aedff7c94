"use client";

import { createContext, useContext, useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { ButtonVariant } from "./Button";

const CloseDialog = createContext<() => void>(() => {});

/** Inside a <Dialog>: closes it (after a successful create, say). Outside one: does nothing. */
export function useCloseDialog(): () => void {
  return useContext(CloseDialog);
}

/**
 * A modal dialog on the native <dialog> element (focus trap, Escape, inert background come from the browser),
 * opened by its own trigger button. Its content is mounted only while open (a fresh form each time, and no hidden
 * duplicate fields on the page); focus returns to the trigger on close.
 */
export function Dialog(props: { title: string; trigger: string; triggerAriaLabel?: string; variant?: ButtonVariant; children: ReactNode }) {
  const { title, trigger, variant = "primary", children } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const id = useId();
  useEffect(() => {
    if (!open || ref.current?.open) return;
    ref.current?.showModal();
    // Focus starts in the first field (showModal's default is the first focusable element: the ✕).
    ref.current?.querySelector<HTMLElement>(".dialog-body :is(input, textarea, select):not([type=hidden]):not(:disabled)")?.focus();
  }, [open]);
  const close = () => ref.current?.close();
  return (
    <>
      <button
        ref={triggerRef}
        type="button"
        className={variant === "primary" ? undefined : variant}
        aria-haspopup="dialog"
        aria-label={props.triggerAriaLabel}
        onClick={() => setOpen(true)}
      >
        {trigger}
      </button>
      <dialog
        ref={ref}
        className="dialog"
        aria-labelledby={`${id}-title`}
        onClose={() => {
          setOpen(false);
          triggerRef.current?.focus();
        }}
      >
        {open && (
          <>
            <div className="dialog-head">
              <h2 id={`${id}-title`}>{title}</h2>
              <button type="button" className="ghost small" onClick={close} aria-label="Close dialog">
                ✕
              </button>
            </div>
            <div className="dialog-body">
              <CloseDialog.Provider value={close}>{children}</CloseDialog.Provider>
            </div>
          </>
        )}
      </dialog>
    </>
  );
}
