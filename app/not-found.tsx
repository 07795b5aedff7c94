import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main id="main">
      <h1>Not found</h1>
      <p className="muted">This page does not exist, or it belongs to a workspace you are not a member of.</p>
      <p>
        <Link href="/home">Go to your workspace</Link>
      </p>
    </main>
  );
}
