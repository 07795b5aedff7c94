"use client";

import { useState } from "react";

/**
 * Copies `value` to the clipboard and says "Copied" beside the button for a moment (announced politely). `label` names
 * what is copied; the button's accessible name "Copy <label>" always contains its visible word "Copy".
 */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState<"ok" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("ok");
    } catch {
      setCopied("failed");
    }
    setTimeout(() => setCopied(null), 2000);
  }
  return (
    <span className="copy-button">
      <button type="button" className="secondary small" onClick={() => void copy()} aria-label={`Copy ${label}`}>
        Copy
      </button>
      <span aria-live="polite" className="muted">
        {copied === "ok" ? " Copied" : copied === "failed" ? " Copy failed: select the text instead" : ""}
      </span>
    </span>
  );
}

/** A read-only value (command, URL) that wraps instead of overflowing, with its copy button beside it. */
export function CopyField({ value, label }: { value: string; label: string }) {
  return (
    <div className="copy-field" role="group" aria-label={label}>
      <pre>
        <code>{value}</code>
      </pre>
      <CopyButton value={value} label={label} />
    </div>
  );
}
