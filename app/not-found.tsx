import type { Metadata } from "next";
import Link from "next/link";
import { DocumentTitle } from "@/components/ui/DocumentTitle";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main id="main">
      <DocumentTitle title="Not found · Tandem" />
      <h1>Not found</h1>
      <p className="muted">This page does not exist, or it belongs to a workspace you are not a member of.</p>
      <p>
        <Link href="/home">Go to your workspace</Link>
      </p>
    </main>
  );
}
