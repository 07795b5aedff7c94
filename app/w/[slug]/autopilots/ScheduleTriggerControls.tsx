"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, fieldError } from "@/components/ui/Field";
import { FormError } from "@/components/ui/FormMessage";
import { describeCron } from "@/lib/autopilots/describe";
import { api } from "@/lib/ui/api";
import { useApiAction } from "@/lib/ui/use-api-action";

/** Changes a schedule trigger's cron and time zone in place (creator or owner/admin); the next slot follows. */
export function ScheduleTriggerControls(props: { workspaceId: string; autopilotId: string; triggerId: string; name: string; cron: string; timezone: string }) {
  const router = useRouter();
  const [cron, setCron] = useState(props.cron);
  const [timezone, setTimezone] = useState(props.timezone);
  const { busy, error, message, run } = useApiAction();
  const err = fieldError(error, ["cron", "timezone"] as const);
  const id = `schedule-${props.triggerId}`;

  function save(e: FormEvent) {
    e.preventDefault();
    void run("Could not change the schedule", async () => {
      await api(`/api/autopilots/${props.autopilotId}/triggers/${props.triggerId}`, { method: "PATCH", workspaceId: props.workspaceId, body: { cron, timezone } });
      router.refresh();
      return "Schedule saved";
    });
  }

  return (
    <details className="trigger-controls">
      <summary>Edit schedule</summary>
      <form onSubmit={save} aria-label={`Schedule of ${props.name}`}>
        <Field id={`${id}-cron`} label="Cron (minute hour day month weekday)" hint={describeCron(cron)} error={err?.field === "cron" ? err.message : null}>
          <input required value={cron} onChange={(e) => setCron(e.target.value)} />
        </Field>
        <Field id={`${id}-tz`} label="Time zone" error={err?.field === "timezone" ? err.message : null}>
          <input required value={timezone} onChange={(e) => setTimezone(e.target.value)} />
        </Field>
        <button type="submit" className="secondary small" disabled={busy}>
          Save schedule
        </button>
        <FormError error={err && !err.field ? err.message : null} />
        {message?.ok && <p role="status">{message.text}</p>}
      </form>
    </details>
  );
}
