import type { Metadata } from "next";
import Link from "next/link";
import { ContactSalesForm } from "@/components/contact-sales/ContactSalesForm";
import { currentUser } from "@/lib/ui/session";

export const metadata: Metadata = { title: "Contact sales" };

/** Public: visitors reach it from the landing page without an account; a signed-in person gets "Open Tandem". */
export default async function ContactSalesPage() {
  const user = await currentUser();
  return (
    <main id="main">
      <header className="row" style={{ justifyContent: "space-between" }}>
        <Link className="brand" href="/">
          Tandem
        </Link>
        {user ? <Link href="/home">Open Tandem</Link> : <Link href="/login">Log in</Link>}
      </header>
      <h1>Contact sales</h1>
      <p className="muted">
        Rolling Tandem out to a team, self-hosting it, or integrating it with your tools? Tell us a little about your
        company and we will get back to you.
      </p>
      <ContactSalesForm source="page" heading="Tell us about your team" />
    </main>
  );
}
