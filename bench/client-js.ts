/**
 * `npm run bench:client-js`: the landing page's JavaScript with and without a PostHog key (issue 4), written to
 * docs/performance.md. Uses the e2e production build (built first if missing) and Chromium, cold cache each time.
 */
import { writePerformanceSection } from "./perf-doc";
import buildOnce from "../e2e/support/global-setup";
import { startApp } from "../e2e/support/app";
import { launchBrowser } from "../e2e/support/browser";
import { startCaptureServer } from "../tests/helpers/capture-server";

/** A string only the posthog-js library contains (as in e2e/analytics.test.ts). */
const POSTHOG_JS_MARKER = "looks like a bot";

type Script = { url: string; bytes: number; transferred: number; posthog: boolean };
type Measure = { scripts: number; bytes: number; transferred: number; posthog: Script[] };

async function measure(withKey: boolean): Promise<Measure> {
  const capture = await startCaptureServer();
  const app = await startApp({ env: { POSTHOG_API_KEY: withKey ? "phc_bench" : "", POSTHOG_HOST: capture.url } });
  const browser = await launchBrowser();
  try {
    await fetch(`${app.baseUrl}/`); // first request warms the server (database, route compilation caches)
    const context = await browser.newContext();
    const page = await context.newPage();
    const pending: Promise<Script>[] = [];
    page.on("response", (res) => {
      if (res.request().resourceType() !== "script") return;
      pending.push(
        (async () => {
          const body = await res.body();
          const sizes = await res.request().sizes();
          return { url: res.url(), bytes: body.length, transferred: sizes.responseBodySize, posthog: body.includes(POSTHOG_JS_MARKER) };
        })(),
      );
    });
    await page.goto(`${app.baseUrl}/`, { waitUntil: "load", timeout: 120_000 });
    // posthog-js is fetched after `/api/config` answers, after hydration: give it time to arrive.
    await page.waitForTimeout(3_000);
    const scripts = await Promise.all(pending);
    await context.close();
    return {
      scripts: scripts.length,
      bytes: scripts.reduce((n, s) => n + s.bytes, 0),
      transferred: scripts.reduce((n, s) => n + s.transferred, 0),
      posthog: scripts.filter((s) => s.posthog),
    };
  } finally {
    await browser.close();
    await app.stop();
    await capture.stop();
  }
}

function render(off: Measure, on: Measure): string {
  const kb = (n: number) => `${(n / 1000).toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 })} kB`;
  const chunk = on.posthog[0];
  return `## Client analytics (issue 4): landing page JavaScript

<!-- Written by \`npm run bench:client-js\` (bench/client-js.ts). Production build, Chromium, cold cache. -->

Every script the browser downloads for \`/\` until 3 s after \`load\`. "Transferred" is the compressed body on the wire.

| PostHog key | scripts | bytes | transferred |
|---|---|---|---|
| none (self-hosted default) | ${off.scripts} | ${kb(off.bytes)} | ${kb(off.transferred)} |
| set | ${on.scripts} | ${kb(on.bytes)} | ${kb(on.transferred)} |

- Without a key the posthog-js chunk is never requested (${off.posthog.length} downloaded scripts contain posthog-js; the e2e
  suite asserts the same). With a key it is one extra chunk${chunk ? ` of ${kb(chunk.bytes)} (${kb(chunk.transferred)} transferred)` : ""},
  loaded by a dynamic import after \`/api/config\` answers, so it never delays the first render.
- The chunk is posthog-js's slim build: the extensions it leaves out (session replay, surveys, autocapture,
  heatmaps, exception capture, toolbar) are all switched off by our init options. The default build was 365.8 kB
  (121.5 kB transferred) when measured the same way.
`;
}

async function main() {
  buildOnce();
  const off = await measure(false);
  const on = await measure(true);
  const section = render(off, on);
  writePerformanceSection("client-js", section);
  console.log(section);
}

await main();
