import { describe, expect, it } from "vitest";
import { classifyFailure } from "@/lib/telemetry";
import type { ClaimedTask } from "./client";
import { daemonConfigSchema, loadDaemonConfig } from "./config";
import { renderPrompt, runTask } from "./providers";

const task: ClaimedTask = {
  id: "t1",
  prompt: "please",
  attempt: 1,
  agent: { id: "a1", name: "A", instructions: "Be brief." },
  issue: { id: "i1", identifier: "ENG-7", title: "Fix login", description: "It 500s." },
};
const rt = (over: Record<string, unknown>) => daemonConfigSchema.parse({ server_url: "http://x", token: "t", workspace_id: "00000000-0000-4000-8000-000000000000", runtimes: [over] }).runtimes[0]!;
const never = new AbortController().signal;

describe("reference daemon providers", () => {
  it("renders instructions, issue and prompt in order", () => {
    expect(renderPrompt(task)).toBe("Be brief.\n\nIssue ENG-7: Fix login\n\nIt 500s.\n\nplease");
  });

  it("echo answers with the prompt and reports unpriced usage", async () => {
    const out = await runTask(rt({ name: "E", provider: "echo" }), task, never);
    expect(out.output).toBe(`echo: ${renderPrompt(task)}`);
    expect(out.usage).toEqual([{ model: "echo", provider: "echo", input_tokens: 9, output_tokens: 10 }]);
  });

  it("a command gets the prompt on stdin; TANDEM_USAGE lines become usage, not output", async () => {
    const cmd = [process.execPath, "-e", `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{console.log(s.length);console.log('TANDEM_USAGE {"model":"gpt-5.4","input_tokens":5}')})`];
    const out = await runTask(rt({ name: "C", provider: "codex", command: cmd }), task, never);
    expect(out.output).toBe(String(renderPrompt(task).length));
    expect(out.usage).toEqual([{ model: "gpt-5.4", input_tokens: 5 }]);
  });

  it("failures carry text the server's taxonomy classifies", async () => {
    const fail = (command: string[], timeout_ms = 10_000) => runTask(rt({ name: "C", provider: "codex", command, timeout_ms }), task, never).then(() => "", (e: Error) => e.message);
    expect(classifyFailure(await fail([process.execPath, "-e", "process.exit(2)"]))).toBe("agent_error.process_failure");
    expect(classifyFailure(await fail([process.execPath, "-e", "setTimeout(()=>{}, 5000)"], 200))).toBe("agent_error.agent_timeout");
    expect(classifyFailure(await fail(["/nonexistent/agent-cli"]))).toBe("agent_error.runtime_missing_executable");
    expect(classifyFailure(await fail([process.execPath, "-e", ""]))).toBe("agent_error.empty_or_unparseable_output");
  });

  it("config: a non-echo runtime needs a command; env overrides the file", () => {
    expect(() => rt({ name: "C", provider: "claude" })).toThrow(/command is required/);
    expect(() => loadDaemonConfig(undefined, {})).toThrow(/server_url/);
    const c = loadDaemonConfig(undefined, { TANDEM_SERVER_URL: "http://s", TANDEM_TOKEN: "tdd_x", TANDEM_WORKSPACE_ID: "00000000-0000-4000-8000-000000000000" });
    expect(c.runtimes).toEqual([expect.objectContaining({ name: "Echo", provider: "echo" })]);
  });
});
