"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { CopyButton } from "@/components/ui/CopyButton";
import { useCloseDialog } from "@/components/ui/Dialog";
import { Field, fieldError } from "@/components/ui/Field";
import { StatusMessage } from "@/components/ui/FormMessage";
import { useToast } from "@/components/ui/Toast";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";
import { describeCron } from "@/lib/autopilots/describe";

type Option = { value: string; label: string };
type Created = { name: string; triggers: { kind: string; webhook_path?: string }[] };

export function NewAutopilotForm({ workspaceId, assignees }: { workspaceId: string; assignees: Option[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [assignee, setAssignee] = useState(assignees[0]?.value ?? "");
  const [mode, setMode] = useState("create_issue");
  const [prompt, setPrompt] = useState("");
  const [scheduled, setScheduled] = useState(false);
  const [cron, setCron] = useState("0 9 * * 1-5");
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  const [webhook, setWebhook] = useState(false);
  const { busy, message, error, run } = useApiAction();
  // The API names a failing field ("triggers.cron: …"): shown under that field, anything else below the form.
  const err = fieldError(error, ["name", "prompt", "triggers.cron", "triggers.timezone"] as const);
  const errorOf = (field: NonNullable<typeof err>["field"]) => (err?.field === field ? err.message : null);
  const close = useCloseDialog();
  const toast = useToast();
  const [webhookUrl, setWebhookUrl] = useState("");

  function submit(e: FormEvent) {
    e.preventDefault();
    setWebhookUrl("");
    const [assigneeType, assigneeId] = assignee.split(":");
    const triggers = [...(scheduled ? [{ kind: "schedule", cron, timezone }] : []), ...(webhook ? [{ kind: "webhook" }] : [])];
    void run("Could not create the autopilot", async () => {
      const ap = await api<Created>("/api/autopilots", {
        workspaceId,
        body: { name, assignee_type: assigneeType, assignee_id: assigneeId, execution_mode: mode, prompt, triggers },
      });
      const path = ap.triggers.find((t) => t.webhook_path)?.webhook_path;
      setName("");
      setPrompt("");
      router.refresh();
      // With a webhook the dialog stays open: its URL is shown this once, to copy.
      if (path) {
        setWebhookUrl(`${window.location.origin}${path}`);
        return `Created autopilot ${ap.name}`;
      }
      close();
      toast(`Created autopilot ${ap.name}`);
    });
  }

  if (assignees.length === 0) return <p className="muted">Create an agent first: an autopilot needs an agent or a squad to run it.</p>;
  return (
    <form onSubmit={submit} aria-label="New autopilot">
      <Field id="ap-name" label="Name" error={errorOf("name")}>
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <label htmlFor="ap-assignee">Runs as</label>
      <select id="ap-assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
        {assignees.map((a) => (
          <option key={a.value} value={a.value}>
            {a.label}
          </option>
        ))}
      </select>
      <fieldset>
        <legend>Each run</legend>
        <label style={{ fontWeight: 400 }}>
          <input type="radio" name="ap-mode" value="create_issue" checked={mode === "create_issue"} onChange={() => setMode("create_issue")} /> creates an issue
          for the agent
        </label>
        <label style={{ fontWeight: 400 }}>
          <input type="radio" name="ap-mode" value="run_only" checked={mode === "run_only"} onChange={() => setMode("run_only")} /> only runs the agent
        </label>
      </fieldset>
      <Field id="ap-prompt" label="Prompt" error={errorOf("prompt")}>
        <textarea required value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      </Field>
      <fieldset>
        <legend>Triggers (a manual “Run now” is always available)</legend>
        <label style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} /> On a schedule
        </label>
        {scheduled && (
          <div className="row">
            <Field id="ap-cron" label="Cron (minute hour day month weekday)" hint={describeCron(cron)} error={errorOf("triggers.cron")}>
              <input required value={cron} onChange={(e) => setCron(e.target.value)} />
            </Field>
            <Field id="ap-timezone" label="Time zone" error={errorOf("triggers.timezone")}>
              <input required value={timezone} onChange={(e) => setTimezone(e.target.value)} />
            </Field>
          </div>
        )}
        <label style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={webhook} onChange={(e) => setWebhook(e.target.checked)} /> From a webhook
        </label>
      </fieldset>
      <p>
        <button type="submit" disabled={busy}>
          Create autopilot
        </button>
      </p>
      <StatusMessage message={message?.ok ? message : err && !err.field ? { ok: false, text: err.message } : null} />
      {webhookUrl && (
        <div>
          <label htmlFor="ap-webhook-url">Webhook URL — copy it now, it is shown only once</label>
          <div className="copy-field">
            <input id="ap-webhook-url" readOnly value={webhookUrl} onFocus={(e) => e.target.select()} />
            <CopyButton value={webhookUrl} label="webhook URL" />
          </div>
        </div>
      )}
    </form>
  );
}
