import { spawn } from "node:child_process";
import type { ClaimedTask, Usage } from "./client";
import type { RuntimeConfig } from "./config";

export type TaskOutcome = { output: string; usage: Usage[] };

/** What the agent is asked: its instructions, the issue, then the task prompt. */
export function renderPrompt(task: ClaimedTask): string {
  const parts: string[] = [];
  if (task.agent?.instructions) parts.push(task.agent.instructions);
  if (task.issue) parts.push(`Issue ${task.issue.identifier}: ${task.issue.title}\n\n${task.issue.description}`.trim());
  if (task.prompt) parts.push(task.prompt);
  return parts.join("\n\n");
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** A line `TANDEM_USAGE {"model": ..., "input_tokens": ...}` on stdout reports usage; it is not part of the output. */
const USAGE_LINE = /^TANDEM_USAGE\s+(\{.*\})\s*$/;

/**
 * Runs one task. `echo` answers with the prompt (demos and tests); any other provider runs its configured command
 * with the prompt on stdin and takes stdout as the answer. A non-zero exit, a signal or the timeout throws, with
 * text the server's failure taxonomy classifies ("exit status 2", "timed out after 600s", "executable not found").
 */
export async function runTask(rt: RuntimeConfig, task: ClaimedTask, signal: AbortSignal): Promise<TaskOutcome> {
  const prompt = renderPrompt(task);
  if (rt.provider === "echo") {
    const output = `echo: ${prompt}`;
    return { output, usage: [{ model: "echo", provider: "echo", input_tokens: words(prompt), output_tokens: words(output) }] };
  }
  const [cmd, ...args] = rt.command!;
  const { stdout } = await runCommand(cmd!, args, prompt, rt.timeout_ms, signal, {
    TANDEM_TASK_ID: task.id,
    TANDEM_ISSUE_ID: task.issue?.id ?? "",
  });
  const usage: Usage[] = [];
  const lines: string[] = [];
  for (const line of stdout.split("\n")) {
    const m = USAGE_LINE.exec(line);
    if (!m) {
      lines.push(line);
      continue;
    }
    try {
      const u = JSON.parse(m[1]!) as Usage;
      if (typeof u.model === "string" && u.model) usage.push(u);
    } catch {
      lines.push(line);
    }
  }
  const output = lines.join("\n").trim();
  if (!output) throw new Error(`${rt.provider} returned empty output`);
  return { output, usage };
}

function runCommand(cmd: string, args: string[], input: string, timeoutMs: number, signal: AbortSignal, env: Record<string, string>) {
  return new Promise<{ stdout: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const kill = () => child.kill("SIGTERM");
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    signal.addEventListener("abort", kill, { once: true });
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-4000)));
    child.stdin.on("error", () => {}); // the command may exit without reading its input
    child.stdin.end(input);
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code === "ENOENT" ? `${cmd}: executable not found` : err.message));
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", kill);
      if (timedOut) return reject(new Error(`${cmd} timed out after ${Math.round(timeoutMs / 1000)}s`));
      if (sig) return reject(new Error(`${cmd} killed by signal ${sig}: ${stderr.trim()}`));
      if (code !== 0) return reject(new Error(`${cmd} exit status ${code}: ${stderr.trim()}`));
      resolve({ stdout });
    });
  });
}
