/**
 * `npm run daemon -- --config daemon.json` (or TANDEM_* environment variables): runs the reference daemon until
 * SIGINT/SIGTERM, then stops gracefully (running tasks finish or are reported failed, runtimes go offline).
 */
import { loadDaemonConfig } from "./config";
import { Daemon } from "./daemon";

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main() {
  const config = loadDaemonConfig(argValue("--config") ?? process.env.TANDEM_DAEMON_CONFIG);
  const daemon = new Daemon(config);
  await daemon.start();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[daemon] ${signal}: stopping`);
    daemon.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err) => {
  console.error(`[daemon] ${(err as Error).message}`);
  process.exit(1);
});
