import { cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";

/**
 * A labelled form control with an optional hint and an inline error right under it. The control (an <input>,
 * <select> or <textarea> passed as the only child) gets `id`, `aria-invalid` and `aria-describedby` wired up.
 */
export function Field({ id, label, hint, error, children }: { id: string; label: ReactNode; hint?: ReactNode; error?: string | null; children: ReactElement }) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const control = isValidElement(children)
    ? cloneElement(children as ReactElement<Record<string, unknown>>, { id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })
    : children;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Splits the API's `"field: message"` error (lib/http/errors names the failing field that way) into the field and a
 * readable message, when the field is one the form shows; else the whole text is a form-level error. A list index in
 * the path (`triggers.0.cron`) names the same field as `triggers.cron`: a form shows one of each.
 */
export function fieldError<F extends string>(text: string | null, fields: readonly F[]): { field: F | null; message: string } | null {
  if (!text) return null;
  const m = /^([a-z_][a-z0-9_.]*): (.+)$/i.exec(text);
  const field = m?.[1]!.replace(/\.\d+(?=\.|$)/g, "");
  if (m && field && (fields as readonly string[]).includes(field)) {
    const msg = m[2]!;
    return { field: field as F, message: msg.charAt(0).toUpperCase() + msg.slice(1) };
  }
  return { field: null, message: text };
}
