import type { NextConfig } from "next";

// Each e2e run may build into its own directory so parallel builds never share `.next`.
const distDir = process.env.NEXT_DIST_DIR || ".next";

const nextConfig: NextConfig = {
  distDir,
  // Native/wasm or stateful server packages stay as plain Node requires instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "ioredis", "prom-client", "posthog-node", "nodemailer", "@vercel/otel", "@opentelemetry/api"],
  poweredByHeader: false,
  // Next would load every route's code as it starts, competing with the first request for the one main thread
  // (~0.2 s of the first healthy answer, issue 15); server.mjs preloads them right after its warm-up request instead.
  experimental: { preloadEntriesOnStart: false },
  // Types are checked once by `tsc --noEmit` in the test command; skipping it here halves build time on 2 cores.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
