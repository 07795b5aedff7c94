/** Next.js calls this once per server process, before it serves requests. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/ops/startup");
  await startServer();
}
