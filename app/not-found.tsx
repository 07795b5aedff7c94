import Link from "next/link";

// Unknown pages stay HTML (API paths answer JSON from app/api/[[...path]]).
export default function NotFound() {
  return (
    <main>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link href="/">Go to Tandem</Link>
      </p>
    </main>
  );
}
