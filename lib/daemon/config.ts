import fs from "node:fs";
import os from "node:os";
import { z } from "zod";

/**
 * Reference daemon configuration: a JSON file (`--config path` or TANDEM_DAEMON_CONFIG) and environment
 * overrides (TANDEM_SERVER_URL, TANDEM_TOKEN, TANDEM_WORKSPACE_ID, TANDEM_DAEMON_ID).
 *
 * {
 *   "server_url": "http://localhost:3000", "token": "tdd_...", "workspace_id": "<uuid>",
 *   "runtimes": [
 *     { "name": "Echo", "provider": "echo" },
 *     { "name": "Claude", "provider": "claude", "command": ["claude", "-p"], "timeout_ms": 600000, "models": ["claude-sonnet-4.5"] }
 *   ]
 * }
 */
const runtimeSchema = z.object({
  name: z.string().trim().min(1),
  provider: z.string().trim().min(1).toLowerCase(),
  version: z.string().default(""),
  /** argv of the command that runs a task: the prompt on stdin, the answer on stdout. Not needed for `echo`. */
  command: z.array(z.string()).min(1).optional(),
  timeout_ms: z.number().int().positive().default(600_000),
  /** Answered to `list_models` requests. */
  models: z.array(z.string()).default([]),
  /** Answered to `list_skills` requests. */
  skills: z.array(z.object({ key: z.string(), name: z.string(), description: z.string().optional() })).default([]),
});

export const daemonConfigSchema = z
  .object({
    server_url: z.url({ error: "server_url must be a URL (TANDEM_SERVER_URL)" }),
    token: z.string({ error: "token is required (TANDEM_TOKEN)" }).min(1, "token is required (TANDEM_TOKEN)"),
    workspace_id: z.uuid({ error: "workspace_id must be a UUID (TANDEM_WORKSPACE_ID)" }),
    daemon_id: z.string().min(1).default(`${os.hostname()}`),
    device_name: z.string().default(os.hostname()),
    heartbeat_ms: z.number().int().positive().default(15_000),
    poll_ms: z.number().int().positive().default(2_000),
    runtimes: z.array(runtimeSchema).min(1).default([{ name: "Echo", provider: "echo", version: "", timeout_ms: 600_000, models: [], skills: [] }]),
  })
  .superRefine((c, ctx) => {
    c.runtimes.forEach((r, i) => {
      if (r.provider !== "echo" && !r.command) ctx.addIssue({ code: "custom", path: ["runtimes", i, "command"], message: `runtime ${r.name}: command is required for provider ${r.provider}` });
    });
  });

export type DaemonConfig = z.infer<typeof daemonConfigSchema>;
export type RuntimeConfig = DaemonConfig["runtimes"][number];

export function loadDaemonConfig(file: string | undefined, env: Record<string, string | undefined> = process.env): DaemonConfig {
  const fromFile = file ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const overrides = Object.fromEntries(
    Object.entries({
      server_url: env.TANDEM_SERVER_URL,
      token: env.TANDEM_TOKEN,
      workspace_id: env.TANDEM_WORKSPACE_ID,
      daemon_id: env.TANDEM_DAEMON_ID,
    }).filter(([, v]) => v),
  );
  const parsed = daemonConfigSchema.safeParse({ ...fromFile, ...overrides });
  if (!parsed.success) {
    throw new Error(`invalid daemon configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  }
  return parsed.data;
}
