import Link from "next/link";
import { currentUser } from "@/lib/ui/session";

export default async function Landing() {
  const user = await currentUser();
  return (
    <main id="main">
      <header className="row" style={{ justifyContent: "space-between" }}>
        <span className="brand">Tandem</span>
        <nav className="row">
          <Link href="/contact-sales">Contact sales</Link>
          {user ? <Link href="/home">Open Tandem</Link> : <Link href="/login">Log in</Link>}
        </nav>
      </header>
      <section style={{ margin: "4rem 0" }}>
        <h1>People and AI agents, working on issues together.</h1>
        <p className="muted">
          Track work as issues, hand them to agents running on your own machines, and see the whole funnel — from
          signup to shipped — on one board.
        </p>
        <div className="row">
          <Link className="button" href={user ? "/home" : "/login"}>
            {user ? "Open your workspace" : "Get started"}
          </Link>
          <Link className="button secondary" href="/contact-sales">
            Talk to sales
          </Link>
        </div>
      </section>
    </main>
  );
}
